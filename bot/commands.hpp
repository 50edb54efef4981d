// The `advisor` command line: chat, serve, knowledge, db and discord commands. Each command
// is a function from parsed options to an exit code; main() only parses and dispatches.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "bot/infra/config.hpp"

namespace advisor::bot {

struct chat_options {
  bool json = false;        // JSON lines on stdin/stdout instead of a terminal conversation
  bool fresh = false;       // start a new conversation instead of resuming
  std::string record_file;  // write the decision record here when the conversation ends
  std::string conversation = "default";  // the terminal conversation's key
  std::string framework;                 // start a new conversation on this framework
};

int run_chat(const config& cfg, const chat_options& opts, std::istream& in, std::ostream& out);
int run_serve(const config& cfg);
int run_knowledge_search(const config& cfg, const std::string& text, std::size_t limit, bool json,
                         std::ostream& out);
int run_knowledge_export(const config& cfg, const std::string& file, std::ostream& out);
int run_knowledge_import(const config& cfg, const std::string& file, std::ostream& out);
int run_knowledge_validate(const config& cfg, const std::string& file, std::ostream& out);
int run_db_backup(const config& cfg, const std::string& file, std::ostream& out);
int run_discord_register(const config& cfg, std::ostream& out);

}  // namespace advisor::bot
