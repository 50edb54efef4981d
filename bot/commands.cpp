#include "bot/commands.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "bot/app.hpp"
#include "bot/paths.hpp"
#include "bot/protocol.hpp"
#include "dialogue/markdown.hpp"
#include "dialogue/matching.hpp"

namespace advisor::bot {

using nlohmann::json;

std::string terminal_text(const std::string& text, bool color) {
  std::string out;
  bool bold = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && dialogue::escapable(text[i + 1])) {
      out += text[++i];  // a user's character, shown as typed
    } else if (text.compare(i, 2, "**") == 0) {
      if (color) out += bold ? "\033[0m" : "\033[1m";
      bold = !bold;
      ++i;
    } else if (text[i] == '`') {
      continue;  // code marks read fine without their ticks
    } else if (text[i] == '_' && (i == 0 || text[i - 1] == ' ' || i + 1 == text.size() ||
                                  text[i + 1] == '\n' || text[i + 1] == ' ')) {
      continue;  // _emphasis_ marks around sources
    } else {
      out += text[i];
    }
  }
  if (bold && color) out += "\033[0m";
  return out;
}

namespace {

void print_turn(const turn& t, std::ostream& out, bool color) {
  out << "\n" << terminal_text(t.out.text, color) << "\n";
  if (!t.out.options.empty()) {
    if (t.out.progress.total > 0 && !t.out.finished)
      out << (color ? "\033[2m" : "") << "(step " << t.out.progress.step << " of about "
          << t.out.progress.total << ")" << (color ? "\033[0m" : "") << "\n";
    int i = 0;
    for (const auto& o : t.out.options) out << "  " << ++i << ") " << o.label << "\n";
  }
}

int json_chat(app& a, const chat_options& opts, std::istream& in, std::ostream& out) {
  json_session session(*a.service, "json");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    for (const auto& frame : session.handle(line)) out << frame << "\n";
    out.flush();
  }
  (void)opts;
  return 0;
}

}  // namespace

int run_chat(const config& cfg, const chat_options& opts, std::istream& in, std::ostream& out) {
  auto a = open_app(cfg);
  if (opts.json) return json_chat(*a, opts, in, out);
  bool color = (&out == &std::cout) && isatty(STDOUT_FILENO);
  channel_key key{"terminal", opts.conversation};
  if (!opts.framework.empty() && !a->service->has_framework(opts.framework)) {
    std::string ids;
    for (const auto& [id, title] : a->service->frameworks()) ids += "\n  " + id + ": " + title;
    throw std::runtime_error("unknown framework \"" + opts.framework + "\"; available:" + ids);
  }
  bool fresh = opts.fresh || !opts.framework.empty();
  turn t = fresh ? a->service->start(key, {}, true, opts.framework) : a->service->start(key);
  if (t.resumed) out << "(Resuming your conversation; say `restart` to begin again.)\n";
  print_turn(t, out, color);
  // Options are numbered on the terminal; a bare number picks the option with that number.
  std::string line;
  while (true) {
    out << "\n> " << std::flush;
    if (!std::getline(in, line)) break;
    std::string norm = dialogue::normalize(line);
    if (norm == "quit" || norm == "exit" || norm == "bye") break;
    if (norm.empty()) continue;
    bool is_number =
        !norm.empty() && norm.size() < 3 && std::all_of(norm.begin(), norm.end(), ::isdigit);
    if (is_number) {
      std::size_t n = std::stoul(norm);
      if (n >= 1 && n <= t.out.options.size()) {
        t = a->service->choose(key, t.out.options[n - 1].id);
        print_turn(t, out, color);
        continue;
      }
    }
    t = a->service->message(key, line);
    print_turn(t, out, color);
  }
  if (!opts.record_file.empty()) {
    auto record = a->service->decision_record(key);
    std::ofstream f(opts.record_file);
    if (!f || !(f << record.value_or(""))) {
      std::cerr << "advisor: " << opts.record_file << ": cannot write the decision record\n";
      return 1;
    }
    out << "\nDecision record written to " << opts.record_file << "\n";
  }
  out << "\nBye! Your answers are saved; run `advisor chat` again to pick up where you left off.\n";
  return 0;
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
