#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "knowledge/knowledge.hpp"
#include "knowledge/load_error.hpp"

namespace advisor::knowledge {

using nlohmann::json;

namespace {

int line_of(std::string_view text, std::string_view needle) {
  auto pos = text.find(needle);
  if (pos == std::string_view::npos) return 0;
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
}

std::string get_string(const json& j, const char* key, bool required, std::string_view text,
                       const std::string& file, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) throw load_error(file, line_of(text, where), where + " has no \"" + key + "\"");
    return {};
  }
  if (!it->is_string())
    throw load_error(file, line_of(text, where), where + ": \"" + key + "\" must be a string");
  return it->get<std::string>();
}

std::vector<std::string> get_strings(const json& j, const char* key, std::string_view text,
                                     const std::string& file, const std::string& where) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end()) return out;
  if (!it->is_array())
    throw load_error(file, line_of(text, where), where + ": \"" + key + "\" must be a list");
  for (const auto& v : *it) {
    if (!v.is_string())
      throw load_error(file, line_of(text, where), where + ": \"" + key + "\" must hold strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

bool valid_source_url(std::string_view url) {
  std::string_view rest;
  if (url.substr(0, 7) == "http://")
    rest = url.substr(7);
  else if (url.substr(0, 8) == "https://")
    rest = url.substr(8);
  else
    return false;
  // A host comes first: "https://" alone, or "https:///path", is no address.
  if (rest.empty() || rest.front() == '/' || rest.front() == '?' || rest.front() == '#')
    return false;
  constexpr std::string_view markup = "\"'<>()[]{}|\\^`";
  for (char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f ||
        markup.find(c) != std::string_view::npos)
      return false;
  return true;
}

knowledge_doc parse_knowledge(std::string_view text, const std::string& file) {
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    std::size_t pos = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
    int line =
        1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
    std::string what = e.what();
    auto cut = what.find("syntax error");
    throw load_error(file, line,
                     "not valid JSON: " + (cut == std::string::npos ? what : what.substr(cut)));
  } catch (const json::exception& e) {
    // A number too large for a double ("1e400") is out_of_range, not a parse_error, and has no
    // position (found by fuzz_loader: it escaped the loader).
    std::string what = e.what();
    auto cut = what.find("] ");
    throw load_error(file, 0,
                     "not valid JSON: " + (cut == std::string::npos ? what : what.substr(cut + 2)));
  }
  if (!doc.is_object()) throw load_error(file, 1, "a knowledge file must hold one JSON object");
  knowledge_doc out;
  std::set<std::string> source_ids, fact_ids, contested_ids;
  for (const auto& js : doc.value("sources", json::array())) {
    std::string id = js.is_object() && js.contains("id") && js["id"].is_string()
                         ? js["id"].get<std::string>()
                         : "";
    std::string where = "source \"" + id + "\"";
    if (!js.is_object()) throw load_error(file, 0, "each source must be an object");
    source s{get_string(js, "id", true, text, file, where),
             get_string(js, "title", true, text, file, where),
             get_string(js, "publisher", false, text, file, where),
             get_string(js, "author", false, text, file, where),
             get_string(js, "file", false, text, file, where),
             get_string(js, "summary", false, text, file, where),
             get_string(js, "url", false, text, file, where)};
    if (!s.url.empty() && !valid_source_url(s.url))
      throw load_error(file, line_of(text, s.url),
                       where +
                           ": \"url\" must be an absolute http:// or https:// address with "
                           "spaces, quotes, brackets, parentheses, <, >, | and \\ "
                           "percent-encoded, not \"" +
                           s.url + "\"");
    if (!source_ids.insert(s.id).second)
      throw load_error(file, line_of(text, "\"" + s.id + "\""),
                       "duplicate source id \"" + s.id + "\"");
    out.sources.push_back(std::move(s));
  }
  for (const auto& jf : doc.value("facts", json::array())) {
    if (!jf.is_object()) throw load_error(file, 0, "each fact must be an object");
    std::string id = jf.contains("id") && jf["id"].is_string() ? jf["id"].get<std::string>() : "";
    std::string where = "fact \"" + id + "\"";
    fact f;
    f.id = get_string(jf, "id", true, text, file, "a fact");
    f.tech = get_string(jf, "tech", true, text, file, where);
    f.topic = get_string(jf, "topic", true, text, file, where);
    f.claim = get_string(jf, "claim", true, text, file, where);
    f.figure = get_string(jf, "figure", false, text, file, where);
    f.source = get_string(jf, "source", true, text, file, where);
    f.keywords = get_strings(jf, "keywords", text, file, where);
    f.contested = get_string(jf, "contested", false, text, file, where);
    int line = line_of(text, "\"" + f.id + "\"");
    if (!fact_ids.insert(f.id).second)
      throw load_error(file, line, "duplicate fact id \"" + f.id + "\"");
    if (!source_ids.count(f.source))
      throw load_error(file, line, where + " names unknown source \"" + f.source + "\"");
    if (f.tech != "python" && f.tech != "nodejs" && f.tech != "both")
      throw load_error(file, line, where + ": \"tech\" must be python, nodejs or both");
    out.facts.push_back(std::move(f));
  }
  for (const auto& jc : doc.value("contested", json::array())) {
    if (!jc.is_object()) throw load_error(file, 0, "each contested point must be an object");
    std::string id = jc.contains("id") && jc["id"].is_string() ? jc["id"].get<std::string>() : "";
    std::string where = "contested point \"" + id + "\"";
    contested_point c;
    c.id = get_string(jc, "id", true, text, file, "a contested point");
    c.topic = get_string(jc, "topic", false, text, file, where);
    c.summary = get_string(jc, "summary", true, text, file, where);
    int line = line_of(text, "\"" + c.id + "\"");
    for (const auto& js : jc.value("sides", json::array())) {
      contested_point::side side{get_string(js, "position", true, text, file, where),
                                 get_string(js, "claim", true, text, file, where),
                                 get_strings(js, "facts", text, file, where)};
      for (const auto& fid : side.facts)
        if (!fact_ids.count(fid))
          throw load_error(file, line, where + " names unknown fact \"" + fid + "\"");
      c.sides.push_back(std::move(side));
    }
    if (c.sides.size() < 2) throw load_error(file, line, where + " needs at least two sides");
    if (auto b = jc.find("bears_on"); b != jc.end() && b->is_object())
      for (const auto& [q, opts] : b->items())
        for (const auto& o : opts)
          if (o.is_string()) c.bears_on[q].push_back(o.get<std::string>());
    if (!contested_ids.insert(c.id).second)
      throw load_error(file, line, "duplicate contested point \"" + c.id + "\"");
    out.contested.push_back(std::move(c));
  }
  for (const auto& f : out.facts)
    if (!f.contested.empty() && !contested_ids.count(f.contested))
      throw load_error(
          file, line_of(text, "\"" + f.id + "\""),
          "fact \"" + f.id + "\" names unknown contested point \"" + f.contested + "\"");
  return out;
}

std::string knowledge_to_json(const knowledge_doc& doc) {
  json j;
  j["version"] = "1";
  j["sources"] = json::array();
  for (const auto& s : doc.sources) {
    json js = {{"id", s.id},         {"title", s.title}, {"publisher", s.publisher},
               {"author", s.author}, {"file", s.file},   {"summary", s.summary}};
    if (!s.url.empty()) js["url"] = s.url;  // none known: no key, as the seed file has it
    j["sources"].push_back(std::move(js));
  }
  j["facts"] = json::array();
  for (const auto& f : doc.facts)
    j["facts"].push_back({{"id", f.id},
                          {"tech", f.tech},
                          {"topic", f.topic},
                          {"claim", f.claim},
                          {"figure", f.figure},
                          {"source", f.source},
                          {"keywords", f.keywords},
                          {"contested", f.contested}});
  j["contested"] = json::array();
  for (const auto& c : doc.contested) {
    json sides = json::array();
    for (const auto& s : c.sides)
      sides.push_back({{"position", s.position}, {"claim", s.claim}, {"facts", s.facts}});
    json bears = json::object();
    for (const auto& [q, opts] : c.bears_on) bears[q] = opts;
    j["contested"].push_back({{"id", c.id},
                              {"topic", c.topic},
                              {"summary", c.summary},
                              {"sides", sides},
                              {"bears_on", bears}});
  }
  return j.dump(2);
}

}  // namespace advisor::knowledge
