#include "bot/commands.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "adapters/terminal/terminal.hpp"
#include "bot/app.hpp"
#include "bot/paths.hpp"

namespace advisor::bot {

using nlohmann::json;

int run_chat(const config& cfg, const chat_options& opts, std::istream& in, std::ostream& out) {
  auto a = open_app(cfg);
  if (opts.json) return terminal::json_lines(*a->service, in, out);
  terminal::chat_settings s;
  s.conversation = opts.conversation;
  s.framework = opts.framework;
  s.fresh = opts.fresh;
  s.record_file = opts.record_file;
  s.color = (&out == &std::cout) && isatty(STDOUT_FILENO);
  return terminal::chat(*a->service, s, in, out);
}

int run_knowledge_search(const config& cfg, const std::string& text, std::size_t limit,
                         bool as_json, std::ostream& out) {
  auto a = open_app(cfg);
  auto hits = a->knowledge->search(text, limit);
  if (as_json) {
    json arr = json::array();
    for (const auto& h : hits) {
      auto src = a->knowledge->find_source(h.fact.source);
      arr.push_back({{"id", h.fact.id},
                     {"tech", h.fact.tech},
                     {"topic", h.fact.topic},
                     {"claim", h.fact.claim},
                     {"figure", h.fact.figure},
                     {"source", src ? src->title : h.fact.source},
                     {"rank", h.rank}});
    }
    out << arr.dump(2) << "\n";
    return 0;
  }
  if (hits.empty()) {
    out << "No facts match \"" << text << "\".\n";
    return 0;
  }
  for (const auto& h : hits) {
    auto src = a->knowledge->find_source(h.fact.source);
    out << "- [" << h.fact.tech << ", " << h.fact.topic << "] " << h.fact.claim;
    if (!h.fact.figure.empty()) out << " (" << h.fact.figure << ")";
    out << "\n  Source: " << (src ? src->title : h.fact.source) << "\n";
  }
  return 0;
}

int run_knowledge_export(const config& cfg, const std::string& file, std::ostream& out) {
  auto a = open_app(cfg);
  json j = json::parse(knowledge::knowledge_to_json(a->knowledge->export_doc()));
  j["frameworks"] = json::array();
  for (const auto& id : a->knowledge->framework_ids())
    j["frameworks"].push_back(json::parse(*a->knowledge->framework_document(id)));
  std::string text = j.dump(2) + "\n";
  if (file == "-") {
    out << text;
    return 0;
  }
  std::string tmp = file + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary);
    if (!f || !(f << text) || !f.flush())
      throw std::runtime_error(file + ": cannot write the export");
  }
  std::rename(tmp.c_str(), file.c_str());
  out << "Exported " << a->knowledge->fact_count() << " facts and " << j["frameworks"].size()
      << " framework(s) to " << file << "\n";
  return 0;
}

int run_knowledge_import(const config& cfg, const std::string& file, std::ostream& out) {
  std::string text = read_file(file);
  // Check everything first; the store changes in one transaction or not at all.
  knowledge::knowledge_doc doc = knowledge::parse_knowledge(text, file);
  std::vector<std::pair<dialogue::framework, std::string>> frameworks;
  json j = json::parse(text);
  if (auto it = j.find("frameworks"); it != j.end() && it->is_array())
    for (const auto& f : *it) {
      std::string document = f.dump(2);
      frameworks.emplace_back(dialogue::parse_framework(document, file + " (frameworks)"),
                              document);
    }
  auto a = open_app(cfg);
  a->knowledge->import_all(doc, frameworks);
  out << "Imported " << doc.facts.size() << " facts, " << doc.sources.size() << " sources, "
      << doc.contested.size() << " contested points and " << frameworks.size()
      << " framework(s) from " << file << "\n";
  return 0;
}

int run_knowledge_validate(const config& cfg, const std::string& file, std::ostream& out) {
  std::string text = read_file(file);
  json j = json::parse(text, nullptr, false);
  bool is_knowledge =
      !j.is_discarded() && j.is_object() && j.contains("facts") && !j.contains("questions");
  if (is_knowledge) {
    try {
      auto doc = knowledge::parse_knowledge(text, file);
      out << file << ": ok (" << doc.facts.size() << " facts, " << doc.sources.size()
          << " sources, " << doc.contested.size() << " contested points)\n";
      return 0;
    } catch (const dialogue::load_error& e) {
      out << e.what() << "\n";
      return 1;
    }
  }
  auto problems = dialogue::validate_framework(text, file);
  if (problems.empty()) {
    // Facts the framework cites must exist in the knowledge it will run with.
    auto fw = dialogue::parse_framework(text, file);
    auto doc = knowledge::parse_knowledge(read_file(knowledge_path(cfg)), knowledge_path(cfg));
    std::set<std::string> ids;
    for (const auto& f : doc.facts) ids.insert(f.id);
    auto check = [&](const std::vector<std::string>& facts, int line, const std::string& where) {
      for (const auto& id : facts)
        if (!ids.count(id))
          problems.emplace_back(
              file, line,
              where + " cites unknown fact \"" + id + "\" (not in " + knowledge_path(cfg) + ")");
    };
    for (const auto& q : fw.questions) {
      check(q.why_facts, q.line, "question \"" + q.id + "\"");
      for (const auto& o : q.options)
        check(o.facts, q.line, "option \"" + o.id + "\" of question \"" + q.id + "\"");
    }
    if (fw.hybrid) check(fw.hybrid->facts, 0, "the hybrid rule");
    for (const auto& s : fw.next_steps) check(s.facts, 0, "a next step");
    if (problems.empty()) {
      out << file << ": ok (" << fw.questions.size() << " questions, framework \"" << fw.id
          << "\" version " << fw.version << ")\n";
      return 0;
    }
  }
  for (const auto& p : problems) out << p.what() << "\n";
  out << problems.size() << " problem" << (problems.size() == 1 ? "" : "s") << " found\n";
  return 1;
}

int run_db_backup(const config& cfg, const std::string& file, std::ostream& out) {
  auto a = open_app(cfg);
  if (!a->sqlite_sessions)
    throw std::runtime_error(
        "advisor db backup copies the SQLite file; with database_url set, back up PostgreSQL with "
        "pg_dump");
  a->sqlite_sessions->backup_to(file);
  out << "Backed up " << a->db_path << " to " << file << "\n";
  return 0;
}

}  // namespace advisor::bot
