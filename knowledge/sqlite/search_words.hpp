// How the knowledge search reads a question: its words, which of them carry a subject the
// sources cover, and the FTS5 expression built from them. Pure functions, no SQLite.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace advisor::storage {

// The words of a text, lower case, letters and digits only, in order, each once. A compound
// ("CPU-heavy", "e-commerce", "socket.io") gives its parts of two letters or more and then the
// joined form ("cpu", "heavy", "cpuheavy"); "node.js" and "nodejs" are "node"; "node's" is
// "node". Common words ("the", "how", "about") are left out.
std::vector<std::string> search_words(std::string_view text);

// True for words that do not make a question one the sources cover on their own: the stack
// names ("python", "node") and words that only judge or compare ("better", "language").
bool is_generic_word(std::string_view word);

// True for "how fast", "how many", "figures", ...: the question asks for a number.
bool asks_for_figure(std::string_view text);

// The words every fact uses (claims, keywords, topics), for is_known().
class vocabulary {
 public:
  void add_text(std::string_view text);
  // True when a fact uses the word, its singular or plural, or (four letters or more) a longer
  // word it begins, as the search's prefix terms would.
  bool is_known(std::string_view word) const;

 private:
  std::set<std::string, std::less<>> words_;
};

// Which topics each word speaks of (the facts' topics and keywords), to tell what a question is
// about: "is node fast" asks about performance, whatever other facts happen to say "node".
class topic_index {
 public:
  // Adds one fact of `topic`, with its keywords (and the topic's own name) as text.
  void add(const std::string& topic, std::string_view keywords);
  // The topic the words speak of clearly: each word counts for a topic by the share of the
  // topic's facts that use it, a word of few topics more than a word of many (inverse document
  // frequency); a word of four letters or more also stands for the longer words it begins
  // ("maintain", "maintainability"). Empty when no topic scores at least three times the next one,
  // or the best scores too little (one word that few facts of a broad topic use).
  std::string topic_of(const std::vector<std::string>& words) const;

 private:
  // word -> topic -> how many of the topic's facts use it
  std::map<std::string, std::map<std::string, int>, std::less<>> uses_;
  std::map<std::string, int> facts_;  // topic -> facts
};

// Words as an FTS5 query: each a quoted term (a prefix term from three letters), joined with OR.
std::string match_expression(const std::vector<std::string>& words);

}  // namespace advisor::storage
