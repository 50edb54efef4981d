// How the knowledge search reads a question: its words, which of them carry a subject the
// sources cover, and the FTS5 expression built from them. Pure functions, no SQLite.
#pragma once

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

// Words as an FTS5 query: each a quoted term (a prefix term from three letters), joined with OR.
std::string match_expression(const std::vector<std::string>& words);

}  // namespace advisor::storage
