// Opens everything a command needs: the data directory, the database, the framework and the
// knowledge (synced from the shipped files into the store when those files change), and the
// bot service on top.
#pragma once

#include <deque>
#include <memory>
#include <string>

#include "bot/infra/config.hpp"
#include "bot/service/service.hpp"
#include "dialogue/framework.hpp"
#include "knowledge/sqlite/knowledge_store.hpp"
#include "knowledge/sqlite/session_store.hpp"

namespace advisor::bot {

struct app {
  config cfg;
  std::string db_path;
  std::unique_ptr<storage::knowledge_store> knowledge;
  // Conversations: in the SQLite file (sqlite_sessions is then set too) or in PostgreSQL when
  // cfg.database_url is set.
  std::unique_ptr<dialogue::session_store> sessions;
  storage::sqlite_session_store* sqlite_sessions = nullptr;
  dialogue::framework framework;                     // the default framework
  std::deque<dialogue::framework> extra_frameworks;  // others on offer (config/frameworks/*.json)
  std::unique_ptr<bot::service> service;
};

// Throws std::runtime_error (or dialogue::load_error) with a message a user can act on; a
// bad framework or knowledge file leaves the database as it was.
std::unique_ptr<app> open_app(const config& cfg);

// The framework and knowledge files this configuration uses.
std::string framework_path(const config& cfg);
std::vector<std::string> extra_framework_paths(const config& cfg);
std::string knowledge_path(const config& cfg);

}  // namespace advisor::bot
