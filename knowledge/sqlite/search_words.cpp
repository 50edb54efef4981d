#include "knowledge/sqlite/search_words.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

namespace advisor::storage {

namespace {

const std::set<std::string, std::less<>> stop_words{
    "a",         "an",      "the",      "is",        "are",    "was",      "were",    "be",
    "been",      "am",      "do",       "does",      "did",    "dont",     "what",    "whats",
    "how",       "who",     "which",    "why",       "when",   "where",    "of",      "for",
    "to",        "in",      "on",       "and",       "or",     "with",     "me",      "tell",
    "about",     "really",  "has",      "have",      "i",      "im",       "ive",     "we",
    "you",       "our",     "us",       "it",        "its",    "vs",       "versus",  "than",
    "can",       "could",   "should",   "would",     "will",   "shall",    "may",     "might",
    "must",      "there",   "their",    "they",      "them",   "this",     "that",    "these",
    "those",     "any",     "some",     "much",      "many",   "more",     "most",    "please",
    "show",      "give",    "list",     "my",        "your",   "know",     "use",     "get",
    "at",        "by",      "from",     "as",        "if",     "so",       "very",    "just",
    "also",      "still",   "even",     "too",       "now",    "then",     "here",    "hi",
    "hello",     "hey",     "thanks",   "thank",     "ok",     "okay",     "yes",     "no",
    "not",       "want",    "need",     "say",       "think",  "into",     "out",     "up",
    "like",      "one",     "thing",    "things",    "stuff",  "lot",      "lots",    "kind",
    "sort",      "else",    "other",    "again",     "only",   "own",      "same",    "such",
    "well",      "way",     "let",      "see",       "people", "folks",    "guys",    "anyone",
    "someone",   "even",    "actually", "honestly",  "tbh",    "lol",      "pls",     "yeah",
    "gonna",     "wanna",   "smth",     "something", "all",    "gets",     "got",     "getting",
    "but",       "because", "cause",    "cuz",       "though", "although", "while",   "whereas",
    "yet",       "either",  "nor",      "whether",   "since",  "until",    "exactly", "wait",
    "basically", "between", "among",    "across",    "per",    "via"};

const std::set<std::string, std::less<>> generic_words{
    "python",     "node",       "better",      "best",          "good",       "great",
    "bad",        "worse",      "worst",       "compare",       "compared",   "comparing",
    "comparison", "difference", "differences", "language",      "languages",  "backend",
    "backends",   "stack",      "stacks",      "tech",          "technology", "technologies",
    "app",        "apps",       "application", "applications",  "choice",     "option",
    "options",    "pick",       "recommend",   "recommendation"};

bool word_char(unsigned char c) { return std::isalnum(c) || c >= 0x80; }

// "companies" and "company", "frameworks" and "framework" are one word to the vocabulary.
std::string singular(std::string w) {
  if (w.size() > 4 && w.ends_with("ies")) return w.substr(0, w.size() - 3) + "y";
  if (w.size() > 3 && w.ends_with('s') && !w.ends_with("ss")) w.pop_back();
  return w;
}

// Splits a text into raw words: letters, digits and the joiners - . / ' (U+2019 counts as ').
std::vector<std::string> raw_words(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        static_cast<unsigned char>(text[i + 2]) == 0x99) {
      cur += '\'';
      i += 2;
    } else if (word_char(c) || c == '-' || c == '.' || c == '/' || c == '\'') {
      cur += static_cast<char>(std::tolower(c));
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

// The parts and joined form of one raw word, as search_words describes.
void add_word(std::string raw, std::vector<std::string>& out) {
  if (raw.ends_with("'s")) raw.resize(raw.size() - 2);
  std::erase(raw, '\'');
  std::vector<std::string> parts;
  std::string part, joined;
  for (char ch : raw) {
    if (word_char(static_cast<unsigned char>(ch))) {
      part += ch;
      joined += ch;
    } else if (!part.empty()) {
      parts.push_back(std::move(part));
      part.clear();
    }
  }
  if (!part.empty()) parts.push_back(std::move(part));
  if (joined == "nodejs") {
    out.emplace_back("node");
    return;
  }
  if (parts.size() > 1)
    for (auto& p : parts)
      if (p.size() >= 2) out.push_back(std::move(p));
  if (!joined.empty()) out.push_back(std::move(joined));
}

}  // namespace

std::vector<std::string> search_words(std::string_view text) {
  std::vector<std::string> words;
  for (auto& raw : raw_words(text)) add_word(std::move(raw), words);
  std::vector<std::string> out;
  for (auto& w : words)
    if (!stop_words.count(w) && std::find(out.begin(), out.end(), w) == out.end())
      out.push_back(std::move(w));
  return out;
}

bool is_generic_word(std::string_view word) { return generic_words.count(word) > 0; }

bool asks_for_figure(std::string_view text) {
  static const std::array<std::string_view, 11> after_how{"fast",    "quick", "quickly", "slow",
                                                          "many",    "much",  "big",     "large",
                                                          "popular", "often", "old"};
  static const std::array<std::string_view, 9> figure_words{"figure",    "figures",    "number",
                                                            "numbers",   "stats",      "statistics",
                                                            "benchmark", "benchmarks", "percent"};
  auto words = raw_words(text);
  for (std::size_t i = 0; i < words.size(); ++i) {
    // "number crunching" is work, not a request for numbers.
    const bool work = i + 1 < words.size() && words[i + 1].starts_with("crunch");
    if (std::find(figure_words.begin(), figure_words.end(), words[i]) != figure_words.end() &&
        !work)
      return true;
    if (words[i] == "how" && i + 1 < words.size() &&
        std::find(after_how.begin(), after_how.end(), words[i + 1]) != after_how.end())
      return true;
  }
  return false;
}

void vocabulary::add_text(std::string_view text) {
  std::vector<std::string> words;
  for (auto& raw : raw_words(text)) add_word(std::move(raw), words);
  for (auto& w : words) words_.insert(singular(std::move(w)));
}

bool vocabulary::is_known(std::string_view word) const {
  std::string w = singular(std::string(word));
  if (words_.count(w)) return true;
  if (w.size() < 4) return false;
  auto it = words_.lower_bound(w);
  return it != words_.end() && it->starts_with(w);
}

void topic_index::add(const std::string& topic, std::string_view keywords) {
  ++facts_[topic];
  std::vector<std::string> words;
  for (auto& raw : raw_words(topic)) add_word(std::move(raw), words);
  for (auto& raw : raw_words(keywords)) add_word(std::move(raw), words);
  std::set<std::string> once;
  for (auto& w : words) once.insert(singular(std::move(w)));
  for (const auto& w : once) ++uses_[w][topic];
}

std::string topic_index::topic_of(const std::vector<std::string>& words) const {
  std::map<std::string, double> score;
  const double topics = static_cast<double>(facts_.size());
  for (const auto& word : words) {
    if (is_generic_word(word)) continue;
    const std::string w = singular(word);
    // The word's uses, and those of the longer words it begins, each topic counted once.
    std::map<std::string, int> uses;
    for (auto it = uses_.lower_bound(w);
         it != uses_.end() && (it->first == w || (w.size() >= 4 && it->first.starts_with(w))); ++it)
      for (const auto& [t, n] : it->second) uses[t] = std::max(uses[t], n);
    if (uses.empty()) continue;
    const double idf = std::log((topics + 1.0) / static_cast<double>(uses.size()));
    for (const auto& [t, n] : uses)
      score[t] += idf * static_cast<double>(n) / static_cast<double>(facts_.at(t));
  }
  std::string best;
  double top = 0, second = 0;
  for (const auto& [t, v] : score) {
    if (v > top) {
      second = top;
      top = v;
      best = t;
    } else if (v > second) {
      second = v;
    }
  }
  // One word that a few facts of a broad topic use is too little to say what a question is
  // about ("start" of "a gentle start" is one of the decision guide's many keywords).
  constexpr double enough = 0.5;
  return top >= enough && top >= 3 * second ? best : std::string{};
}

std::string match_expression(const std::vector<std::string>& words) {
  std::string query;
  for (const auto& w : words)
    // The word itself and, from three letters, the words it begins: a fact that has the word
    // as typed matches twice and ranks above one that only has a longer word ("cons", not
    // "consistency").
    query +=
        (query.empty() ? "\"" : " OR \"") + w + "\"" + (w.size() >= 3 ? " OR \"" + w + "\"*" : "");
  return query;
}

}  // namespace advisor::storage
