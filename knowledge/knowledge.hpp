// What the advisor knows: sources, sourced facts and contested points, and the interface the
// dialogue core reads them through. Implementations (SQLite) live in knowledge/sqlite_*.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace advisor::knowledge {

struct source {
  std::string id;
  std::string title;
  std::string publisher;  // may be empty when the article names none
  std::string author;     // may be empty when the article names none
  std::string file;       // the seed file it was read from
  std::string summary;    // what kind of article it is, in our words
  std::string url;        // the article's absolute http(s) address, or empty when none is known
};

// Whether `url` may be a source's address: absolute http:// or https:// with a host, and none
// of the characters a chat channel's link markup would read (spaces, quotes, brackets, parentheses,
// angle brackets, backslash, |): those must be percent-encoded.
bool valid_source_url(std::string_view url);

struct fact {
  std::string id;
  std::string tech;    // "python", "nodejs" or "both"
  std::string topic;   // e.g. "performance", "frameworks", "adopters"
  std::string claim;   // in our own words
  std::string figure;  // the number the source gives, when there is one
  std::string source;  // source id
  std::vector<std::string> keywords;
  std::string contested;  // id of the contested point this fact is one side of, or empty
};

// A point where the articles disagree; each side is a set of facts with their sources.
struct contested_point {
  std::string id;
  std::string topic;
  std::string summary;  // what the disagreement is about, in our words
  struct side {
    std::string position;  // "python", "nodejs", or a short phrase
    std::string claim;
    std::vector<std::string> facts;
  };
  std::vector<side> sides;
  // The answers that make this point matter to a user: question id -> option ids.
  std::map<std::string, std::vector<std::string>> bears_on;
};

struct search_hit {
  knowledge::fact fact;
  double rank = 0;  // lower is better (FTS5 bm25)
};

// The whole knowledge document as loaded from config/knowledge.json or an export.
struct knowledge_doc {
  std::vector<source> sources;
  std::vector<fact> facts;
  std::vector<contested_point> contested;
};

// Parses a knowledge document (config/knowledge.json, or the "knowledge" part of an export).
// Checks that every fact names a known source, every contested side known facts and every
// source's "url" (optional) is a valid_source_url; throws
// load_error (knowledge/load_error.hpp) naming the file, the line and the problem.
knowledge_doc parse_knowledge(std::string_view text, const std::string& file_name);

// The document as JSON text, in the same format parse_knowledge reads.
std::string knowledge_to_json(const knowledge_doc& doc);

// Read access to the knowledge the dialogue needs. Implementations must be safe to call
// from several threads at once.
class knowledge_source {
 public:
  virtual ~knowledge_source() = default;
  virtual std::optional<fact> find_fact(std::string_view id) const = 0;
  virtual std::optional<source> find_source(std::string_view id) const = 0;
  virtual std::vector<search_hit> search(std::string_view text, std::size_t limit) const = 0;
  // The facts on a topic the caller already knows the question is about, best first for the
  // text's words; never empty for a topic that has facts, whatever other words the text holds.
  virtual std::vector<search_hit> search_on(std::string_view topic, std::string_view text,
                                            std::size_t limit) const = 0;
  virtual std::vector<fact> facts_on(std::string_view topic) const = 0;
  virtual std::vector<contested_point> contested() const = 0;
  virtual std::vector<std::string> topics() const = 0;
};

}  // namespace advisor::knowledge
