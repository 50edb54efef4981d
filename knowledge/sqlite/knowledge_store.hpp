// The knowledge store in SQLite: sources, facts (with an FTS5 index), contested points, and
// the frameworks (document plus questions, options and scoring rules as tables). Reads of
// facts come from a copy in memory taken at open and after each import; full-text search
// goes to SQLite. Safe to use from several threads.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "dialogue/framework.hpp"
#include "knowledge/knowledge.hpp"
#include "knowledge/sqlite/database.hpp"
#include "knowledge/sqlite/search_words.hpp"

namespace advisor::storage {

class knowledge_store final : public knowledge::knowledge_source {
 public:
  // Opens (and migrates) the database file.
  explicit knowledge_store(const std::string& db_path);

  // Replaces every source, fact and contested point with `doc`, in one transaction.
  void import(const knowledge::knowledge_doc& doc);
  knowledge::knowledge_doc export_doc() const;

  // Stores a framework (replacing one with the same id) with its document, in one transaction.
  void store_framework(const dialogue::framework& fw, const std::string& document);
  // Both at once, in one transaction: all of it lands or none.
  void import_all(const knowledge::knowledge_doc& doc,
                  const std::vector<std::pair<dialogue::framework, std::string>>& frameworks);
  std::optional<std::string> framework_document(const std::string& id) const;
  std::vector<std::string> framework_ids() const;

  std::optional<std::string> meta(const std::string& key) const;
  void set_meta(const std::string& key, const std::string& value);

  // knowledge_source
  std::optional<knowledge::fact> find_fact(std::string_view id) const override;
  std::optional<knowledge::source> find_source(std::string_view id) const override;
  std::vector<knowledge::search_hit> search(std::string_view text,
                                            std::size_t limit) const override;
  std::vector<knowledge::search_hit> search_on(std::string_view topic, std::string_view text,
                                               std::size_t limit) const override;
  std::vector<knowledge::fact> facts_on(std::string_view topic) const override;
  std::vector<knowledge::contested_point> contested() const override;
  std::vector<std::string> topics() const override;
  std::size_t fact_count() const { return doc_.facts.size(); }

 private:
  void load_cache();
  // The stack a word names ("node", "js": each stack's `names`), or "".
  std::string stack_of(std::string_view word) const;
  // The facts the FTS5 index finds for `terms`, in the order a reader wants them (see search).
  std::vector<knowledge::search_hit> ranked(std::string_view text,
                                            const std::vector<std::string>& words,
                                            const std::vector<std::string>& terms,
                                            std::size_t limit, const std::string& topic) const;
  void write_knowledge(const knowledge::knowledge_doc& doc);  // inside a transaction
  void write_framework(const dialogue::framework& fw, const std::string& document);  // likewise

  mutable std::mutex mutex_;  // guards db_ and search_
  connection db_;
  mutable statement search_;
  knowledge::knowledge_doc doc_;
  std::map<std::string, std::size_t, std::less<>> fact_index_;
  std::map<std::string, std::size_t, std::less<>> source_index_;
  vocabulary vocab_;    // every word the facts use, for the search's relevance rule
  topic_index topics_;  // which topic each keyword speaks of, for the search's ranking
  // Each stack's names (framework `stacks`, from every stored framework): stack id -> names.
  std::map<std::string, std::vector<std::string>> stack_names_;
  std::map<std::string, std::string, std::less<>> lean_;  // keyword -> the one stack using it
};

// The words of a user's question (search_words) as an FTS5 query: each a quoted term, a prefix
// term from three letters, joined with OR. Empty when nothing searchable is left.
std::string fts_query(std::string_view text);

}  // namespace advisor::storage
