#include "bot/app.hpp"

#include <algorithm>
#include <filesystem>
#include <tuple>

#include "bot/infra/log.hpp"
#include "bot/paths.hpp"
#include "knowledge/postgres/session_store.hpp"

namespace advisor::bot {

namespace fs = std::filesystem;

std::string framework_path(const config& cfg) {
  return cfg.framework_file.empty() ? config_dir() + "/framework.json" : cfg.framework_file;
}

std::vector<std::string> extra_framework_paths(const config& cfg) {
  std::vector<std::string> out;
  std::string dir = cfg.frameworks_dir.empty() ? config_dir() + "/frameworks" : cfg.frameworks_dir;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().extension() == ".json") out.push_back(entry.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string knowledge_path(const config& cfg) {
  return cfg.knowledge_file.empty() ? config_dir() + "/knowledge.json" : cfg.knowledge_file;
}

std::unique_ptr<app> open_app(const config& cfg) {
  auto a = std::make_unique<app>();
  a->cfg = cfg;
  // Parse both files before touching the database: a bad file changes nothing.
  std::string fw_file = framework_path(cfg);
  std::string kb_file = knowledge_path(cfg);
  std::string fw_text = read_file(fw_file);
  std::string kb_text = read_file(kb_file);
  dialogue::framework fw = dialogue::parse_framework(fw_text, fw_file);
  knowledge::knowledge_doc doc = knowledge::parse_knowledge(kb_text, kb_file);
  std::vector<std::tuple<std::string, std::string, dialogue::framework>> extras;
  for (const auto& path : extra_framework_paths(cfg)) {
    std::string text = read_file(path);
    auto extra = dialogue::parse_framework(text, path);
    if (extra.id == fw.id) continue;  // the default framework wins
    extras.emplace_back(path, std::move(text), std::move(extra));
  }

  std::error_code ec;
  fs::create_directories(cfg.data_dir, ec);
  if (ec)
    throw std::runtime_error(cfg.data_dir + ": cannot create the data directory: " + ec.message());
  a->db_path = (fs::path(cfg.data_dir) / "advisor.db").string();
  a->knowledge = std::make_unique<storage::knowledge_store>(a->db_path);
  if (a->knowledge->meta("knowledge_text") != kb_text) {
    a->knowledge->import(doc);
    a->knowledge->set_meta("knowledge_text", kb_text);
  }
  if (a->knowledge->framework_document(fw.id) != fw_text)
    a->knowledge->store_framework(fw, fw_text);
  for (const auto& [path, text, extra] : extras)
    if (a->knowledge->framework_document(extra.id) != text)
      a->knowledge->store_framework(extra, text);
  // The store is the source of truth from here on.
  a->framework = dialogue::parse_framework(*a->knowledge->framework_document(fw.id), fw_file);
  std::vector<const dialogue::framework*> all{&a->framework};
  for (const auto& [path, text, extra] : extras) {
    a->extra_frameworks.push_back(
        dialogue::parse_framework(*a->knowledge->framework_document(extra.id), path));
    all.push_back(&a->extra_frameworks.back());
  }
  if (cfg.database_url.empty()) {
    auto local = std::make_unique<storage::sqlite_session_store>(a->db_path);
    a->sqlite_sessions = local.get();
    a->sessions = std::move(local);
  } else {
    a->sessions = std::make_unique<storage::pg_session_store>(cfg.database_url);
  }
  // Every framework version this instance runs, kept in the session store by (id, version) for
  // any instance sharing it (insert if absent: the first document stored for a version wins).
  for (const auto* f : all) {
    const std::string document = *a->knowledge->framework_document(f->id);
    if (a->sessions->keep_framework(f->id, f->version, document) != document)
      log::warn("framework_version_reused",
                {{"framework", f->id},
                 {"version", f->version},
                 {"why",
                  "the stored document of this version differs from this one: conversations "
                  "started on it elsewhere go on with the stored one; give a changed framework "
                  "a new version"}});
  }
  a->service = std::make_unique<bot::service>(all, *a->knowledge, *a->sessions);
  return a;
}

}  // namespace advisor::bot
