#include "bot/app.hpp"

#include <filesystem>

#include "bot/paths.hpp"

namespace advisor::bot {

namespace fs = std::filesystem;

std::string framework_path(const config& cfg) {
  return cfg.framework_file.empty() ? config_dir() + "/framework.json" : cfg.framework_file;
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

  std::error_code ec;
  fs::create_directories(cfg.data_dir, ec);
  if (ec) throw std::runtime_error(cfg.data_dir + ": cannot create the data directory: " + ec.message());
  a->db_path = (fs::path(cfg.data_dir) / "advisor.db").string();
  a->knowledge = std::make_unique<storage::knowledge_store>(a->db_path);
  if (a->knowledge->meta("knowledge_text") != kb_text) {
    a->knowledge->import(doc);
    a->knowledge->set_meta("knowledge_text", kb_text);
  }
  if (a->knowledge->framework_document(fw.id) != fw_text) a->knowledge->store_framework(fw, fw_text);
  // The store is the source of truth from here on.
  a->framework = dialogue::parse_framework(*a->knowledge->framework_document(fw.id), fw_file);
  a->sessions = std::make_unique<storage::sqlite_session_store>(a->db_path);
  a->service = std::make_unique<bot::service>(a->framework, *a->knowledge, *a->sessions);
  return a;
}

}  // namespace advisor::bot
