#include "knowledge/sqlite/knowledge_store.hpp"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>

#include "bot/infra/utc.hpp"

namespace advisor::storage {

using nlohmann::json;

namespace {

std::string now_iso() { return utc_now(false); }

std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

}  // namespace

std::string fts_query(std::string_view text) { return match_expression(search_words(text)); }

knowledge_store::knowledge_store(const std::string& db_path)
    : db_(db_path), search_([this]() -> statement {
        migrate(db_);
        return db_.prepare(
            "SELECT f.id, bm25(facts_fts, 4.0, 6.0, 2.0, 1.0) AS rank FROM facts_fts "
            "JOIN facts f ON f.rowid = facts_fts.rowid WHERE facts_fts MATCH ? ORDER BY rank LIMIT "
            "?");
      }()) {
  load_cache();
}

void knowledge_store::load_cache() {
  knowledge::knowledge_doc doc;
  auto s = db_.prepare(
      "SELECT id, title, publisher, author, file, summary, url FROM sources ORDER BY rowid");
  while (s.step())
    doc.sources.push_back(
        {s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6)});
  auto f = db_.prepare(
      "SELECT id, tech, topic, claim, figure, source_id, keywords, contested_id FROM facts ORDER "
      "BY rowid");
  while (f.step()) {
    knowledge::fact fact{f.text(0), f.text(1), f.text(2), f.text(3),
                         f.text(4), f.text(5), {},        f.text(7)};
    for (const auto& k : json::parse(f.text(6).empty() ? "[]" : f.text(6)))
      fact.keywords.push_back(k.get<std::string>());
    doc.facts.push_back(std::move(fact));
  }
  auto c = db_.prepare("SELECT id, topic, summary, bears_on FROM contested ORDER BY rowid");
  auto sides = db_.prepare(
      "SELECT position, claim, facts FROM contested_sides WHERE contested_id = ? ORDER BY ord");
  while (c.step()) {
    knowledge::contested_point cp{c.text(0), c.text(1), c.text(2), {}, {}};
    const json bears_on = json::parse(c.text(3));
    for (const auto& [q, opts] : bears_on.items())
      for (const auto& o : opts) cp.bears_on[q].push_back(o.get<std::string>());
    sides.bind(1, cp.id);
    while (sides.step())
      cp.sides.push_back({sides.text(0), sides.text(1),
                          json::parse(sides.text(2)).get<std::vector<std::string>>()});
    sides.reset();
    doc.contested.push_back(std::move(cp));
  }
  doc_ = std::move(doc);
  fact_index_.clear();
  source_index_.clear();
  for (std::size_t i = 0; i < doc_.facts.size(); ++i) fact_index_[doc_.facts[i].id] = i;
  for (std::size_t i = 0; i < doc_.sources.size(); ++i) source_index_[doc_.sources[i].id] = i;
  vocab_ = {};
  topics_ = {};
  for (const auto& fact : doc_.facts) {
    vocab_.add_text(fact.claim);
    vocab_.add_text(fact.topic);
    for (const auto& k : fact.keywords) vocab_.add_text(k);
    topics_.add(fact.topic, join_words(fact.keywords));
  }
  // A keyword that two facts or more use, all on one stack, leans a question to that stack.
  lean_.clear();
  std::map<std::string, std::set<std::string>> techs;
  std::map<std::string, int> uses;
  for (const auto& fact : doc_.facts)
    for (const auto& k : fact.keywords) {
      ++uses[k];
      techs[k].insert(fact.tech);
    }
  for (const auto& [k, t] : techs)
    if (uses[k] >= 2 && t.size() == 1 && *t.begin() != "both") lean_[k] = *t.begin();
  // The stacks' names come from the frameworks stored with the knowledge, not from a list here.
  stack_names_.clear();
  auto fw = db_.prepare("SELECT document FROM frameworks ORDER BY id");
  while (fw.step()) {
    const json fw_doc = json::parse(fw.text(0), nullptr, false);
    if (!fw_doc.is_object() || !fw_doc.contains("stacks")) continue;
    for (const auto& st : fw_doc["stacks"]) {
      auto& names = stack_names_[st.value("id", "")];
      for (const auto& n : st.value("names", json::array()))
        for (auto& w : search_words(n.get<std::string>())) names.push_back(std::move(w));
    }
  }
}

void knowledge_store::import(const knowledge::knowledge_doc& doc) {
  std::lock_guard lock(mutex_);
  transaction t(db_);
  write_knowledge(doc);
  t.commit();
  load_cache();
}

void knowledge_store::import_all(
    const knowledge::knowledge_doc& doc,
    const std::vector<std::pair<dialogue::framework, std::string>>& frameworks) {
  std::lock_guard lock(mutex_);
  transaction t(db_);
  write_knowledge(doc);
  for (const auto& [fw, document] : frameworks) write_framework(fw, document);
  t.commit();
  load_cache();
}

void knowledge_store::write_knowledge(const knowledge::knowledge_doc& doc) {
  db_.exec(
      "DELETE FROM contested_sides; DELETE FROM contested; DELETE FROM facts; DELETE FROM "
      "sources;");
  auto src = db_.prepare(
      "INSERT INTO sources (id, title, publisher, author, file, summary, url) VALUES "
      "(?,?,?,?,?,?,?)");
  for (const auto& s : doc.sources)
    src.bind(1, s.id)
        .bind(2, s.title)
        .bind(3, s.publisher)
        .bind(4, s.author)
        .bind(5, s.file)
        .bind(6, s.summary)
        .bind(7, s.url)
        .run();
  auto fact = db_.prepare(
      "INSERT INTO facts (id, tech, topic, claim, figure, source_id, keywords, contested_id) "
      "VALUES (?,?,?,?,?,?,?,?)");
  for (const auto& f : doc.facts)
    fact.bind(1, f.id)
        .bind(2, f.tech)
        .bind(3, f.topic)
        .bind(4, f.claim)
        .bind(5, f.figure)
        .bind(6, f.source)
        .bind(7, json(f.keywords).dump())
        .bind(8, f.contested)
        .run();
  auto cp = db_.prepare("INSERT INTO contested (id, topic, summary, bears_on) VALUES (?,?,?,?)");
  auto side = db_.prepare(
      "INSERT INTO contested_sides (contested_id, ord, position, claim, facts) VALUES (?,?,?,?,?)");
  for (const auto& c : doc.contested) {
    json bears = json::object();
    for (const auto& [q, opts] : c.bears_on) bears[q] = opts;
    cp.bind(1, c.id).bind(2, c.topic).bind(3, c.summary).bind(4, bears.dump()).run();
    int ord = 0;
    for (const auto& s : c.sides)
      side.bind(1, c.id)
          .bind(2, ord++)
          .bind(3, s.position)
          .bind(4, s.claim)
          .bind(5, json(s.facts).dump())
          .run();
  }
  // The index reads keywords as words, not as a JSON list.
  db_.exec("INSERT INTO facts_fts(facts_fts) VALUES ('delete-all')");
  auto fts = db_.prepare(
      "INSERT INTO facts_fts (rowid, claim, keywords, topic, figure) "
      "SELECT rowid, claim, ?, topic, figure FROM facts WHERE id = ?");
  for (const auto& f : doc.facts) fts.bind(1, join_words(f.keywords)).bind(2, f.id).run();
}

knowledge::knowledge_doc knowledge_store::export_doc() const {
  std::lock_guard lock(mutex_);
  return doc_;
}

void knowledge_store::store_framework(const dialogue::framework& fw, const std::string& document) {
  std::lock_guard lock(mutex_);
  transaction t(db_);
  write_framework(fw, document);
  t.commit();
  load_cache();
}

void knowledge_store::write_framework(const dialogue::framework& fw, const std::string& document) {
  auto del = db_.prepare("DELETE FROM frameworks WHERE id = ?");
  del.bind(1, fw.id).run();
  auto ins = db_.prepare(
      "INSERT INTO frameworks (id, version, title, document, loaded_at) VALUES (?,?,?,?,?)");
  ins.bind(1, fw.id)
      .bind(2, fw.version)
      .bind(3, fw.title)
      .bind(4, document)
      .bind(5, now_iso())
      .run();
  auto q = db_.prepare(
      "INSERT INTO questions (framework_id, id, ord, text, why, ask_if) VALUES (?,?,?,?,?,?)");
  auto o = db_.prepare(
      "INSERT INTO options (framework_id, question_id, id, ord, label, synonyms) VALUES "
      "(?,?,?,?,?,?)");
  auto r = db_.prepare(
      "INSERT INTO scoring_rules (framework_id, question_id, option_id, stack, points) VALUES "
      "(?,?,?,?,?)");
  int qord = 0;
  for (const auto& qu : fw.questions) {
    json ask_if = json::object();
    for (const auto& [dep, opts] : qu.ask_if.any_of) ask_if[dep] = opts;
    q.bind(1, fw.id)
        .bind(2, qu.id)
        .bind(3, qord++)
        .bind(4, qu.text)
        .bind(5, qu.why)
        .bind(6, ask_if.dump())
        .run();
    int oord = 0;
    for (const auto& op : qu.options) {
      o.bind(1, fw.id)
          .bind(2, qu.id)
          .bind(3, op.id)
          .bind(4, oord++)
          .bind(5, op.label)
          .bind(6, json(op.synonyms).dump())
          .run();
      for (const auto& [stack, pts] : op.scores)
        r.bind(1, fw.id).bind(2, qu.id).bind(3, op.id).bind(4, stack).bind(5, pts).run();
    }
  }
}

std::optional<std::string> knowledge_store::framework_document(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto s = db_.prepare("SELECT document FROM frameworks WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

std::vector<std::string> knowledge_store::framework_ids() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> ids;
  auto s = db_.prepare("SELECT id FROM frameworks ORDER BY id");
  while (s.step()) ids.push_back(s.text(0));
  return ids;
}

std::optional<std::string> knowledge_store::meta(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto s = db_.prepare("SELECT value FROM meta WHERE key = ?");
  s.bind(1, key);
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

void knowledge_store::set_meta(const std::string& key, const std::string& value) {
  std::lock_guard lock(mutex_);
  auto s = db_.prepare(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
      "excluded.value");
  s.bind(1, key).bind(2, value).run();
}

std::optional<knowledge::fact> knowledge_store::find_fact(std::string_view id) const {
  auto it = fact_index_.find(id);
  if (it == fact_index_.end()) return std::nullopt;
  return doc_.facts[it->second];
}

std::optional<knowledge::source> knowledge_store::find_source(std::string_view id) const {
  auto it = source_index_.find(id);
  if (it == source_index_.end()) return std::nullopt;
  return doc_.sources[it->second];
}

std::vector<knowledge::search_hit> knowledge_store::search(std::string_view text,
                                                           std::size_t limit) const {
  if (limit == 0) return {};
  // Relevance: a question must name something the facts talk about. Words that only name a
  // stack or judge ("is Python better?") count when nothing else is in the question; a word no
  // fact uses ("Go", "Rust", "weather") then means the sources do not cover it.
  // And a question mostly about other things ("who won the game last night": only "game" is a
  // word of the facts) is not one the sources cover either.
  auto words = search_words(text);
  std::vector<std::string> subject;
  bool stack = false;
  std::size_t unknown = 0;
  for (const auto& w : words) {
    if (!stack_of(w).empty()) stack = true;
    if (is_generic_word(w)) continue;
    if (vocab_.is_known(w))
      subject.push_back(w);
    else
      ++unknown;
  }
  if (subject.empty() && (!stack || unknown)) return {};
  if (unknown > subject.size()) return {};
  return ranked(text, words, subject.empty() ? words : subject, limit, topics_.topic_of(subject));
}

std::vector<knowledge::search_hit> knowledge_store::search_on(std::string_view topic,
                                                              std::string_view text,
                                                              std::size_t limit) const {
  if (limit == 0 || std::none_of(doc_.facts.begin(), doc_.facts.end(),
                                 [&](const knowledge::fact& f) { return f.topic == topic; }))
    return {};
  // The topic is known already (the caller's classifier is sure of it), so words the facts do
  // not use only leave the ranking to the ones they do; the topic's own facts come first, in
  // the order of the document (its first fact states the topic) when no word of the question
  // picks one.
  auto words = search_words(text);
  std::vector<std::string> subject;
  for (const auto& w : words)
    if (!is_generic_word(w) && vocab_.is_known(w)) subject.push_back(w);
  auto hits = subject.empty() ? std::vector<knowledge::search_hit>{}
                              : ranked(text, words, subject, limit * 3, std::string(topic));
  std::stable_partition(hits.begin(), hits.end(),
                        [&](const knowledge::search_hit& h) { return h.fact.topic == topic; });
  if (hits.empty() || hits.front().fact.topic != topic)
    for (const auto& f : doc_.facts)
      if (f.topic == topic &&
          std::none_of(hits.begin(), hits.end(),
                       [&](const knowledge::search_hit& h) { return h.fact.id == f.id; })) {
        hits.insert(hits.begin(), {f, 0.0});
        break;
      }
  if (hits.size() > limit) hits.resize(limit);
  return hits;
}

std::string knowledge_store::stack_of(std::string_view word) const {
  for (const auto& [id, names] : stack_names_)
    if (std::find(names.begin(), names.end(), word) != names.end()) return id;
  return {};
}

std::vector<knowledge::search_hit> knowledge_store::ranked(std::string_view text,
                                                           const std::vector<std::string>& words,
                                                           const std::vector<std::string>& terms,
                                                           std::size_t limit,
                                                           const std::string& topic) const {
  std::vector<knowledge::search_hit> hits;
  std::string query = match_expression(terms);
  std::vector<std::pair<std::string, double>> rows;
  {
    std::lock_guard lock(mutex_);
    search_.bind(1, query).bind(2, static_cast<std::int64_t>(limit * 3));
    while (search_.step()) rows.emplace_back(search_.text(0), search_.real(1));
    search_.reset();
  }
  for (const auto& [id, rank] : rows)
    if (auto f = find_fact(id)) hits.push_back({*f, rank});

  // The first fact answers what the question is about: the best one on its topic ("is node
  // fast?" is about performance, not every fact that says "node"). The order otherwise: when
  // the question asks for a number, facts with a figure; then facts on the stack it names (the
  // first one named when it names both: "how fast is Node.js compared to Python?" is about
  // Node.js) or on both; then the full-text rank. None of this reaches past the best few by
  // the full-text rank: a fact that shares little with the question does not come first.
  std::string wanted;
  for (const auto& w : words)
    if (wanted.empty()) wanted = stack_of(w);
  // No stack named: a word only one stack's facts use as a keyword ("npm", "pypi") leans the
  // question to that stack.
  for (const auto& w : words)
    if (wanted.empty())
      if (auto it = lean_.find(w); it != lean_.end()) wanted = it->second;
  bool figure = asks_for_figure(text);
  auto order = [&](const knowledge::search_hit& h) {
    return std::pair{figure && h.fact.figure.empty(),
                     !wanted.empty() && h.fact.tech != wanted && h.fact.tech != "both"};
  };
  std::stable_sort(hits.begin(), hits.end(),
                   [&](const knowledge::search_hit& x, const knowledge::search_hit& y) {
                     return order(x) < order(y);
                   });
  // The topic picks among the facts the order above puts first: "how big is pypi" asks for a
  // figure, so a figureless fact on size ("big") does not lead.
  auto on_topic = std::find_if(hits.begin(), hits.end(), [&](const knowledge::search_hit& h) {
    return !topic.empty() && h.fact.topic == topic && order(h) == order(hits.front());
  });
  if (on_topic != hits.end()) std::rotate(hits.begin(), on_topic, on_topic + 1);
  if (hits.size() > limit) hits.resize(limit);
  return hits;
}

std::vector<knowledge::fact> knowledge_store::facts_on(std::string_view topic) const {
  std::vector<knowledge::fact> out;
  for (const auto& f : doc_.facts)
    if (f.topic == topic) out.push_back(f);
  return out;
}

std::vector<knowledge::contested_point> knowledge_store::contested() const {
  return doc_.contested;
}

std::vector<std::string> knowledge_store::topics() const {
  std::vector<std::string> out;
  for (const auto& f : doc_.facts)
    if (std::find(out.begin(), out.end(), f.topic) == out.end()) out.push_back(f.topic);
  return out;
}

}  // namespace advisor::storage
