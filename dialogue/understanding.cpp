#include "dialogue/understanding.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>

#include "dialogue/lexicon.hpp"

namespace advisor::dialogue {

namespace {

constexpr std::string_view clause_break = ",";

// Commands in the order that wins a tie between two phrases of the same length.
constexpr std::array<command, 11> command_order{command::restart, command::whatif, command::summary,
                                                command::status,  command::help,   command::why,
                                                command::compare, command::change, command::back,
                                                command::skip,    command::confirm};

// How sure the classifiers must be before their reading counts.
constexpr double answer_confidence = 0.7;
constexpr double unasked_confidence = 0.98;
constexpr double reread_confidence = 0.97;
constexpr double command_confidence = 0.85;
constexpr double topic_confidence = 0.7;
constexpr double described_confidence = 0.8;
// Words a message may have checked against the vocabulary for a typo.
constexpr std::size_t max_corrections = 12;
// The label of everything that does not answer a question: the other questions' examples,
// the commands and the questions for the sources.
constexpr std::string_view elsewhere = "~elsewhere";

// "node", "js", "python": the framework's stack a word names, if any.
const stack* names_stack(const framework& fw, std::string_view w) {
  for (const auto& st : fw.stacks)
    if (contains(st.names, w)) return &st;
  return nullptr;
}

std::size_t allowance_for(std::size_t length) {
  if (length >= 9) return 2;
  if (length >= 3) return 1;
  return 0;
}

std::string squash_join(const std::vector<std::string>& tokens) {
  std::string out;
  for (const auto& t : tokens)
    for (char c : t)
      if (c != '-' && c != ' ' && c != '.' && c != '_' && c != '/' && c != '\'') out += c;
  return out;
}

// Where a phrase stands in the tokens (exact words, or the same stems), not negated before it.
struct found_span {
  std::size_t begin = 0, end = 0;
};

// A phrase of the language file read into words, once per thread.
const words& phrase_words(std::string_view phrase) {
  thread_local std::unordered_map<std::string, words> cache;
  auto it = cache.find(std::string(phrase));
  if (it != cache.end()) return it->second;
  if (cache.size() > 20000) cache.clear();
  return cache.emplace(std::string(phrase), read_words(phrase)).first->second;
}

std::vector<found_span> spans_of(const words& w, std::string_view phrase) {
  std::vector<found_span> out;
  const words& p = phrase_words(phrase);
  const std::size_t n = p.tokens.size();
  if (n == 0 || n > w.tokens.size()) return out;
  for (std::size_t i = 0; i + n <= w.tokens.size(); ++i) {
    bool same = true;
    for (std::size_t k = 0; k < n && same; ++k)
      same = w.tokens[i + k] == p.tokens[k] ||
             (p.stems[k].size() >= 3 && w.stems[i + k] == p.stems[k]);
    if (same) out.push_back({i, i + n});
  }
  return out;
}

// The words of `w` from `from` to `to` that `marked` leaves out (indexed as `w`).
words unmarked(const words& w, std::size_t from, std::size_t to, const std::vector<bool>& marked) {
  words kept;
  for (std::size_t k = from; k < to; ++k)
    if (!marked[k]) {
      kept.tokens.push_back(w.tokens[k]);
      kept.stems.push_back(w.stems[k]);
    }
  return kept;
}

// Where `phrase` stands as typed, not by stem ("correct" is no "correction", "lived" no "live").
std::vector<found_span> typed_spans_of(const words& w, std::string_view phrase) {
  auto out = spans_of(w, phrase);
  const auto& typed = phrase_words(phrase).tokens;
  std::erase_if(out, [&](const found_span& sp) {
    return !std::equal(typed.begin(), typed.end(),
                       w.tokens.begin() + static_cast<std::ptrdiff_t>(sp.begin));
  });
  return out;
}

// Where the last clause starts: just past the last break (0 when there is none).
std::size_t last_clause(const words& w) {
  std::size_t last = 0;
  for (std::size_t k = 0; k < w.tokens.size(); ++k)
    if (w.tokens[k] == clause_break) last = k + 1;
  return last;
}

// Words [at, at + n) read as one clause break.
void to_break(words& w, std::size_t at, std::size_t n) {
  auto from = static_cast<std::ptrdiff_t>(at) + 1, to = static_cast<std::ptrdiff_t>(at + n);
  w.tokens.erase(w.tokens.begin() + from, w.tokens.begin() + to);
  w.stems.erase(w.stems.begin() + from, w.stems.begin() + to);
  w.stops.erase(w.stops.begin() + from, w.stops.begin() + to);
  w.tokens[at] = std::string(clause_break);
  w.stems[at] = std::string(clause_break);
}

// "100.000", "1.250.000": one to three digits, then groups of exactly three after each dot.
bool grouped_thousands(std::string_view n) {
  const auto first = n.find('.');
  if (first == std::string_view::npos || first == 0 || first > 3) return false;
  for (std::size_t at = first; at < n.size(); at += 4)
    if (n[at] != '.' || at + 4 > n.size() ||
        n.substr(at + 1, 3).find('.') != std::string_view::npos)
      return false;
  return true;
}

bool negated_before(const language& lang, const words& w, std::size_t begin) {
  for (std::size_t k = 1; k <= 3 && k <= begin; ++k) {
    const auto& t = w.tokens[begin - k];
    if (t == clause_break) break;
    if (contains(lang.grammar.negators, t)) return true;
  }
  return false;
}

}  // namespace

namespace {

// Words that tell a classifier nothing: the language's fillers, one word at a time.
std::unordered_set<std::string> ignored_words(const language& lang) {
  std::unordered_set<std::string> out;
  for (const auto& f : lang.fillers) {
    auto t = tokenize(f);
    if (t.size() == 1) out.insert(t.front());
  }
  out.insert(lang.grammar.function_words.begin(), lang.grammar.function_words.end());
  return out;
}

// "give me the recommendation", "what do you recommend": the advisor's own word is about the
// advisor, not the product, so it keeps its own stem, shared with no answer's words ("a
// recommender", "recommendations for shoppers"); "a recommendation engine" is a product.
void mark_own_nouns(words& w, const grammar& g) {
  for (std::size_t i = 1; i < w.tokens.size(); ++i)
    if (contains(g.own_nouns, w.tokens[i]) && contains(g.own_noun_before, w.tokens[i - 1]) &&
        (i + 1 == w.tokens.size() || !contains(g.own_noun_not_before, w.tokens[i + 1])))
      w.stems[i] = w.tokens[i];
}

// An example as the classifiers learn it: read as a message is, for the own words.
words example_words(const std::string& sentence, const language& lang) {
  words w = read_words(sentence);
  mark_own_nouns(w, lang.grammar);
  return w;
}

}  // namespace

// The classifiers trained on the examples for one framework. Training reads and stems every
// example, so it is done once per framework and language in a process and shared by every
// engine built on them (the tests and the fuzz targets build many).
struct understanding::trained {
  std::map<std::string, classifier> answers;  // question id -> its options
  std::map<std::string, classifier> unasked;  // question id -> its options and "elsewhere"
  classifier commands;                        // commands, "answer" and "question"
  classifier topics;                          // questions for the sources: knowledge topics
  classifier questions;  // the framework's questions: their wording, names, options, mentions
  std::vector<std::string> sentences;  // every example, for the vocabulary
};

std::shared_ptr<const understanding::trained> understanding::train(const framework& fw,
                                                                   const language& lang,
                                                                   const examples& ex) {
  // The key names the framework's questions and options, so that another framework with the
  // same id and version (a test's, say) gets its own training.
  std::string key = fw.id + "@" + fw.version + "/" +
                    std::to_string(reinterpret_cast<std::uintptr_t>(&lang)) + "/" +
                    std::to_string(reinterpret_cast<std::uintptr_t>(&ex));
  for (const auto& q : fw.questions) {
    key += "|" + q.id;
    for (const auto& o : q.options) key += "," + o.id;
  }
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const trained>> cache;
  std::lock_guard lock(mutex);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  auto t = std::make_shared<trained>();
  t->commands = classifier(ignored_words(lang));
  for (const auto& [qid, options] : ex.answers) {
    const question* q = fw.find_question(qid);
    if (!q) continue;
    // "no, an old company": on a question without a yes and a no, a bare yes or no says nothing
    // of the options, however often the examples of one option hold it ("no funding yet").
    auto ignored = ignored_words(lang);
    if (!q->find_reply("yes") || !q->find_reply("no"))
      ignored.insert(lang.grammar.bare_polarity.begin(), lang.grammar.bare_polarity.end());
    classifier& c = t->answers.emplace(qid, classifier(std::move(ignored))).first->second;
    // For the question not asked yet, the yes and the no are kept (see below).
    classifier& unasked = t->unasked.emplace(qid, classifier(ignored_words(lang))).first->second;
    for (const auto& [oid, sentences] : options) {
      if (!q->find_option(oid)) continue;
      for (const auto& sentence : sentences) {
        t->sentences.push_back(sentence);
        words w = example_words(sentence, lang);
        c.add(oid, w);
        unasked.add(oid, w);
        t->commands.add("answer", w);
      }
    }
  }
  for (const auto& [cmd, sentences] : ex.commands)
    for (const auto& sentence : sentences) {
      t->sentences.push_back(sentence);
      t->commands.add(std::string(to_string(cmd)), example_words(sentence, lang));
    }
  for (const auto& sentence : ex.questions) {
    t->sentences.push_back(sentence);
    t->commands.add("question", example_words(sentence, lang));
  }
  t->questions = classifier(ignored_words(lang));
  for (const auto& q : fw.questions) {
    std::vector<std::string> about{q.text, q.short_label};
    about.insert(about.end(), q.names.begin(), q.names.end());
    about.insert(about.end(), q.phrases.begin(), q.phrases.end());
    for (const auto& o : q.options) {
      about.push_back(o.label);
      about.insert(about.end(), o.synonyms.begin(), o.synonyms.end());
    }
    if (auto it = ex.mentions.find(q.id); it != ex.mentions.end())
      about.insert(about.end(), it->second.begin(), it->second.end());
    for (const auto& sentence : about) t->questions.add(q.id, example_words(sentence, lang));
  }
  t->topics = classifier(ignored_words(lang));
  for (const auto& [topic, sentences] : ex.topics)
    for (const auto& sentence : sentences) {
      t->sentences.push_back(sentence);
      t->topics.add(topic, example_words(sentence, lang));
    }
  // For a question not asked yet, a second classifier also learns what answers something
  // else, so that "a 50 year old logistics firm" is not forced onto one of the options of
  // "what is the system's main job" just because "old" leans towards legacy systems.
  // It keeps the yes and the no: "yup, a few bits" answers a yes/no question, not this one.
  for (auto& [qid, c] : t->unasked) {
    for (const auto& [other, options] : ex.answers) {
      if (other == qid || !fw.find_question(other)) continue;
      for (const auto& [oid, sentences] : options)
        for (const auto& sentence : sentences)
          c.add(std::string(elsewhere), example_words(sentence, lang));
    }
    for (const auto& [cmd, sentences] : ex.commands)
      for (const auto& sentence : sentences)
        c.add(std::string(elsewhere), example_words(sentence, lang));
    for (const auto& sentence : ex.questions)
      c.add(std::string(elsewhere), example_words(sentence, lang));
  }
  if (cache.size() > 64) cache.clear();
  cache.emplace(key, t);
  return t;
}

understanding::understanding(const framework& fw, const language& lang, const examples* ex)
    : fw_(fw), lang_(lang) {
  for (const auto* list : {&lang.yes, &lang.no})
    for (const auto& p : *list) reply_words_.bare_replies.push_back(normalize(p));
  reply_words_.reference_nouns = lang.reference_nouns;
  reply_words_.joiners = lang.grammar.joiners;
  reply_words_.softeners = lang.grammar.softeners;
  reply_words_.others = lang.grammar.others;
  reply_words_.change_signals = lang.grammar.change_signals;
  reply_words_.keep_signals = lang.grammar.keep_signals;
  auto add = [&](std::string_view phrase) {
    for (const auto& t : tokenize(phrase))
      if (t != clause_break && !has_digit(t) && known_.insert(t).second) vocabulary_.push_back(t);
  };
  for (const auto& q : fw.questions) {
    for (const auto& p : q.phrases) add(p);
    for (const auto& n : q.names) add(n);
    add(q.short_label);
    for (const auto& o : q.options) {
      add(o.label);
      for (const auto& s : o.synonyms) add(s);
      for (const auto& r : o.replies) add(r);
    }
  }
  for (const auto& st : fw.stacks) add(st.label);
  for (const auto* list :
       {&lang.fillers, &lang.yes, &lang.no, &lang.hedges, &lang.group_words, &lang.ordinal_words})
    for (const auto& p : *list) add(p);
  for (const auto& [c, phrases] : lang.intents) {
    for (const auto& p : phrases.anywhere) add(p);
    for (const auto& p : phrases.whole) add(p);
  }
  for (const auto& [word, n] : lang.ordinals) add(word);
  for (const auto& [from, to] : lang.search_terms) add(from);
  for (const auto& [from, to] : lang.abbreviations) add(from);
  for (const auto& [word, n] : lang.numbers) add(word);
  for (const auto& [word, n] : lang.multipliers) add(word);
  for (const auto& rule : lang.quantities) {
    for (const auto& u : rule.units) add(u);
    for (const auto& u : rule.concurrent_words) add(u);
  }
  // "parsing IFC files": a subject the sources never mention is that subject, no typo of a
  // known word ("idc"); it is no word typos are fixed to either.
  for (const auto& s : lang.other_subjects)
    for (const auto& t : tokenize(s)) known_.insert(t);
  for (const auto& f : lang.fillers) fillers_.push_back(tokenize(f));
  std::sort(fillers_.begin(), fillers_.end(),
            [](const auto& a, const auto& b) { return a.size() > b.size(); });
  if (!ex || ex->framework != fw.id) return;
  // The classifiers learn from the examples; their words join the vocabulary typos are fixed to.
  trained_ = train(fw, lang, *ex);
  for (const auto& sentence : trained_->sentences) add(sentence);
}

const option* understanding::classify_answer(
    const question& q, const words& w, const std::vector<std::pair<std::size_t, std::size_t>>& skip,
    int caution) const {
  if (!trained_) return nullptr;
  auto it = trained_->answers.find(q.id);
  if (it == trained_->answers.end()) return nullptr;
  if (caution > 0) {
    // A question not asked is answered only when the words say more for it than for anything
    // else the examples know.
    it = trained_->unasked.find(q.id);
    if (it == trained_->unasked.end()) return nullptr;
  }
  // Skipped words ask for two known words at least: "ts all the way" says the team again, and
  // "all" alone says nothing of real-time needs.
  auto g = caution == 0 ? it->second.classify(w, {}, answer_confidence, skip.empty() ? 1 : 2, skip)
           : caution == 1 ? it->second.classify(w, {}, unasked_confidence, 2, skip)
                          : it->second.classify(w, {}, reread_confidence, 2, skip);
  return g.label.empty() || g.label == elsewhere ? nullptr : q.find_option(g.label);
}

std::string understanding::topic_of(const words& w) const {
  if (!trained_) return {};
  return trained_->topics.classify(w, {}, topic_confidence, 2).label;
}

command understanding::classify_command(const words& w) const {
  if (!trained_) return command::none;
  auto g = trained_->commands.classify(w, {}, command_confidence, 2);
  for (command c : command_order)
    if (g.label == to_string(c)) return c;
  return command::none;
}

words understanding::read(std::string_view text) const {
  // "5,000 users": a comma between digits is part of the number, not a clause break.
  std::string cleaned(text);
  for (std::size_t i = 1; i + 1 < cleaned.size(); ++i)
    if (cleaned[i] == ',' && std::isdigit(static_cast<unsigned char>(cleaned[i - 1])) &&
        std::isdigit(static_cast<unsigned char>(cleaned[i + 1])))
      cleaned.erase(i, 1);
  // "3 000 users", "1 000 000": groups of exactly three digits, each after a space, following a
  // number of one to three digits, are one number.
  const auto digit_at = [&](std::size_t i) {
    return i < cleaned.size() && std::isdigit(static_cast<unsigned char>(cleaned[i]));
  };
  for (std::size_t i = 0; i < cleaned.size(); ++i) {
    if (!digit_at(i) || (i > 0 && (std::isalnum(static_cast<unsigned char>(cleaned[i - 1])) ||
                                   cleaned[i - 1] == '.' || cleaned[i - 1] == '#')))
      continue;
    std::size_t end = i;
    while (digit_at(end)) ++end;
    if (end - i > 3) {
      i = end;
      continue;
    }
    std::vector<std::size_t> spaces;
    while (end + 3 < cleaned.size() && cleaned[end] == ' ' && digit_at(end + 1) &&
           digit_at(end + 2) && digit_at(end + 3) && !digit_at(end + 4)) {
      spaces.push_back(end);
      end += 4;
    }
    const bool unit_glued =
        end < cleaned.size() &&
        (std::isalpha(static_cast<unsigned char>(cleaned[end])) || cleaned[end] == '%');
    if (!spaces.empty() && !unit_glued)
      for (auto at = spaces.rbegin(); at != spaces.rend(); ++at) cleaned.erase(*at, 1);
    i = end - spaces.size() * (unit_glued ? 0 : 1);
  }
  // "10^3": a power of ten is its number.
  for (auto at = cleaned.find("10^"); at != std::string::npos; at = cleaned.find("10^", at + 1)) {
    if (!digit_at(at + 3) || digit_at(at + 4) || (at > 0 && digit_at(at - 1))) continue;
    cleaned.replace(at, 4, "1" + std::string(static_cast<std::size_t>(cleaned[at + 3] - '0'), '0'));
  }
  // "5️⃣": a keycap is its digit (the variation selector U+FE0F is optional before U+20E3).
  for (std::string_view keycap : {"\xEF\xB8\x8F\xE2\x83\xA3", "\xE2\x83\xA3"})
    for (auto at = cleaned.find(keycap); at != std::string::npos; at = cleaned.find(keycap, at))
      cleaned.erase(at, keycap.size());
  words w = read_words(cleaned);
  // "ml-related", "cpu-heavy": the parts of a hyphenated word are words of their own (phrases
  // still match the whole, as the matcher joins neighbouring tokens). So are the parts of
  // "js/ts", "data/ml" and "live/real-time", though not of "50/50" or "as/400".
  for (std::size_t i = 0; i < w.tokens.size(); ++i) {
    const std::string t = w.tokens[i];
    const std::string_view marks = has_digit(t) ? "-" : "-/";
    auto dash = t.find_first_of(marks);
    if (dash == std::string::npos || dash == 0 || dash + 1 >= t.size()) continue;
    std::vector<std::string> parts;
    for (std::size_t start = 0; start <= t.size();) {
      auto end = t.find_first_of(marks, start);
      if (end == std::string::npos) end = t.size();
      if (end > start) parts.push_back(t.substr(start, end - start));
      start = end + 1;
    }
    auto at = static_cast<std::ptrdiff_t>(i);
    w.tokens.erase(w.tokens.begin() + at);
    w.stems.erase(w.stems.begin() + at);
    w.stops.erase(w.stops.begin() + at);
    for (std::size_t k = 0; k < parts.size(); ++k) {
      auto pos = at + static_cast<std::ptrdiff_t>(k);
      w.tokens.insert(w.tokens.begin() + pos, parts[k]);
      w.stems.insert(w.stems.begin() + pos, stem(parts[k]));
      w.stops.insert(w.stops.begin() + pos, 0);
    }
    i += parts.size() - 1;
  }
  // "u", "ppl", "py": shorthand is read as the words it stands for.
  for (std::size_t i = 0; i < w.tokens.size(); ++i) {
    auto it = lang_.abbreviations.find(w.tokens[i]);
    if (it == lang_.abbreviations.end()) continue;
    auto parts = tokenize(it->second);
    if (parts.empty()) continue;
    auto at = static_cast<std::ptrdiff_t>(i);
    w.tokens.erase(w.tokens.begin() + at);
    w.stems.erase(w.stems.begin() + at);
    w.stops.erase(w.stops.begin() + at);
    for (std::size_t k = 0; k < parts.size(); ++k) {
      w.tokens.insert(w.tokens.begin() + at + static_cast<std::ptrdiff_t>(k), parts[k]);
      w.stems.insert(w.stems.begin() + at + static_cast<std::ptrdiff_t>(k), stem(parts[k]));
      w.stops.insert(w.stops.begin() + at + static_cast<std::ptrdiff_t>(k), 0);
    }
    i += parts.size() - 1;
  }
  // "the codebase'll stay small": the word, then "will".
  for (std::size_t i = 0; i < w.tokens.size(); ++i) {
    const std::string& t = w.tokens[i];
    if (t.size() < 5 || !t.ends_with("'ll") || contains(lang_.grammar.whole_contractions, t))
      continue;
    const std::string base = t.substr(0, t.size() - 3);
    const auto at = static_cast<std::ptrdiff_t>(i);
    w.tokens[i] = base;
    w.stems[i] = stem(base);
    w.tokens.insert(w.tokens.begin() + at + 1, "will");
    w.stems.insert(w.stems.begin() + at + 1, stem("will"));
    w.stops.insert(w.stops.begin() + at + 1, 0);
    ++i;
  }
  // "me and my cofounder both write js", "both of us know python": "both" about people says
  // nothing of the options.
  for (std::size_t i = 0; i + 1 < w.tokens.size();) {
    if (w.tokens[i] != "both") {
      ++i;
      continue;
    }
    const words after = slice(w, i + 1, std::min(w.tokens.size(), i + 3));
    if (std::none_of(lang_.grammar.people_both.begin(), lang_.grammar.people_both.end(),
                     [&](const std::string& p) {
                       const auto sp = spans_of(after, p);
                       return !sp.empty() && sp.front().begin == 0;
                     })) {
      ++i;
      continue;
    }
    const auto at = static_cast<std::ptrdiff_t>(i);
    w.tokens.erase(w.tokens.begin() + at);
    w.stems.erase(w.stems.begin() + at);
    w.stops.erase(w.stops.begin() + at);
  }
  // "sorry for my english", "i'm from brazil": small talk about the writer answers nothing.
  auto find_at = [&](const std::vector<std::string>& p, std::size_t from) {
    for (std::size_t i = from; i + p.size() <= w.tokens.size(); ++i)
      if (std::equal(p.begin(), p.end(), w.tokens.begin() + static_cast<std::ptrdiff_t>(i)))
        return i;
    return w.tokens.size();
  };
  for (const auto& aside : lang_.asides.phrases) {
    const auto& p = phrase_words(aside).tokens;
    if (p.empty()) continue;
    for (std::size_t i = find_at(p, 0); i < w.tokens.size(); i = find_at(p, i + 1))
      to_break(w, i, p.size());
  }
  for (const auto& origin : lang_.asides.origins) {
    const auto& p = phrase_words(origin).tokens;
    if (p.empty()) continue;
    for (std::size_t i = find_at(p, 0); i < w.tokens.size(); i = find_at(p, i + 1)) {
      // The place: one or two words the advisor does not know, after an optional "the".
      std::size_t place = i + p.size();
      if (place < w.tokens.size() && w.tokens[place] == "the") ++place;
      std::size_t end = place;
      while (end < w.tokens.size() && end < place + 2 && w.tokens[end] != clause_break &&
             !has_digit(w.tokens[end]) && !known_.count(w.tokens[end]))
        ++end;
      if (end > place) to_break(w, i, end - i);
    }
  }
  // "some reporting, not much more": a limiter closes its clause and answers nothing, unless it
  // is all the message says.
  for (const auto& limiter : lang_.limiters) {
    const auto& lw = phrase_words(limiter).tokens;
    if (lw.empty() || lw.size() >= w.tokens.size()) continue;
    for (std::size_t i = 0; i + lw.size() <= w.tokens.size(); ++i) {
      if (!std::equal(lw.begin(), lw.end(), w.tokens.begin() + static_cast<std::ptrdiff_t>(i)))
        continue;
      to_break(w, i, lw.size());
    }
  }
  // Each correction compares a word with the whole vocabulary: a message gets a bounded number
  // of them, so a long run of unknown words costs no more than a short one.
  std::size_t corrections_left = max_corrections;
  for (std::size_t i = 0; i < w.tokens.size(); ++i) {
    std::string& t = w.tokens[i];
    if (t == clause_break || t.size() < 3 || t.size() > 30 || has_digit(t) || known_.count(t))
      continue;
    if (corrections_left == 0) break;
    --corrections_left;
    if (dictionary_word(t)) continue;
    // "API's", "URL's": a known word with an apostrophe s is that word (its stem drops the "'s"),
    // not a typo of another ("app's").
    if (t.size() > 3 && t.ends_with("'s") && known_.count(t.substr(0, t.size() - 2))) continue;
    // The nearest vocabulary word, if exactly one is nearest.
    const std::size_t allowance = allowance_for(t.size());
    // Nearest first; between words as near, one of the typed length, then one with the same
    // first letter ("yse" is "yes", not "ye" or "use").
    const std::string* best = nullptr;
    std::tuple<std::size_t, int, int> best_rank{allowance + 1, 0, 0};
    bool tie = false;
    for (const auto& v : vocabulary_) {
      std::size_t diff = v.size() > t.size() ? v.size() - t.size() : t.size() - v.size();
      if (diff > allowance || v.size() < 2) continue;
      std::size_t d = edit_distance(t, v);
      if (d > allowance) continue;
      std::tuple<std::size_t, int, int> rank{d, v.size() == t.size() ? 0 : 1,
                                             v.front() == t.front() ? 0 : 1};
      if (rank < best_rank) {
        best = &v;
        best_rank = rank;
        tie = false;
      } else if (rank == best_rank && best && *best != v) {
        tie = true;
      }
    }
    if (best && !tie) {
      t = *best;
      w.stems[i] = stem(t);
    }
  }
  mark_own_nouns(w, lang_.grammar);
  return w;
}

std::size_t understanding::filler_at(const words& w, std::size_t i) const {
  const auto& t = w.tokens;
  for (const auto& f : fillers_)  // longest first
    if (!f.empty() && i + f.size() <= t.size() &&
        std::equal(f.begin(), f.end(), t.begin() + static_cast<std::ptrdiff_t>(i)))
      return f.size();
  return 0;
}

std::vector<std::string> understanding::core(const words& w) const {
  std::vector<std::string> out;
  const auto& t = w.tokens;
  for (std::size_t i = 0; i < t.size();) {
    if (t[i] == clause_break) {
      ++i;
      continue;
    }
    if (const std::size_t skip = filler_at(w, i)) {
      i += skip;
    } else {
      out.push_back(t[i]);
      ++i;
    }
  }
  return out;
}

bool understanding::whole_is(const std::vector<std::string>& core_tokens,
                             const std::vector<std::string>& phrases) const {
  if (core_tokens.empty()) return false;
  std::string have = squash_join(core_tokens);
  std::string have_stems;
  for (const auto& t : core_tokens) have_stems += stem(t);
  for (const auto& p : phrases) {
    // Each phrase's core, squashed as typed and as stems, once per thread.
    thread_local std::unordered_map<std::string, std::pair<std::string, std::string>> cache;
    auto it = cache.find(p);
    if (it == cache.end()) {
      if (cache.size() > 20000) cache.clear();
      const words& pw = phrase_words(p);
      auto pc = core(pw);
      if (pc.empty()) pc = pw.tokens;
      std::string stems;
      for (const auto& t : pc) stems += stem(t);
      it = cache.emplace(p, std::pair{squash_join(pc), squash_join({stems})}).first;
    }
    if (it->second.first == have || it->second.second == squash_join({have_stems})) return true;
  }
  return false;
}

// "node vs python": the word at `sp` stands between two different stacks.
bool between_stacks(const framework& fw, const words& w, const found_span& sp) {
  if (sp.begin == 0 || sp.end >= w.tokens.size()) return false;
  const stack* before = names_stack(fw, w.tokens[sp.begin - 1]);
  const stack* after = names_stack(fw, w.tokens[sp.end]);
  return before && after && before != after;
}

// The question a message names ("the team", "the load one"), answered ones first, and where.
struct named {
  const question* q = nullptr;
  found_span at;
};

named name_in_words(const framework& fw, const words& w, const state& s) {
  named best;
  std::size_t best_len = 0;
  for (const auto& q : fw.questions) {
    std::vector<std::string> names = q.names;
    names.push_back(q.short_label);
    names.push_back(q.id);
    for (const auto& n : names)
      for (const auto& sp : spans_of(w, n)) {
        std::size_t len = sp.end - sp.begin + (s.answered(q.id) ? 10 : 0);
        if (len > best_len) {
          best_len = len;
          best = {&q, sp};
        }
      }
  }
  return best;
}

// As name_in_words, and if no name is there word for word, once more without the hedges in it:
// "what the system mainly does" names what the system does.
named name_in(const framework& fw, const language& lang, const words& w, const state& s) {
  // "change the very first answer": an answer named by its place among those given, before any
  // name said in passing ("... we're not really a startup"). "the first one" is an option of
  // the question asked, not an answer.
  for (std::size_t k = 0; k + 1 < w.tokens.size() && k + 1 < w.stems.size() && !s.answers.empty();
       ++k) {
    const auto n = lang.ordinals.find(w.tokens[k]);
    if (n == lang.ordinals.end() || w.tokens[k + 1] == "one" ||
        !contains(lang.grammar.question_nouns, w.stems[k + 1]))
      continue;
    const int place = n->second;
    // Counted in the order the questions come. "the last answer" is left to the commands: "undo
    // that last answer" steps back.
    if (place < 0) continue;
    int seen = 0;
    for (const auto& q : fw.questions)
      if (s.answered(q.id) && ++seen == place) return {&q, {k, k + 2}};
  }
  named found = name_in_words(fw, w, s);
  if (found.q) return found;
  words plain;
  std::vector<std::size_t> at;  // plain's token i is w's token at[i]
  for (std::size_t i = 0; i < w.tokens.size(); ++i) {
    if (contains(lang.hedges, w.tokens[i])) continue;
    plain.tokens.push_back(w.tokens[i]);
    if (i < w.stems.size()) plain.stems.push_back(w.stems[i]);
    at.push_back(i);
  }
  if (at.size() == w.tokens.size()) return found;
  found = name_in_words(fw, plain, s);
  if (found.q) found.at = {at[found.at.begin], at[found.at.end - 1] + 1};
  return found;
}

// "the traffic question", "the size answer": the name is said as a question's.
bool names_a_question(const language& lang, const words& w, const found_span& at) {
  return at.end < w.tokens.size() && contains(lang.grammar.question_nouns, w.stems[at.end]);
}

namespace {

// "a monthly report", "a summary per flight", "one recap a week": a period word right before the
// span, or one of the rates' "per" words right after it (an article only with a period after it).
bool recurring(const language& lang, const words& w, const found_span& sp) {
  const auto& periods = lang.rates.periods;
  if (sp.begin > 0 && periods.count(w.tokens[sp.begin - 1])) return true;
  if (sp.end >= w.tokens.size() || !contains(lang.rates.per, w.tokens[sp.end])) return false;
  const std::string& next = w.tokens[sp.end];
  return (next != "a" && next != "an") ||
         (sp.end + 1 < w.tokens.size() && periods.count(w.tokens[sp.end + 1]));
}

}  // namespace

intent understanding::command_in(const words& w, const state& s) const {
  intent best;
  std::size_t best_len = 0;
  int best_rank = 99;
  const auto c = core(w);
  const named target = name_in(fw_, lang_, w, s);
  // "change what I said about how many customers we'll get": no name, but words about one
  // of the answers given (read once, for the first change word).
  std::optional<const question*> loose;
  // "not really" is a plain no, word for word, though its core ("not") is that of "not that".
  std::string said;
  for (const auto& t : w.tokens)
    if (t != clause_break) said += (said.empty() ? "" : " ") + t;
  const bool plain_no = contains(lang_.no, said);
  // Each command's phrases add up ("back pls, wanna look at the last question again before i
  // sign off": two for back, one for the summary); the span kept is its longest phrase's.
  // Words count once however many phrases share them ("one step back" and "step back").
  struct evidence {
    std::set<std::size_t> words;
    std::size_t bonus = 0, longest = 0, begin = 0, end = 0;
    std::size_t total() const { return words.size() + bonus; }
  };
  std::map<command, evidence> seen;
  auto consider = [&](command cmd, std::size_t begin, std::size_t end, std::size_t len) {
    auto& e = seen[cmd];
    for (std::size_t k = begin; k < end; ++k) e.words.insert(k);
    e.bonus = std::max(e.bonus, len - (end - begin));
    if (len > e.longest) {
      e.longest = len;
      e.begin = begin;
      e.end = end;
    }
  };
  // "yes. confirm. i think.": a command word that is a clause of its own (fillers aside) is
  // the command, however long the message; so is "confirm" closing it ("he says fine, so
  // confirm").
  std::size_t last = w.tokens.size();
  while (last > 0 && w.tokens[last - 1] == clause_break) --last;
  auto stands_alone = [&](command cmd, const found_span& sp) {
    if (cmd == command::confirm && sp.end == last) return true;
    std::size_t b = sp.begin, e = sp.end;
    while (b > 0 && w.tokens[b - 1] != clause_break) --b;
    while (e < w.tokens.size() && w.tokens[e] != clause_break) ++e;
    words clause;
    clause.tokens.assign(w.tokens.begin() + static_cast<std::ptrdiff_t>(b),
                         w.tokens.begin() + static_cast<std::ptrdiff_t>(e));
    return core(clause).size() == sp.end - sp.begin;
  };
  // "skip the team thing", "can we skip the team thing for now", "wait undo that last
  // answer": the command word opens the message when only a request's opening words ("can
  // we") or a self-correction's ("wait") come before it.
  auto opens_message = [&](const found_span& sp) {
    for (const auto& t : core(slice(w, 0, sp.begin)))
      if (!contains(lang_.grammar.asking_modals, t) && !contains(lang_.grammar.subjects, t) &&
          !contains(lang_.grammar.self_corrections, t) &&
          !contains(lang_.grammar.command_modifiers, t))
        return false;
    return true;
  };
  // "I need to change one of my earlier answers": an answer noun after the change word, in
  // its clause, makes it a change with no answer named yet.
  auto answer_after = [&](std::size_t from) {
    for (std::size_t k = from; k < w.tokens.size() && k < from + 5; ++k) {
      if (w.tokens[k] == clause_break) return false;
      if (contains(lang_.grammar.answer_nouns, w.tokens[k]) && w.tokens[k] != "question")
        return true;
    }
    return false;
  };
  std::map<command, std::map<std::string, found_span>> inside;  // single words inside a sentence
  // "medium I suppose": a command word inside a filler ("i suppose") is the filler's.
  std::vector<found_span> filler_spans;
  for (std::size_t i = 0; i < w.tokens.size(); ++i)
    if (const std::size_t len = filler_at(w, i)) filler_spans.push_back({i, i + len});
  auto in_filler = [&](const found_span& sp) {
    return std::any_of(filler_spans.begin(), filler_spans.end(),
                       [&](const found_span& f) { return f.begin <= sp.begin && sp.end <= f.end; });
  };
  struct kept_phrase {
    command cmd;
    found_span sp;
    std::size_t len;
  };
  std::vector<kept_phrase> kept;
  // The yes and no phrases of more than one word, found once a command phrase asks for them.
  std::optional<std::vector<found_span>> polarity_spans;
  auto inside_polarity = [&](const found_span& sp) {
    if (!polarity_spans) {
      polarity_spans.emplace();
      for (const auto* list : {&lang_.yes, &lang_.no})
        for (const auto& p : *list)
          if (p.find(' ') != std::string::npos || p.find('-') != std::string::npos)
            for (const auto& f : spans_of(w, p)) polarity_spans->push_back(f);
    }
    return std::any_of(polarity_spans->begin(), polarity_spans->end(), [&](const found_span& f) {
      return f.begin <= sp.begin && sp.end <= f.end && f.end - f.begin > sp.end - sp.begin;
    });
  };
  // Each clause's words without fillers, read once for every command below.
  std::vector<std::vector<std::string>> clause_cores;
  for (std::size_t from = 0; from < w.tokens.size();) {
    std::size_t to = from;
    while (to < w.tokens.size() && w.tokens[to] != clause_break) ++to;
    if (auto part = core(slice(w, from, to)); !part.empty())
      clause_cores.push_back(std::move(part));
    from = to + 1;
  }
  // "do you have numbers on Stack Overflow questions for Python vs Node?": a question whose two
  // stacks, set against each other at its end, qualify a subject named before them asks the
  // sources about that subject.
  const auto of_a_subject = [&](const found_span& sp) {
    return opens_question(w) && sp.begin >= 3 && sp.end + 1 == w.tokens.size() &&
           contains(lang_.grammar.subject_prepositions, w.tokens[sp.begin - 2]);
  };
  for (const auto& [cmd, phrases] : lang_.intents) {
    for (const auto& p : phrases.anywhere) {
      const auto phrase = tokenize(p);
      const bool single = phrase.size() == 1;
      for (const auto& sp : spans_of(w, p)) {
        if (negated_before(lang_, w, sp.begin) || in_filler(sp)) continue;
        // "uh huh": a command word inside a yes or a no is that word's.
        if (inside_polarity(sp)) continue;
        // "maybe a summary spreadsheet", "a status page": a command word that modifies the
        // noun after it names a thing; "the bus moves on the map": a particle with an object,
        // inside a sentence ("can we pass on the team question" opens with the request).
        if (sp.end < w.tokens.size()) {
          const std::string& next = w.tokens[sp.end];
          if (contains(lang_.grammar.compound_heads, next)) continue;
          if (contains(lang_.grammar.object_particles, w.tokens[sp.end - 1]) &&
              contains(lang_.grammar.object_determiners, next) && !opens_message(sp))
            continue;
        }
        // "I'll be sharing it with colleagues": a command verb in the progressive tells what
        // will happen; it asks for nothing.
        // "I'm basically starting from scratch": fillers may stand between them.
        if (const auto& verb = w.tokens[sp.begin];
            sp.begin > 0 && verb.size() > 4 && verb.ends_with("ing")) {
          std::size_t aux = sp.begin - 1;
          while (aux > 0 && contains(lang_.fillers, w.tokens[aux])) --aux;
          if (contains(lang_.grammar.progressive_aux, w.tokens[aux])) continue;
        }
        // "has everyone moved on to fastify": a command verb in the past tense after its
        // subject tells what happened.
        if (const auto& verb = w.tokens[sp.begin];
            sp.begin > 0 && verb.size() > 4 && verb.ends_with("ed") &&
            !phrase.front().ends_with("ed") &&
            (contains(lang_.grammar.past_subjects, w.tokens[sp.begin - 1]) ||
             contains(lang_.grammar.subjects, w.tokens[sp.begin - 1])))
          continue;
        // "Django vs Flask, tl;dr?": a summary of two things set against each other is asked
        // of the sources, not the decision record.
        if (cmd == command::summary && c.size() > 2 &&
            std::any_of(w.tokens.begin(), w.tokens.end(),
                        [](const std::string& t) { return t == "vs" || t == "versus"; }))
          continue;
        // "a monthly report of corrosion findings", "a summary per flight": a summary that
        // recurs is something the system makes; the decision record is written once.
        if (cmd == command::summary && recurring(lang_, w, sp)) continue;
        // "nobody writes JS beyond copy-pasting snippets": a command phrase turned into a
        // gerund inside a sentence names an activity; it asks for nothing.
        if (const auto& last_word = w.tokens[sp.end - 1];
            last_word.size() > 4 && last_word.ends_with("ing") && !phrase.back().ends_with("ing") &&
            sp.begin > 0 && !opens_message(sp))
          continue;
        // "i don't know js": not knowing a language is an answer, not a skip.
        if (cmd == command::skip && w.tokens[sp.end - 1] == "know" && sp.end < w.tokens.size() &&
            (names_stack(fw_, w.tokens[sp.end]) ||
             contains(lang_.grammar.known_things, w.tokens[sp.end])))
          continue;
        // "scores update as the goals go in": a command verb right after a plural noun is that
        // noun's verb ("pls", "let's" and the like ask, "oops" corrects; they are no nouns).
        if (single && sp.begin > 0 && w.tokens[sp.begin].back() != 's') {
          const std::string& before = w.tokens[sp.begin - 1];
          if (before.size() > 3 && before.back() == 's' && !before.ends_with("ss") &&
              before.find('\'') == std::string::npos && !contains(lang_.fillers, before) &&
              !contains(lang_.leads, before) && !contains(lang_.grammar.subjects, before) &&
              !contains(lang_.grammar.asking_modals, before) &&
              !contains(lang_.grammar.self_corrections, before) && before != "lets" &&
              before != "thanks" && before != "please" && before != "plus")
            continue;
        }
        // "code I can actually read back later": a command phrase after a subject and a modal,
        // inside a sentence that opens with what it describes, is a relative clause.
        if (std::size_t at = sp.begin; at >= 3 && !w.question_mark && !opens_question(w)) {
          while (at > 0 && contains(lang_.fillers, w.tokens[at - 1])) --at;
          if (at >= 3 && contains(lang_.grammar.asking_modals, w.tokens[at - 1]) &&
              (w.tokens[at - 2] == "i" || w.tokens[at - 2] == "we" || w.tokens[at - 2] == "you") &&
              w.tokens[at - 3] != clause_break && !contains(lang_.fillers, w.tokens[at - 3]) &&
              !contains(lang_.leads, w.tokens[at - 3]) &&
              !contains(lang_.question_starts, w.tokens[at - 3]) &&
              !contains(lang_.grammar.wh_words, w.tokens[at - 3]))
            continue;
        }
        // "is there an overall winner or does it depend?": "it depends" inside a question that
        // opens and ends as one is what it asks, not a skip.
        // "so is there an overall winner, or is it 'it depends' again...": the other side of a
        // question's "or" too.
        if (cmd == command::skip && sp.begin > 0 &&
            (opens_question(w) ||
             (w.tokens.size() > 1 && contains(lang_.fillers, w.tokens.front()) &&
              contains(lang_.question_starts, w.tokens[1]))) &&
            (w.question_mark ||
             std::find(w.tokens.begin(), w.tokens.begin() + static_cast<std::ptrdiff_t>(sp.begin),
                       "or") != w.tokens.begin() + static_cast<std::ptrdiff_t>(sp.begin)) &&
            std::any_of(w.stems.begin() + static_cast<std::ptrdiff_t>(sp.begin),
                        w.stems.begin() + static_cast<std::ptrdiff_t>(sp.end),
                        [](const std::string& t) { return t.starts_with("depend"); }))
          continue;
        // "second from the top": a place in the list counted from its start, no restart.
        if (cmd == command::restart && sp.begin > 0 && lang_.ordinals.count(w.tokens[sp.begin - 1]))
          continue;
        // "we need to know that a foundation backs it": the writer's own need to know is no
        // "why do you need to know that".
        if (cmd == command::why && phrase.front() == "need" && sp.begin > 0 &&
            (w.tokens[sp.begin - 1] == "we" || w.tokens[sp.begin - 1] == "i"))
          continue;
        // "we do so much copy paste between sheets": a command phrase after a quantity of it
        // names an activity.
        if (std::any_of(lang_.grammar.mass_quantifiers.begin(),
                        lang_.grammar.mass_quantifiers.end(), [&](const std::string& q) {
                          const auto& qw = phrase_words(q).tokens;
                          return qw.size() <= sp.begin &&
                                 std::equal(qw.begin(), qw.end(),
                                            w.tokens.begin() +
                                                static_cast<std::ptrdiff_t>(sp.begin - qw.size()));
                        }))
          continue;
        // "ship small changes often", "a handful of daily summaries": a command word in the
        // plural is a noun, not a command; "one Flask service that exports the plate data": a
        // phrase's verb with an "s" is its subject's verb.
        if (single && w.tokens[sp.begin] != p && w.tokens[sp.begin].back() == 's') continue;
        if (!single && sp.begin > 0 && w.tokens[sp.begin] == phrase.front() + "s") continue;
        // "I'll forget everything between sessions": a verb of the writer's own mind after its
        // subject ("can we forget everything" still asks).
        if (contains(lang_.grammar.own_verbs, phrase.front()) && sp.begin > 0) {
          const std::string& subject = w.tokens[sp.begin - 1];
          if ((contains(lang_.grammar.subjects, subject) || subject.ends_with("'ll") ||
               subject == "will") &&
              (sp.begin < 2 || !contains(lang_.grammar.asking_modals, w.tokens[sp.begin - 2])))
            continue;
        }
        std::size_t len = sp.end - sp.begin;
        if (cmd == command::change) {
          // A change names what it changes: "change the team", "the load answer is off".
          if (!target.q) {
            if (!loose) loose = answer_described(w, sp.end, s);
            if (*loose || answer_after(sp.end))
              len += 2;
            else if (c.size() > 3)
              continue;  // a bare "change": a command only as the message
          } else {
            // "team updates": not a change; "the traffic question, let me fix it" is one.
            if (single && target.at.begin < sp.begin && !names_a_question(lang_, w, target.at))
              continue;
            // "trying to switch careers into ML": in a longer sentence, a change of an answer
            // not given yet is talk, not a command.
            if (single && c.size() > 4 && !s.answered(target.q->id)) continue;
            len += target.at.end - target.at.begin +
                   2;  // a named target makes the change the likelier reading
          }
        } else if (single && c.size() > 4 && !opens_message(sp) &&
                   !(between_stacks(fw_, w, sp) && !has_wh_word(w) && !of_a_subject(sp)) &&
                   !stands_alone(cmd, sp)) {
          // A single command word inside a longer sentence is more likely talk than a command
          // ("the restart time of node"), unless it opens the message ("compare them on speed")
          // or sets the stacks against each other ("node vs python for the learning curve"; but
          // "how many devs know js vs python" asks the sources). Two of one command's words
          // make it one ("an accurate record ..., please proceed"), below.
          inside[cmd].emplace(w.stems[sp.begin], sp);
          continue;
        }
        kept.push_back({cmd, sp, len});
      }
    }
    // "pass, next one": each clause on its own is the whole of one command's phrases.
    const auto whole = [this,
                        &whole_phrases = phrases.whole](const std::vector<std::string>& part) {
      return whole_is(part, whole_phrases);
    };
    if (!plain_no &&
        (whole_is(c, phrases.whole) ||
         (clause_cores.size() > 1 && std::all_of(clause_cores.begin(), clause_cores.end(), whole))))
      consider(cmd, 0, w.tokens.size(), w.tokens.size());
  }
  // "would it change if they didn't need anything real-time?": a phrase inside a longer phrase
  // of another command ("change" inside "would it change if") is that phrase's word.
  for (const auto& k : kept)
    if (std::none_of(kept.begin(), kept.end(), [&](const kept_phrase& o) {
          return o.cmd != k.cmd && o.sp.begin <= k.sp.begin && k.sp.end <= o.sp.end &&
                 o.sp.end - o.sp.begin > k.sp.end - k.sp.begin;
        }))
      consider(k.cmd, k.sp.begin, k.sp.end, k.len);
  for (const auto& [cmd, found] : inside)
    if (found.size() >= 2)
      for (const auto& [stem, sp] : found) consider(cmd, sp.begin, sp.end, 1);
  // Shapes no phrase list holds, found across the clause:
  const auto at = [&](const std::vector<std::string>& list, std::size_t from) {
    for (std::size_t i = from; i < w.tokens.size(); ++i)
      if (contains(list, w.tokens[i]) || contains(list, w.stems[i])) return i;
    return w.tokens.size();
  };
  const std::size_t n = w.tokens.size();
  // "what would the recommendation be if I said no to the live features", "how would the
  // advice differ had the dataset been a side feature": the advisor's result, a "would", then
  // a condition (what follows it is the what-if).
  // "if the workload were data processing, what would you recommend instead": the condition
  // first (what lies between it and the "would" is the what-if).
  std::size_t whatif_from = n, whatif_until = n;
  if (const std::size_t h = at(lang_.grammar.hypotheticals, 0); h < n) {
    const std::size_t o =
        std::min(at(lang_.grammar.outcome_nouns, 0), at(lang_.grammar.own_nouns, 0));
    const std::size_t k = at(lang_.grammar.conditionals, std::max(h, o) + 1);
    if (o < n && k < n && k + 1 < n) consider(command::whatif, k, k + 1, 4);
    const std::size_t first = at(lang_.grammar.conditionals, 0);
    if (o < n && k == n && first + 1 < h && h < o && first < 3) {
      consider(command::whatif, first, first + 1, 4);
      whatif_from = first + 1;
      // Up to the clause that asks ("..., what would you recommend").
      whatif_until = h;
      for (std::size_t j = first + 1; j < h; ++j)
        if (w.tokens[j] == clause_break) whatif_until = j;
    }
  }
  // "why does the number of customers matter?": "why", one of the questions named or
  // described, then a weighing word. "why are you recommending that?": "why", "you" and the
  // advisor's own word.
  if (const std::size_t y = at({"why"}, 0); y < n) {
    const std::size_t m = at(lang_.grammar.weighing_words, y + 1);
    if (m < n && m > y + 1) {
      const words between = slice(w, y + 1, m);
      const named q = name_in(fw_, lang_, between, s);
      bool about = q.q != nullptr;
      if (!about && trained_)
        about = !trained_->questions.classify(between, {}, described_confidence, 1).label.empty();
      if (about) consider(command::why, y, m + 1, m + 1 - y);
    }
    const std::size_t you = at({"you", "your", "u"}, y + 1);
    if (you < n && at(lang_.grammar.own_nouns, you + 1) < n) consider(command::why, y, you + 1, 3);
  }
  for (const auto& [cmd, e] : seen) {
    int rank = static_cast<int>(std::find(command_order.begin(), command_order.end(), cmd) -
                                command_order.begin());
    if (e.total() > best_len || (e.total() == best_len && rank < best_rank)) {
      best = {cmd, e.begin, e.end, nullptr, {}};
      best_len = e.total();
      best_rank = rank;
    }
  }
  if (best.command == command::change ||
      (best.command == command::back && target.q && s.answered(target.q->id))) {
    // "go back to the scale question": a change of the answer named.
    best.target = target.q ? target.q : loose.value_or(nullptr);
    if (best.target) best.command = command::change;
  }
  if (best.command == command::whatif) {
    // The condition: after the what-if's words, or, when it came first, before the question
    // ("if our team knew javascript, what would you recommend then").
    std::size_t from = best.end, until = w.tokens.size();
    if (whatif_until < w.tokens.size()) {
      from = std::min(best.end, whatif_from);
      until = whatif_until;
    }
    for (std::size_t i = from; i < until; ++i)
      if (w.tokens[i] != clause_break) best.rest += (best.rest.empty() ? "" : " ") + w.tokens[i];
  }
  return best;
}

bool understanding::names_recommendation(const words& w, const intent& said) const {
  for (std::size_t i = said.begin; i < said.end && i < w.tokens.size(); ++i)
    if (contains(lang_.grammar.own_nouns, w.tokens[i])) return true;
  return false;
}

std::vector<std::pair<std::size_t, std::size_t>> understanding::phrases_of(const words& w,
                                                                           command cmd) const {
  std::vector<std::pair<std::size_t, std::size_t>> found;
  const auto it = lang_.intents.find(cmd);
  if (it == lang_.intents.end()) return found;
  for (const auto& p : it->second.anywhere)
    for (const auto& sp : spans_of(w, p))
      if (!negated_before(lang_, w, sp.begin)) found.emplace_back(sp.begin, sp.end);
  return found;
}

understanding::polarity_reading understanding::polarity(const words& w) const {
  auto c = core(w);
  polarity_reading r;
  if (c.empty()) {
    // Nothing but fillers: "ok", "ok thanks".
    std::vector<std::string> raw;
    for (const auto& t : w.tokens)
      if (t != clause_break) raw.push_back(t);
    if (whole_is(raw, lang_.yes)) return {1, true};
    // "ok go", "ok thanks": an acknowledgement with a yes in it.
    for (const auto& t : raw)
      if (contains(lang_.yes, t)) return {1, true};
    return r;
  }
  if (whole_is(c, lang_.yes)) return {1, true};
  if (whole_is(c, lang_.no)) return {-1, true};
  // A leading yes or no, then more: "yes that's right", "nope, just requests". Not the verb
  // that opens a question: "does node run on windows?" ("it does" is a yes).
  if (!w.tokens.empty() && contains(lang_.question_starts, w.tokens.front()) &&
      !contains(lang_.yes, w.tokens.front()))
    return r;
  for (std::size_t len = std::min<std::size_t>(c.size() - 1, 4); len >= 1; --len) {
    std::vector<std::string> head(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(len));
    // "absolutely not", "of course not": a yes word whose only other word denies it is a no.
    if (whole_is(head, lang_.yes) && c.size() == len + 1 &&
        contains(lang_.grammar.negators, c[len]))
      return {-1, true};
    if (whole_is(head, lang_.yes)) return {1, false};
    if (whole_is(head, lang_.no)) return {-1, false};
  }
  return r;
}

const option* understanding::by_polarity(const question& q, int sign) const {
  if (sign == 0) return nullptr;
  return q.find_reply(sign > 0 ? "yes" : "no");
}

std::optional<int> understanding::ordinal(const words& said) const {
  // "the second of the four", "of the four you have listed, number three": how many options
  // there are is no position.
  words w;
  std::set<std::size_t> of_list;  // "second" in "the second of the four": a position
  int listed = 0;                 // "the last of the three" is the third
  for (std::size_t i = 0; i < said.tokens.size(); ++i) {
    if (said.tokens[i] == "of") {
      std::size_t k = i + 1;
      if (k < said.tokens.size() && contains(lang_.grammar.list_determiners, said.tokens[k])) ++k;
      if (k < said.tokens.size() && k > i + 1)
        if (auto n = lang_.numbers.find(said.tokens[k]);
            n != lang_.numbers.end() && n->second >= 2) {
          if (!w.tokens.empty()) of_list.insert(w.tokens.size() - 1);
          listed = static_cast<int>(n->second);
          i = k;
          continue;
        }
    }
    w.tokens.push_back(said.tokens[i]);
    w.stems.push_back(said.stems[i]);
  }
  // "undo that last answer", "my last answer was wrong": a turn already taken, no position.
  for (const auto& p : lang_.grammar.past_answers)
    if (!spans_of(w, p).empty()) return std::nullopt;
  // "the one before the last": a position in several words, with nothing but list words around.
  for (const auto& [phrase, n] : lang_.ordinal_phrases)
    for (const auto& sp : spans_of(w, phrase)) {
      words rest = slice(w, 0, sp.begin);
      const words after = slice(w, sp.end, w.tokens.size());
      rest.tokens.insert(rest.tokens.end(), after.tokens.begin(), after.tokens.end());
      const auto left = core(rest);
      if (std::all_of(left.begin(), left.end(),
                      [&](const std::string& t) { return contains(lang_.ordinal_words, t); }))
        return n;
    }
  // "3rd one sounds like us", "uhh the second option i guess": a position word (not a number
  // word: "two devs") with a list noun right after it names an option, whatever is said around
  // it, when it is the only position and nothing is denied.
  // "the second option i think? yeah, second": the same position said again is still one.
  std::optional<int> named;
  std::set<int> other_positions;
  for (std::size_t i = 0; i < w.tokens.size(); ++i) {
    const auto& t = w.tokens[i];
    if (contains(lang_.grammar.negators, t)) return strict_ordinal(w);
    // "3rd one", "the second option"; "number three", "option 3".
    const bool noun_before =
        i > 0 && w.tokens[i - 1] != "one" && contains(lang_.reference_nouns, w.tokens[i - 1]);
    // "going w/ #2": a number marked with '#' is a position too.
    // Not "p99 under peak load is our #1 risk": a word after it makes it a rank of that word.
    // "#2 for sure lah, that's us": only fillers, yes words and hedges after it in its clause
    // leave it a position.
    const auto rest_of_clause_empty = [&] {
      std::size_t end = i + 1;
      while (end < w.tokens.size() && w.tokens[end] != clause_break) ++end;
      const auto rest = core(slice(w, i + 1, end));
      return rest.empty() || whole_is(rest, lang_.yes) || whole_is(rest, lang_.hedges);
    };
    const bool hashed =
        t.size() == 2 && t[0] == '#' && t[1] >= '1' && t[1] <= '9' &&
        (i + 1 == w.tokens.size() || w.tokens[i + 1] == clause_break ||
         contains(lang_.reference_nouns, w.tokens[i + 1]) || rest_of_clause_empty());
    // "3. obviously. what else would it be", "2 I think. Yeah, 2": a bare digit that opens the
    // message as a clause of its own is a position, as the digit alone is.
    const bool opening_digit = t.size() == 1 && t[0] >= '1' && t[0] <= '9' &&
                               (i == 0 || (w.tokens[i - 1] == clause_break && named)) &&
                               rest_of_clause_empty() &&
                               std::all_of(w.tokens.begin(), w.tokens.end(),
                                           [&](const auto& o) { return !has_digit(o) || o == t; });
    // "every last one of them", "every second week": an idiom or how often, no position.
    if (i > 0 && w.tokens[i - 1] == "every") continue;
    // "heavy load is our number one worry", "the first thing we need": a rank, no option.
    if (i + 1 < w.tokens.size() && contains(lang_.grammar.rank_nouns, w.tokens[i + 1])) continue;
    int value = 0;
    if (auto it = lang_.ordinals.find(t); it != lang_.ordinals.end())
      value = it->second;
    else if (t.size() == 1 && t[0] >= '1' && t[0] <= '9' && noun_before)
      value = t[0] - '0';
    else if (hashed)
      value = t[1] - '0';
    else if (opening_digit)
      value = t[0] - '0';
    else
      continue;
    // "the 3rd sounds right for us": "the" before a position word (not a number word) that
    // a verb of fitting follows.
    // "the third of those describes us": the list named between them.
    const std::size_t verb_at = i + 2 < w.tokens.size() && w.tokens[i + 1] == "of" &&
                                        contains(lang_.grammar.list_determiners, w.tokens[i + 2])
                                    ? i + 3
                                    : i + 1;
    const bool the_before = i > 0 && w.tokens[i - 1] == "the" && !lang_.numbers.count(t) &&
                            verb_at < w.tokens.size() &&
                            contains(lang_.grammar.fitting_verbs, w.tokens[verb_at]);
    const bool position = (!lang_.numbers.count(t) && i + 1 < w.tokens.size() &&
                           contains(lang_.reference_nouns, w.tokens[i + 1])) ||
                          the_before || noun_before || hashed || opening_digit ||
                          (!lang_.numbers.count(t) && of_list.count(i));
    if (!position) {
      // Only "one" (a number word that is also a filler, as in "the 3rd one") is no position.
      if (!(lang_.numbers.count(t) && contains(lang_.fillers, t))) other_positions.insert(value);
      continue;
    }
    if (named && *named != value) return strict_ordinal(w);
    named = value;
  }
  if (named && (other_positions.empty() || other_positions == std::set<int>{*named}))
    return *named == -1 && listed > 0 ? listed : *named;
  return strict_ordinal(w);
}

std::optional<int> understanding::strict_ordinal(const words& w) const {
  std::optional<int> found;
  bool several = false;
  const auto c = core(w);
  for (std::size_t i = 0; i < c.size(); ++i) {
    const auto& t = c[i];
    if (contains(lang_.ordinal_words, t)) continue;
    // "yeah, second": a yes before the position agrees with the list; it picks nothing.
    if (!found && i + 1 < c.size() && contains(lang_.yes, t)) continue;
    std::string_view v = t;
    while (!v.empty() && (v.front() == '#')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == '.' || v.back() == ')')) v.remove_suffix(1);
    int n = 0;
    if (!v.empty() && v.size() < 3 && std::all_of(v.begin(), v.end(), [](char ch) {
          return std::isdigit(static_cast<unsigned char>(ch));
        })) {
      n = std::atoi(std::string(v).c_str());
      if (n > 9) return std::nullopt;  // "10-20 thousand": no list is that long
    } else if (auto it = lang_.ordinals.find(std::string(v)); it != lang_.ordinals.end()) {
      n = it->second;
    } else {
      return std::nullopt;  // another word: not just a position
    }
    // "the first or the third", "kinda the first two": several positions, which is 0, when
    // nothing but positions is said ("2 or 3 thousand" is a number).
    if (found && *found != n) several = true;
    found = n;
  }
  if (several) return 0;
  return found;
}

std::optional<double> understanding::quantity(const words& w, bool speakers,
                                              const std::vector<std::string>* units) const {
  std::optional<double> best;
  // "definitely not thousands, we're a 12-person practice": a count of a few thousand or
  // fewer denied, with no other count said, is below it ("not millions" says less).
  std::optional<double> below;
  const auto& t = w.tokens;
  // "we're 4 students", "a team of 6": the phrase ends right before the number.
  auto counts_speakers = [&](std::size_t i) {
    return std::any_of(lang_.speaker_counts.begin(), lang_.speaker_counts.end(),
                       [&](const std::string& lead) {
                         const auto at = spans_of(w, lead);
                         return std::any_of(at.begin(), at.end(),
                                            [&](const found_span& sp) { return sp.end == i; });
                       });
  };
  auto multiplier = [&](std::size_t i, std::size_t& used) -> std::optional<double> {
    // Longest multiplier phrase first ("tens of thousands").
    for (std::size_t len = 3; len >= 1; --len) {
      if (i + len > t.size()) continue;
      std::string phrase;
      for (std::size_t k = i; k < i + len; ++k) phrase += (k > i ? " " : "") + t[k];
      if (auto it = lang_.multipliers.find(phrase); it != lang_.multipliers.end()) {
        used = len;
        return it->second;
      }
    }
    return std::nullopt;
  };
  for (std::size_t i = 0; i < t.size(); ++i) {
    double value = 0;
    bool have = false;
    std::size_t j = i;
    std::string_view tok = t[i];
    while (!tok.empty() && (tok.front() == '~' || tok.front() == '+')) tok.remove_prefix(1);
    if (!tok.empty() && std::isdigit(static_cast<unsigned char>(tok.front()))) {
      // "5000", "5k", "1.5m", "10k+", "100%" (not a count).
      std::size_t k = 0;
      while (k < tok.size() && (std::isdigit(static_cast<unsigned char>(tok[k])) || tok[k] == '.'))
        ++k;
      std::string digits(tok.substr(0, k));
      std::string suffix(tok.substr(k));
      while (!suffix.empty() && (suffix.back() == '+' || suffix.back() == '.')) suffix.pop_back();
      // "150ish", "5kish": about that many.
      if (suffix.ends_with("ish")) suffix.resize(suffix.size() - 3);
      // "100.000 users": dots between groups of three digits, and no unit after them, group
      // thousands (as written in much of Europe); "1.5k" and "3.12" keep their decimal point.
      if (suffix.empty() && grouped_thousands(digits)) std::erase(digits, '.');
      value = std::atof(digits.c_str());
      if (suffix == "%") continue;
      // "a vendor built it back in 2010", "since 1998": a year, not a count.
      if (suffix.empty() && digits.size() == 4 && value >= 1950 && value <= 2099 && i > 0 &&
          (t[i - 1] == "in" || t[i - 1] == "since" || t[i - 1] == "from" || t[i - 1] == "of" ||
           t[i - 1] == "by" || t[i - 1] == "until"))
        continue;
      // "express running on node 10", "python 3.11 scripts": a version, not a count.
      if (suffix.empty() && i > 0 && names_stack(fw_, t[i - 1])) continue;
      if (!suffix.empty()) {
        auto it = lang_.multipliers.find(suffix);
        if (it == lang_.multipliers.end()) continue;
        value *= it->second;
      }
      have = true;
      j = i + 1;
    } else if (auto it = lang_.numbers.find(t[i]); it != lang_.numbers.end()) {
      value = it->second;
      j = i + 1;
      // "a couple", "a few": the article adds nothing.
      if (j < t.size()) {
        if (auto next = lang_.numbers.find(t[j]); next != lang_.numbers.end() && value == 1) {
          value = next->second;
          ++j;
        }
      }
      if (j < t.size() && t[j] == "of") ++j;  // "a couple of hundred"
      std::size_t used = 0;
      if (j < t.size() && multiplier(j, used)) {
        have = true;
      } else if (units && j < t.size() && contains(*units, t[j])) {
        // "an orders table", "a users table": an article before a plural names a thing.
        if (j == i + 1 && value == 1 && t[j].ends_with('s')) continue;
        have = true;  // "a dozen endpoints": the unit counted is said
      } else {
        continue;  // "a few" on its own is no quantity
      }
    }
    std::size_t used = 0;
    if (!have) {
      auto m = multiplier(i, used);
      if (!m) continue;
      // "thousands of users" is a count on its own; "grand", "k" or "thousand" needs a number
      // before it ("request/response is grand for them" counts nothing).
      if (!t[i + used - 1].ends_with('s')) continue;
      value = *m;
      have = true;
      j = i + used;
    } else {
      while (j < t.size()) {
        auto m = multiplier(j, used);
        if (!m) break;
        // "hundreds" after a number reads as "hundred".
        value *= (*m == 300 ? 100 : *m == 3000 ? 1000 : *m == 3000000 ? 1000000 : *m);
        j += used;
      }
    }
    // "in like 6 weeks", "10+ years": a time, not a count.
    const bool duration = j < t.size() && contains(lang_.durations, t[j]);
    // "a few hundred k req/day": requests over a period, not at once.
    if (j < t.size() && contains(lang_.rates.units, t[j])) {
      std::size_t k = j + 1;
      if (k < t.size() && contains(lang_.rates.per, t[k])) ++k;
      if (k < t.size())
        if (auto p = lang_.rates.periods.find(t[k]);
            p != lang_.rates.periods.end() && p->second > 0)
          value /= p->second;
    }
    // "not thousands, no way", "it will not be hundreds of thousands, nor even thousands": a
    // count denied is no count (a softener or "be" may stand between).
    std::size_t before = i;
    while (before > 0 && i - before < 2 &&
           (contains(lang_.grammar.softeners, t[before - 1]) ||
            contains(lang_.grammar.count_softeners, t[before - 1])))
      --before;
    const bool denied = before > 0 && contains(lang_.grammar.negators, t[before - 1]);
    // "a 12-person startup": the size of a team, not a count of users; "people rotate every
    // 2": how often, not how many.
    const bool sized = (j < t.size() && contains(lang_.grammar.size_units, t[j])) ||
                       (i > 0 && t[i - 1] == "every");
    // "way past a few thousand at once": far more than the count said.
    if (have && i > 0 &&
        std::any_of(lang_.far_above.phrases.begin(), lang_.far_above.phrases.end(),
                    [&](const std::string& p) {
                      const auto at = spans_of(w, p);
                      return std::any_of(at.begin(), at.end(),
                                         [&](const found_span& sp) { return sp.end == i; });
                    }))
      value *= lang_.far_above.factor;
    if (have && !duration && !denied && !sized && (speakers || !counts_speakers(i)) &&
        (!best || value > *best))
      best = value;
    if (have && !duration && denied && !sized && value <= 3000 && (!below || value / 10 < *below))
      below = value / 10;
    i = j > i ? j - 1 : i;
  }
  return best ? best : below;
}

std::optional<double> understanding::share(const words& w, const quantity_rule& rule) const {
  const auto& t = w.tokens;
  for (std::size_t i = 0; i < t.size(); ++i) {
    std::string_view tok = t[i];
    while (!tok.empty() && (tok.front() == '~' || tok.front() == '<' || tok.front() == '>'))
      tok.remove_prefix(1);
    std::size_t k = 0;
    while (k < tok.size() && (std::isdigit(static_cast<unsigned char>(tok[k])) || tok[k] == '.'))
      ++k;
    if (k == 0) continue;
    const std::string value(tok.substr(0, k));
    // "5%", or "5 percent" / "5 pct": a unit of the rule right after the number.
    const bool percent = (tok.substr(k) == "%" ||
                          (k == tok.size() && i + 1 < t.size() && contains(rule.units, t[i + 1])));
    if (percent) return std::atof(value.c_str());
  }
  return std::nullopt;
}

bool understanding::counted(const question& q) const {
  // Every option is a band of a rule (load), not just one of them (a head count that says
  // "established company").
  return std::any_of(lang_.quantities.begin(), lang_.quantities.end(), [&](const quantity_rule& r) {
    return r.question == q.id && !r.share &&
           std::all_of(q.options.begin(), q.options.end(), [&](const option& o) {
             return std::any_of(r.bands.begin(), r.bands.end(),
                                [&](const quantity_band& b) { return b.option == o.id; });
           });
  });
}

bool understanding::has_wh_word(const words& w) const {
  return std::any_of(w.tokens.begin(), w.tokens.end(),
                     [&](const std::string& t) { return contains(lang_.grammar.wh_words, t); });
}

bool understanding::counts_elsewhere(const words& w, const quantity_rule& rule) const {
  auto own_unit = [&](std::size_t i) -> const std::string* {
    std::size_t k = i + 1;
    if (k < w.tokens.size() && lang_.multipliers.count(w.tokens[k])) ++k;
    // "all 300 of our shops": the unit after "of" and its determiner.
    if (k + 2 < w.tokens.size() && w.tokens[k] == "of" &&
        contains(lang_.grammar.object_determiners, w.tokens[k + 1]))
      k += 2;
    return k < w.tokens.size() ? &w.tokens[k] : nullptr;
  };
  bool any = false;
  for (std::size_t i = 0; i < w.tokens.size(); ++i) {
    // "thousands of users": a count in words is one of this question's too.
    if (lang_.multipliers.count(w.tokens[i]) && (i == 0 || !has_digit(w.tokens[i - 1])))
      return false;
    if (!has_digit(w.tokens[i])) continue;
    const std::string* unit = own_unit(i);
    if (!unit || contains(rule.units, *unit)) return false;
    const bool other =
        std::any_of(lang_.quantities.begin(), lang_.quantities.end(), [&](const quantity_rule& r) {
          return r.question != rule.question && contains(r.units, *unit);
        });
    if (!other) return false;
    any = true;
  }
  return any;
}

const option* understanding::by_quantity(const question& q, const words& w, bool pending) const {
  for (const auto& rule : lang_.quantities) {
    if (rule.question != q.id || (rule.only_when_asked && !pending)) continue;
    if (rule.share) {
      // "like 5% of the work is analytics": a share of the work the question is about.
      auto value = share(w, rule);
      if (!value || std::none_of(q.phrases.begin(), q.phrases.end(),
                                 [&](const std::string& p) { return mentions(w, p); }))
        continue;
      for (const auto& band : rule.bands)
        if (band.below == 0 || *value < band.below) return q.find_option(band.option);
      continue;
    }
    // "we're 4 students": how many they are is no load, though it may say how big the company is.
    // "eighty kids": a number in words counts with its unit right after it.
    auto value = quantity(w, rule.requires_unit, &rule.units);
    if (!value) continue;
    // "the client is an insurer with ~5k staff": every number's own unit (the word after it or
    // after its multiplier) is another question's, so it counts that, not this question's
    // ("client" elsewhere in the sentence is no unit of the 5k). Asked this question, a number
    // may answer it without its unit.
    if (!pending && counts_elsewhere(w, rule)) continue;
    // The unit stands in a clause with a number: in "3 devs who write typescript, and it's
    // live sync between users" the 3 counts no users.
    const auto clause = clauses(w);
    std::vector<std::size_t> counted_clauses;
    for (std::size_t i = 0; i < w.tokens.size(); ++i)
      if (has_digit(w.tokens[i]) || lang_.multipliers.count(w.tokens[i]))
        counted_clauses.push_back(clause[i]);
    bool unit = std::any_of(rule.units.begin(), rule.units.end(), [&](const std::string& u) {
      const auto at = spans_of(w, u);
      return std::any_of(at.begin(), at.end(), [&](const found_span& sp) {
        return std::find(counted_clauses.begin(), counted_clauses.end(), clause[sp.begin]) !=
                   counted_clauses.end() ||
               (sp.begin > 0 && lang_.numbers.count(w.tokens[sp.begin - 1]));
      });
    });
    // "they won't all be on at once": concurrency denied in its clause is none. `counted`: the
    // concurrency word stands in a clause with a number.
    const auto at_once_word = [&](bool counted) {
      return std::any_of(
          rule.concurrent_words.begin(), rule.concurrent_words.end(), [&](const std::string& u) {
            const auto at = spans_of(w, u);
            return std::any_of(at.begin(), at.end(), [&](const found_span& sp) {
              for (std::size_t k = sp.begin; k-- > 0 && clause[k] == clause[sp.begin];)
                if (contains(lang_.grammar.negators, w.tokens[k])) return false;
              return !counted || std::find(counted_clauses.begin(), counted_clauses.end(),
                                           clause[sp.begin]) != counted_clauses.end();
            });
          });
    };
    const bool at_once = at_once_word(false);
    // "tens of thousands of people at once" is a load; "4 people in a garage" is not, nor is
    // "a startup of 3 people, making an app for live chat" (the "live" counts nobody).
    unit = unit || (at_once_word(true) &&
                    std::any_of(rule.units_at_once.begin(), rule.units_at_once.end(),
                                [&](const std::string& u) { return mentions(w, u); }));
    // A question may count in more than one unit (lines of code, endpoints): the next rule.
    if (!unit && (!pending || rule.requires_unit)) continue;
    for (const auto& band : rule.bands) {
      double bound = at_once && band.concurrent_below > 0 ? band.concurrent_below : band.below;
      if (bound == 0 || *value < bound) return q.find_option(band.option);
    }
  }
  return nullptr;
}

std::vector<const option*> understanding::by_each_quantity(const question& q,
                                                           const words& w) const {
  std::vector<const option*> out;
  for (std::size_t i = 0; i < w.tokens.size(); ++i) {
    // "could be fifty, could be fifty thousand": a number in words counts too, when it is no
    // mere "one" or "two" (a count of anything) or a multiplier follows it.
    if (!has_digit(w.tokens[i])) {
      const auto n = lang_.numbers.find(w.tokens[i]);
      if (n == lang_.numbers.end()) continue;
      const bool multiplied = i + 1 < w.tokens.size() && lang_.multipliers.count(w.tokens[i + 1]);
      if (n->second < 10 && !multiplied) continue;
    }
    words one;
    // The number with the multiplier and the unit after it: "500 thousand users".
    for (std::size_t k = i; k < w.tokens.size() && k < i + 3; ++k) {
      if (k > i && (w.tokens[k] == clause_break || has_digit(w.tokens[k]))) break;
      one.tokens.push_back(w.tokens[k]);
      one.stems.push_back(w.stems[k]);
    }
    // "could be fifty, could be fifty thousand": a number word counts as its digits do, alone
    // (not "ten" in "ten or fifteen thousand", the first end of a range).
    if (!has_digit(one.tokens.front()) &&
        !(i + 1 < w.tokens.size() && contains(lang_.range_words, w.tokens[i + 1])))
      if (const auto n = lang_.numbers.find(one.tokens.front()); n != lang_.numbers.end())
        one.tokens.front() = one.stems.front() = std::to_string(static_cast<long long>(n->second));
    // "2 or 3 thousand users", "5 to 10 million": a bare number before a range word takes the
    // multiplier (and the unit) of the number after it.
    const auto bare = [&](std::size_t k) {
      return std::all_of(w.tokens[k].begin(), w.tokens[k].end(),
                         [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); });
    };
    if (i + 3 < w.tokens.size() && bare(i) && contains(lang_.range_words, w.tokens[i + 1]) &&
        bare(i + 2) && lang_.multipliers.count(w.tokens[i + 3])) {
      one.tokens.assign({w.tokens[i]});
      one.stems.assign({w.stems[i]});
      for (std::size_t k = i + 3; k < w.tokens.size() && k < i + 5; ++k) {
        if (w.tokens[k] == clause_break) break;
        one.tokens.push_back(w.tokens[k]);
        one.stems.push_back(w.stems[k]);
      }
    }
    if (const option* o = by_quantity(q, one, true))
      if (std::find(out.begin(), out.end(), o) == out.end()) out.push_back(o);
  }
  return out;
}

std::vector<std::string> understanding::other_subjects(const words& w) const {
  std::vector<std::string> out;
  std::vector<bool> idiom(w.tokens.size(), false);  // "every point in one go"
  for (const auto& p : lang_.subject_idioms)
    for (const auto& sp : spans_of(w, p))
      for (std::size_t k = sp.begin; k < sp.end; ++k) idiom[k] = true;
  for (std::size_t i = 0; i < w.tokens.size(); ++i) {
    // "what's Rust's async story like": the subject with an apostrophe s.
    std::string t = w.tokens[i];
    if (t.size() > 2 && t.ends_with("'s")) t.resize(t.size() - 2);
    if (idiom[i] || !contains(lang_.other_subjects, t)) continue;
    // "should we just go node": a verb, not the language.
    if (auto verb = lang_.subject_verbs.find(t);
        verb != lang_.subject_verbs.end() && i + 1 < w.tokens.size() &&
        (contains(verb->second, w.tokens[i + 1]) || names_stack(fw_, w.tokens[i + 1])))
      continue;
    out.push_back(t);
  }
  for (const auto& p : lang_.uncovered_phrases)
    if (!spans_of(w, p).empty()) out.push_back(p);
  // "does python 3.13 remove the GIL?": the sources speak of the stacks, not of their releases.
  for (std::size_t i = 1; i < w.tokens.size(); ++i) {
    const auto& t = w.tokens[i];
    const auto dot = t.find('.');
    if (dot != std::string::npos && dot > 0 && dot + 1 < t.size() &&
        names_stack(fw_, w.tokens[i - 1]) && std::all_of(t.begin(), t.end(), [](char ch) {
          return std::isdigit(static_cast<unsigned char>(ch)) || ch == '.';
        }))
      out.push_back(t);
  }
  return out;
}

bool understanding::opens_question(const words& w) const {
  return !w.tokens.empty() && contains(lang_.question_starts, w.tokens.front());
}

std::size_t understanding::unknown_words(const words& w) const {
  return static_cast<std::size_t>(
      std::count_if(w.tokens.begin(), w.tokens.end(), [&](const std::string& t) {
        return t != clause_break && t.size() >= 3 && !has_digit(t) && !known_.count(t);
      }));
}

bool understanding::aside(const words& w, std::string_view subject) const {
  const auto& gr = lang_.grammar;
  bool seen = false;
  for (std::size_t i = 0; i < w.tokens.size(); ++i) {
    if (w.tokens[i] != subject) continue;
    seen = true;
    bool compared = false;
    for (std::size_t k = i >= 2 ? i - 2 : 0; k < i && !compared; ++k)
      compared = contains(gr.aside_markers, w.tokens[k]) &&
                 !(k > 0 && contains(gr.likeness_asks, w.tokens[k - 1]));
    if (!compared) return false;
  }
  return seen;
}

bool understanding::surrounding(std::string_view subject) const {
  return contains(lang_.surroundings, subject);
}

std::string understanding::search_query(const words& w) const {
  // Where a chat phrase starts, its term replaces it; the longest phrase wins.
  std::vector<std::pair<std::size_t, const std::string*>> replaced(w.tokens.size(), {0, nullptr});
  for (const auto& [from, to] : lang_.search_terms)
    for (const auto& sp : spans_of(w, from))
      if (sp.end - sp.begin > replaced[sp.begin].first)
        replaced[sp.begin] = {sp.end - sp.begin, &to};
  std::string out;
  for (std::size_t i = 0; i < w.tokens.size();) {
    const std::string& t = replaced[i].second ? *replaced[i].second : w.tokens[i];
    if (t != clause_break && !t.empty()) out += (out.empty() ? "" : " ") + t;
    i += replaced[i].second ? replaced[i].first : 1;
  }
  return out;
}

bool understanding::greets(const words& w) const {
  return std::any_of(lang_.greetings.begin(), lang_.greetings.end(),
                     [&](const std::string& g) { return !spans_of(w, g).empty(); });
}

bool understanding::mixed(const words& w) const {
  // "can't decide what to write the backend in" is the decision itself, not a mix of options.
  return std::any_of(lang_.mixes.begin(), lang_.mixes.end(), [&](const std::string& h) {
    const auto at = spans_of(w, h);
    return std::any_of(at.begin(), at.end(), [&](const found_span& sp) {
      if (sp.end >= w.tokens.size()) return true;
      const std::string& next = w.tokens[sp.end];
      // "the DS folks write half the prod code", "rewrite half of it": a share of a thing.
      if (h == "half" && (next == "of" || contains(lang_.grammar.list_determiners, next)))
        return false;
      // "halfway through a bootcamp": how far along, not between two options.
      if (h == "halfway" && (next == "through" || next == "into" || next == "done")) return false;
      // "half a million lines": a number; "in half a year": a time.
      if (h == "half" && (next == "a" || next == "an") && sp.end + 1 < w.tokens.size() &&
          (lang_.multipliers.count(w.tokens[sp.end + 1]) ||
           contains(lang_.durations, w.tokens[sp.end + 1])))
        return false;
      return !contains(lang_.grammar.wh_words, next);
    });
  });
}

bool understanding::asks_back(const words& w) const {
  if (!w.question_mark) return false;
  // The last clause with words in it.
  std::size_t end = w.tokens.size();
  while (end > 0 && w.tokens[end - 1] == clause_break) --end;
  std::size_t begin = end;
  while (begin > 0 && w.tokens[begin - 1] != clause_break) --begin;
  if (begin == 0) return false;  // one clause: no answer given before the question
  const words last = slice(w, begin, end);
  if (whole_is(last.tokens, lang_.grammar.asks_back_whole)) return true;
  return std::any_of(lang_.grammar.asks_back.begin(), lang_.grammar.asks_back.end(),
                     [&](const std::string& p) { return !spans_of(last, p).empty(); });
}

bool understanding::between_options(const question& q, const words& w) const {
  // The question's options by their one-word names ("small", "medium", "low", "moderate").
  auto option_of = [&](const std::string& word) -> const option* {
    for (const auto& o : q.options) {
      if (o.id == word) return &o;
      for (const auto* names : {&o.replies, &o.synonyms})
        for (const auto& n : *names)
          if (n == word) return &o;
    }
    return nullptr;
  };
  // Tokens with their hyphens and slashes as words of their own ("small-to-medium").
  std::vector<std::string> parts;
  std::vector<std::size_t> owner;
  for (std::size_t i = 0; i < w.tokens.size(); ++i) {
    std::string piece;
    for (char c : w.tokens[i]) {
      if (c == '-' || c == '/') {
        if (!piece.empty()) parts.push_back(piece), owner.push_back(i);
        parts.emplace_back(1, c), owner.push_back(i);
        piece.clear();
      } else {
        piece += c;
      }
    }
    if (!piece.empty()) parts.push_back(piece), owner.push_back(i);
  }
  auto joins = [&](const std::string& t) { return t == "/" || contains(lang_.range_words, t); };
  // A question with an option for both reads "python/ts" as that option.
  const bool has_both = q.find_reply("both") != nullptr;
  for (std::size_t k = 0; !has_both && k + 2 < parts.size(); ++k) {
    const option* a = option_of(parts[k]);
    const option* b = option_of(parts[k + 2]);
    if (!a || !b || a == b || !joins(parts[k + 1])) continue;
    // "not small or medium": a denial, not an answer between the two.
    if (negated_before(lang_, w, owner[k])) continue;
    return true;
  }
  // "so... 1 and 2?", "somewhere between the 2nd and 3rd option?", "options 1 or 3": two
  // positions in the list, at the end of the message or after a list word.
  auto position = [&](std::size_t i) {
    const std::string& t = w.tokens[i];
    if (auto it = lang_.ordinals.find(t); it != lang_.ordinals.end() && !lang_.numbers.count(t))
      return it->second >= 1 && it->second <= static_cast<int>(q.options.size());
    return t.size() == 1 && t[0] >= '1' && t[0] - '0' <= static_cast<int>(q.options.size());
  };
  const auto& tk = w.tokens;
  for (std::size_t i = 0; i + 2 < tk.size(); ++i) {
    // "somewhere between your first two", "between the last 2": two places in one.
    if (tk[i] == "between") {
      std::size_t k = i + 1;
      if (k < tk.size() && (tk[k] == "the" || tk[k] == "your" || tk[k] == "these")) ++k;
      if (k + 1 < tk.size() && (tk[k] == "first" || tk[k] == "last" || tk[k] == "top") &&
          (tk[k + 1] == "two" || tk[k + 1] == "2"))
        return true;
    }
    // "the second or the third one": an article may stand before the second place.
    const std::size_t j = tk[i + 2] == "the" ? i + 3 : i + 2;
    if (j >= tk.size() || !position(i) || !position(j) || tk[i] == tk[j]) continue;
    if (!(tk[i + 1] == "and" || joins(tk[i + 1]))) continue;
    std::size_t after = j + 1;
    while (after < tk.size()) {
      if (contains(lang_.reference_nouns, tk[after])) {
        ++after;
      } else if (const std::size_t n = filler_at(w, after); n > 0) {
        after += n;  // "... between 2 and 3 tbh?"
      } else {
        break;
      }
    }
    // The pair ends its clause: "between 1 and 2 million users" is a count, no places.
    const bool at_end = after == tk.size();
    if (!at_end && tk[after] != std::string(clause_break)) continue;
    std::size_t before = i;
    while (before > 0 && tk[before - 1] == "the") --before;
    const bool listed = before > 0 && (contains(lang_.reference_nouns, tk[before - 1]) ||
                                       tk[before - 1] == "between");
    // "sort of the first and the second? ...", "the second or the third one, I keep
    // flip-flopping": the pair opens the message (fillers aside).
    std::size_t lead = 0;
    auto hedge_at = [&](std::size_t at) -> std::size_t {
      for (const auto& h : lang_.hedges)
        for (const auto& sp : spans_of(w, h))
          if (sp.begin == at) return sp.end - sp.begin;
      return 0;
    };
    while (lead < before)
      if (const std::size_t n = std::max(filler_at(w, lead), hedge_at(lead)); n > 0)
        lead += n;
      else
        break;
    if (at_end || listed || lead >= before) return true;
  }
  return false;
}

std::vector<std::pair<std::size_t, std::size_t>> understanding::open_questions(
    const words& w) const {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  const auto clause = clauses(w);
  for (const auto& p : lang_.grammar.open_questions)
    for (const auto& sp : spans_of(w, p)) {
      std::size_t end = sp.end;
      while (end < w.tokens.size() && clause[end] == clause[sp.begin]) ++end;
      out.emplace_back(sp.begin, end);
    }
  // "maybe later i add some charts, maybe not": the clause before a take-back is left open.
  for (const auto& p : lang_.grammar.take_backs)
    for (const auto& sp : spans_of(w, p)) {
      if (sp.begin == 0 || w.tokens[sp.begin - 1] != clause_break) continue;
      std::size_t end = sp.end;
      while (end < w.tokens.size() && clause[end] == clause[sp.begin]) ++end;
      if (core(slice(w, sp.begin, end)).size() > sp.end - sp.begin) continue;
      std::size_t begin = sp.begin - 1;
      while (begin > 0 && w.tokens[begin - 1] != clause_break) --begin;
      out.emplace_back(begin, end);
    }
  return out;
}

std::optional<std::pair<std::size_t, std::size_t>> understanding::conclusion(const words& w) const {
  std::size_t end = w.tokens.size();
  while (end > 0 && w.tokens[end - 1] == clause_break) --end;
  std::size_t from = end;
  while (from > 0 && w.tokens[from - 1] != clause_break) --from;
  if (from == 0) return std::nullopt;  // one clause: nothing leads to it
  for (const auto& p : lang_.grammar.conclusions) {
    const auto& pw = phrase_words(p).tokens;
    if (pw.size() >= end - from ||
        !std::equal(pw.begin(), pw.end(), w.tokens.begin() + static_cast<std::ptrdiff_t>(from)))
      continue;
    if (const auto c = core(slice(w, from + pw.size(), end)); !c.empty() && c.size() <= 3)
      return std::pair{from + pw.size(), end};
  }
  return std::nullopt;
}

// "..., so the partner websites can pull listings": a clause that says what the answer is for.
bool says_purpose(const language& lang, const words& part) {
  const auto& gr = lang.grammar;
  std::size_t first = 0;  // the clause's break may open it
  while (first < part.tokens.size() && part.tokens[first] == clause_break) ++first;
  return std::any_of(gr.purposes.begin(), gr.purposes.end(),
                     [&](const std::string& p) {
                       const auto at = spans_of(part, p);
                       return !at.empty() && at.front().begin == first;
                     }) &&
         std::any_of(part.tokens.begin(), part.tokens.end(),
                     [&](const std::string& t) { return contains(gr.asking_modals, t); });
}

const option* understanding::lesser_in(const question& q, const words& part) const {
  // The clause without the words that call something small: "the codebase is small" names no
  // lesser thing, it answers the size.
  std::vector<char> drop(part.tokens.size(), 0);
  bool lesser = false;
  for (const auto& p : lang_.grammar.lesser)
    for (const auto& sp : spans_of(part, p)) {
      lesser = true;
      std::fill(drop.begin() + static_cast<std::ptrdiff_t>(sp.begin),
                drop.begin() + static_cast<std::ptrdiff_t>(sp.end), 1);
    }
  if (!lesser) return nullptr;
  words rest;
  for (std::size_t i = 0; i < part.tokens.size(); ++i)
    if (!drop[i]) {
      rest.tokens.push_back(part.tokens[i]);
      rest.stems.push_back(part.stems[i]);
    }
  const auto m = match_reply(q, rest);
  return m.chosen && !m.fuzzy ? m.chosen : nullptr;
}

std::vector<const option*> understanding::lesser_options(const question& q, const words& w) const {
  std::vector<const option*> out;
  for (const words& part : clause_parts(w)) {
    if (const option* o = lesser_in(q, part)) out.push_back(o);
    // What the answer is for is no answer beside it.
    if (says_purpose(lang_, part))
      if (const auto m = match_reply(q, part); m.chosen && !m.fuzzy) out.push_back(m.chosen);
  }
  return out;
}

bool understanding::changes_over_time(const words& w) const {
  auto said = [&](const std::vector<std::string>& phrases) {
    return std::any_of(phrases.begin(), phrases.end(),
                       [&](const std::string& p) { return !spans_of(w, p).empty(); });
  };
  if (!said(lang_.phases_now)) return false;
  // "none for now, maybe later": a clause with only a word for later and words that leave it
  // open says no other answer; "but it'll balloon later" says one.
  const auto& t = w.tokens;
  for (const auto& p : lang_.phases_later)
    for (const auto& sp : spans_of(w, p)) {
      std::size_t from = sp.begin, to = sp.end;
      while (from > 0 && t[from - 1] != clause_break) --from;
      while (to < t.size() && t[to] != clause_break) ++to;
      std::vector<bool> open(t.size(), false);
      for (std::size_t k = sp.begin; k < sp.end; ++k) open[k] = true;
      for (const auto& o : lang_.phases_open)
        for (const auto& at : spans_of(w, o))
          for (std::size_t k = at.begin; k < at.end; ++k) open[k] = true;
      if (!core(unmarked(w, from, to, open)).empty()) return true;
    }
  return false;
}

bool understanding::both_of_two(const question& q, const words& w) const {
  if (q.find_reply("both")) return false;
  const auto& t = w.tokens;
  for (std::size_t b = 0; b < t.size(); ++b) {
    if (!contains(lang_.grammar.both_words, t[b]) || negated_before(lang_, w, b)) continue;
    // The "and" of "both ... and", in the same clause.
    std::size_t a = b + 1;
    while (a < t.size() && !contains(lang_.grammar.both_pairs, t[a]) && t[a] != clause_break) ++a;
    if (a >= t.size() || t[a] == clause_break) continue;
    std::size_t end = a + 1;
    while (end < t.size() && t[end] != clause_break) ++end;
    // Each side by its words, or by what the examples make of them ("the traffic one").
    const auto option_in = [&](const words& part) -> const option* {
      const auto m = match_reply(q, part);
      if (m.chosen && !m.fuzzy) return m.chosen;
      return m.chosen || !m.candidates.empty() ? nullptr : classify_answer(q, part, {});
    };
    const option* first = option_in(slice(w, b + 1, a));
    const option* second = option_in(slice(w, a + 1, end));
    if (first && second && first != second) return true;
  }
  return false;
}

bool understanding::torn_across_but(const question& q, const words& w) const {
  const auto& t = w.tokens;
  if (std::any_of(t.begin(), t.end(),
                  [&](const std::string& x) { return contains(lang_.grammar.main_markers, x); }))
    return false;
  const auto option_in = [&](const words& part) -> const option* {
    const auto m = match_reply(q, part);
    return m.chosen && !m.fuzzy && m.candidates.size() <= 1 ? m.chosen : nullptr;
  };
  for (std::size_t i = 1; i + 1 < t.size(); ++i) {
    // "the busy storefront that also has to pull from the old ERP": so is "also".
    if (t[i] != "but" && t[i] != "also") continue;
    const words rest = slice(w, i + 1, t.size());
    // "reports, but no real analysis beyond that", "but the heavy analysis is done elsewhere":
    // the rest limits the answer rather than giving another.
    if (std::any_of(rest.tokens.begin(), rest.tokens.end(),
                    [&](const std::string& x) { return contains(lang_.grammar.negators, x); }) ||
        std::any_of(lang_.grammar.elsewhere.begin(), lang_.grammar.elsewhere.end(),
                    [&](const std::string& p) { return !spans_of(rest, p).empty(); }))
      continue;
    const option* before = option_in(slice(w, 0, i));
    const option* after = option_in(rest);
    if (before && after && before != after) return true;
  }
  return false;
}

bool understanding::hedged(const words& w) const {
  return std::any_of(lang_.hedges.begin(), lang_.hedges.end(),
                     [&](const std::string& h) { return !spans_of(w, h).empty(); });
}

std::vector<words> understanding::clause_parts(const words& w) const {
  const auto clause = clauses(w);
  std::vector<words> parts;
  for (std::size_t begin = 0; begin < w.tokens.size();) {
    std::size_t end = begin;
    while (end < w.tokens.size() && clause[end] == clause[begin]) ++end;
    parts.push_back(slice(w, begin, end));
    begin = end;
  }
  return parts;
}

const option* understanding::hedged_main(const question& q, const words& w) const {
  auto says_any = [](const words& part, const std::vector<std::string>& phrases) {
    return std::any_of(phrases.begin(), phrases.end(),
                       [&](const std::string& p) { return !spans_of(part, p).empty(); });
  };
  const std::vector<words> parts = clause_parts(w);
  // "mostly an API, and yeah we'd want live notifications": the one clause that opens by saying
  // which option is the main one says it for all ("1 python guy who mostly babysits the data
  // stuff" says nothing of the team). Not when another is set against it ("mostly python but
  // the new hires are js people"), nor where the question has an option for both ("Mostly
  // JavaScript, with a decent minority who'd rather be writing Python" may be that option).
  const bool contrasted = q.find_reply("both") ||
                          std::any_of(w.tokens.begin(), w.tokens.end(), [&](const std::string& t) {
                            return contains(lang_.grammar.contrasts, t);
                          });
  const option* marked = nullptr;
  int marks = 0;
  for (const words& part : parts)
    if (!contrasted && !part.tokens.empty() &&
        contains(lang_.grammar.main_markers, part.tokens.front())) {
      const auto m = match_reply(q, part);
      ++marks;
      if (m.chosen && !m.fuzzy && m.candidates.size() <= 1) marked = m.chosen;
    }
  if (marks == 1 && marked) return marked;
  // Each clause that names an option says the main one, unless it only adds ("python too") or
  // speaks of a few ("mostly python, a few java holdouts", "all of us do js, one guy knows a
  // bit of python"). At most one of the clauses left may hedge, and they must agree.
  const option* main = nullptr;
  int hedged = 0;
  for (const words& part : parts) {
    const auto m = match_reply(q, part);
    if (!m.chosen && m.candidates.empty()) continue;
    if (says_any(part, lang_.grammar.additions) || says_any(part, lang_.grammar.minorities) ||
        lesser_in(q, part))
      continue;
    if (says_purpose(lang_, part)) continue;
    // "the mobile app and the dealer websites call us": who calls the backend, not what it is.
    if (says_any(part, lang_.grammar.callers) && parts.size() > 1) continue;
    if (!m.chosen || m.fuzzy || (main && main != m.chosen)) return nullptr;
    main = m.chosen;
    if (says_any(part, lang_.hedges) && ++hedged > 1) return nullptr;
  }
  return main;
}

const option* understanding::by_head_counts(const question& q, const words& w) const {
  const option* both = q.find_reply("both");
  if (!both) return nullptr;
  auto count_in = [&](const words& part) -> std::optional<double> {
    std::optional<double> n;
    for (const auto& t : part.tokens) {
      double v = 0;
      if (t == "a" || t == "an") continue;  // "a little python": no count of people
      if (auto it = lang_.numbers.find(t); it != lang_.numbers.end())
        v = static_cast<double>(it->second);
      else if (!t.empty() && t.size() < 4 &&
               std::all_of(t.begin(), t.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
        v = std::stod(t);
      else
        continue;
      if (n) return std::nullopt;  // two numbers in one clause: whose count is it?
      n = v;
    }
    return n;
  };
  std::vector<std::pair<const option*, double>> counted;
  for (const words& part : clause_parts(w)) {
    const auto m = match_reply(q, part);
    if (!m.chosen && m.candidates.empty()) continue;
    const auto n = count_in(part);
    // "we've got a mix, two python folk and two js folk": a clause that only names the mix
    // leaves the counts to say how it splits.
    if (m.chosen == both && !m.fuzzy && !n) continue;
    if (!m.chosen || m.fuzzy || m.chosen == both) return nullptr;
    if (!n || *n <= 0) return nullptr;
    counted.emplace_back(m.chosen, *n);
  }
  if (counted.size() != 2 || counted[0].first == counted[1].first) return nullptr;
  const double a = counted[0].second, b = counted[1].second;
  if (a == b) return both;
  if (a >= 4 * b) return counted[0].first;
  if (b >= 4 * a) return counted[1].first;
  return nullptr;
}

bool understanding::weighs_alike(const words& w) const {
  return std::any_of(lang_.grammar.equal_weights.begin(), lang_.grammar.equal_weights.end(),
                     [&](const std::string& p) { return !spans_of(w, p).empty(); });
}

bool understanding::hedges_between(const words& w) const {
  std::vector<std::size_t> starts;
  for (const auto& h : lang_.hedges)
    for (const auto& sp : spans_of(w, h))
      if (std::find(starts.begin(), starts.end(), sp.begin) == starts.end() &&
          std::none_of(starts.begin(), starts.end(), [&](std::size_t b) {
            return b + 1 == sp.begin || sp.begin + 1 == b;  // "a bit of", "bit of": one hedge
          }))
        starts.push_back(sp.begin);
  return starts.size() > 1;
}

bool understanding::asks(const words& w) const {
  // "could be 100k, who knows": a last clause that is an idiom asks nothing; the rest may.
  {
    const std::size_t last = last_clause(w);
    std::string clause;
    for (std::size_t k = last; k < w.tokens.size(); ++k)
      clause += (clause.empty() ? "" : " ") + w.tokens[k];
    if (contains(lang_.grammar.idioms, clause)) return last >= 2 && asks(slice(w, 0, last - 1));
  }
  auto c = core(w);
  const auto& gr = lang_.grammar;
  // "what matters most to us is readable code", "what we need is speed": without a '?', a
  // first question word "what" followed by a verb or a subject and then "is" says what counts.
  if (!w.question_mark) {
    // The first that opens a clause: "not in a hurry, we are not. What counts is ..." ("are"
    // inside a clause opens nothing).
    std::size_t at = 0;
    while (at < w.tokens.size() &&
           !(contains(lang_.question_starts, w.tokens[at]) &&
             (at == 0 || w.tokens[at - 1] == clause_break || w.tokens[at] == "what")))
      ++at;
    if (at + 2 < w.tokens.size() && w.tokens[at] == "what" &&
        !contains(gr.inversions, w.tokens[at + 1])) {
      bool said = false;
      for (std::size_t k = at + 1; k < w.tokens.size() && k <= at + 5; ++k) {
        const std::string& t = w.tokens[k];
        if (t == clause_break) break;
        if ((t == "is" || t == "are" || t == "was") && said) return false;
        said = said || contains(gr.cleft_verbs, t) || contains(gr.subjects, t);
      }
    }
  }
  // "when results are declared 2 lakh students log in at once": without a '?', "when" and no
  // inverted verb after it opens a clause of time, not a question ("when is python better").
  if (!w.question_mark && w.tokens.size() > 2 &&
      (w.tokens[0] == "when" || w.tokens[0] == "whenever") &&
      !contains(gr.inversions, w.tokens[1])) {
    // "when we launch, is node faster" still asks, in its later clause.
    const std::size_t last = last_clause(w);
    return last > 0 && asks(slice(w, last, w.tokens.size()));
  }
  // "could be tens of thousands", "will be around for years", "won't be tiny", "will not be
  // huge": a statement that opens like a question.
  auto statement = [&](const std::vector<std::string>& t) {
    const std::size_t verb = t.size() > 2 && t[1] == "not" ? 2 : 1;
    return t.size() > verb && contains(gr.statement_modals, t[0]) &&
           contains(gr.statement_verbs, t[verb]);
  };
  if (statement(c) || statement(w.tokens)) return false;
  // "it has to talk to the old ERP", "we have to ship fast": a need, not a question; a later
  // clause may still ask ("we need to stream big files, which one handles that better").
  const bool need = std::any_of(gr.needs.begin(), gr.needs.end(), [&](const std::string& n) {
    const auto at = spans_of(w, n);
    return std::any_of(at.begin(), at.end(), [](const found_span& sp) { return sp.begin < 3; });
  });
  if (need) {
    const std::size_t last = last_clause(w);
    if (last == 0) return false;
    words rest = slice(w, last, w.tokens.size());
    rest.question_mark = w.question_mark;
    // "..., which is all .NET" goes on about the need; "which is better" asks.
    if (rest.tokens.size() > 1 && rest.tokens[0] == "which" &&
        contains(gr.inversions, rest.tokens[1]) &&
        std::none_of(rest.tokens.begin(), rest.tokens.end(),
                     [&](const std::string& t) { return contains(gr.comparatives, t); }))
      return false;
    return asks(rest);
  }
  // "it will become very big", "for me is most important ...": a verb after a subject that the
  // fillers hide is the statement's verb, not a question's inversion.
  auto after_subject = [&](std::size_t at) {
    if (!contains(gr.inversions, w.tokens[at])) return false;
    for (std::size_t k = 0; k < at; ++k)
      if (contains(gr.subjects, w.tokens[k])) return true;
    return false;
  };
  // "hello, is for me only": a verb followed by a preposition has no subject after it; the
  // writer dropped the one before it ("it is for me only").
  // "Can! Definitely want": a verb that ends its clause asks nothing of a subject (in Singapore
  // English, "can" alone says yes).
  auto no_subject = [&](std::size_t at) {
    if (!contains(gr.inversions, w.tokens[at])) return false;
    const bool ends_clause = at + 1 == w.tokens.size() || w.tokens[at + 1] == clause_break;
    return (ends_clause && !w.question_mark) ||
           (at + 1 < w.tokens.size() && contains(gr.no_subjects, w.tokens[at + 1]));
  };
  auto first_left = [&] {
    for (std::size_t k = 0; k < w.tokens.size(); ++k)
      if (!c.empty() && w.tokens[k] == c.front()) return k;
    return std::size_t{0};
  };
  // Fillers stand before many questions ("so, how fast is node"): the first word left counts,
  // and the first word typed.
  if (!c.empty() && contains(lang_.question_starts, c.front()) && !after_subject(first_left()) &&
      !no_subject(first_left()))
    return true;
  // "daily batches are fine for everyone who uses it": without a '?', a phrase opening with a
  // question word right after a word of the sentence is a relative clause, not a question.
  auto relative = [&](const found_span& sp) {
    if (w.question_mark || sp.begin == 0) return false;
    // "..., which is to say me": "which is" after a word, comparing nothing, goes on about it.
    if (w.tokens[sp.begin] == "which" && sp.begin + 1 < w.tokens.size() &&
        contains(gr.inversions, w.tokens[sp.begin + 1]))
      return std::none_of(w.tokens.begin() + static_cast<std::ptrdiff_t>(sp.begin), w.tokens.end(),
                          [&](const std::string& t) {
                            return contains(gr.comparatives, t) || contains(gr.comparing_words, t);
                          });
    if (!contains(gr.wh_words, w.tokens[sp.begin])) return false;
    const std::string& before = w.tokens[sp.begin - 1];
    // "django vs flask whats the difference": "what's" after a noun opens a new question; after
    // a verb ("that's what's needed") it is the verb's object.
    if (contains(gr.asking_contractions, w.tokens[sp.begin]) && !contains(gr.inversions, before) &&
        !contains(gr.softeners, before) && !contains(gr.subjects, before))
      return false;
    return before != clause_break && !contains(lang_.fillers, before) &&
           !contains(lang_.leads, before);
  };
  if (std::any_of(lang_.question_phrases.begin(), lang_.question_phrases.end(),
                  [&](const std::string& p) {
                    const auto at = spans_of(w, p);
                    return std::any_of(at.begin(), at.end(),
                                       [&](const found_span& sp) { return !relative(sp); });
                  }))
    return true;
  if (!w.tokens.empty() && contains(lang_.question_starts, w.tokens.front()) && !no_subject(0))
    return true;
  // "main weaknesses of python?": what is asked for, named before a question mark.
  if (w.question_mark && std::any_of(gr.asked_nouns.begin(), gr.asked_nouns.end(),
                                     [&](const std::string& p) { return !spans_of(w, p).empty(); }))
    return true;
  // "and for node, which frameworks do people use?": a question may open after a few lead words.
  std::size_t i = 0;
  while (i < w.tokens.size() && i < 4 &&
         (w.tokens[i] == clause_break || contains(lang_.leads, w.tokens[i]) ||
          contains(lang_.fillers, w.tokens[i])))
    ++i;
  if (i > 0 && i < w.tokens.size() && contains(lang_.question_starts, w.tokens[i]) &&
      !after_subject(i) && !no_subject(i))
    return true;
  // "for an e-commerce site which would you pick": "which" and a modal before its subject.
  for (std::size_t k = 0; k + 2 < w.tokens.size(); ++k)
    if (w.tokens[k] == "which" && contains(gr.asking_modals, w.tokens[k + 1]) &&
        contains(gr.subjects, w.tokens[k + 2]))
      return true;
  // "if we serve big uploads can node stream them": a modal right before a stack asks.
  for (std::size_t k = 0; k + 1 < w.tokens.size(); ++k)
    if (contains(gr.asking_modals, w.tokens[k]) && names_stack(fw_, w.tokens[k + 1])) return true;
  // "under really heavy load, python or node?", "lots of memory use, which fits": a short last
  // clause that asks about the stacks.
  const std::size_t last = last_clause(w);
  if (last > 0 && last < w.tokens.size() && w.tokens.size() - last <= 8) {
    auto names_stacks = [&](std::size_t from) {
      for (std::size_t k = from; k < w.tokens.size() && k < from + 4; ++k)
        if (names_stack(fw_, w.tokens[k]) || contains(gr.comparing_words, w.tokens[k])) return true;
      return false;
    };
    if (contains(gr.asking_words, w.tokens[last]) && names_stacks(last + 1)) return true;
    // "python or node"
    if (w.tokens.size() - last == 3 && w.tokens[last + 1] == "or" && names_stacks(last) &&
        names_stacks(last + 2) && w.tokens[last] != w.tokens[last + 2])
      return true;
  }
  // "chat app backend - node or py?": a question mark after two stacks set against each other.
  if (const std::size_t n = w.tokens.size();
      w.question_mark && n >= 3 && w.tokens[n - 2] == "or" && names_stack(fw_, w.tokens[n - 3]) &&
      names_stack(fw_, w.tokens[n - 1]) && w.tokens[n - 3] != w.tokens[n - 1])
    return true;
  // The last clause asks on its own: "..., is he right", "..., does it actually matter",
  // "we're a bank, what do banks go with", "npm vs pip, which ecosystem has more stuff".
  if (last > 0 && last < w.tokens.size()) {
    const auto& first = w.tokens[last];
    const std::string* next = last + 1 < w.tokens.size() ? &w.tokens[last + 1] : nullptr;
    auto subject = [&](const std::string& t) {
      return contains(gr.subjects, t) || names_stack(fw_, t);
    };
    if (next && contains(gr.inversions, first) && subject(*next)) return true;
    // "which plays nicer with it", "which should we start with"; not "which is great".
    const bool compares =
        std::any_of(w.tokens.begin() + static_cast<std::ptrdiff_t>(last) + 1, w.tokens.end(),
                    [&](const std::string& t) {
                      return contains(gr.comparatives, t) || contains(gr.comparing_words, t);
                    });
    // "..., which is to say me", "..., which is both gratifying and alarming": without a '?',
    // "which" and a verb that compares nothing goes on about what came before.
    const bool goes_on =
        first == "which" && !w.question_mark && next && contains(gr.inversions, *next) && !compares;
    // "what we need is chat" opens a statement; "what do banks go with" asks.
    if (next && contains(gr.wh_words, first) && !contains(gr.subjects, *next) && !goes_on)
      return true;
    // "which should we start with" asks; "..., which could mean tens of thousands" (no '?',
    // no subject after the modal) goes on.
    const bool modal_asks =
        next && contains(gr.asking_modals, *next) &&
        (w.question_mark ||
         (last + 2 < w.tokens.size() &&
          (contains(gr.subjects, w.tokens[last + 2]) || names_stack(fw_, w.tokens[last + 2]))));
    if (first == "which" && (modal_asks || compares)) return true;
  }
  // "django vs flask, who's right?": a question mark after a question word of the last clause.
  if (w.question_mark && last < w.tokens.size()) {
    if (contains(lang_.question_starts, w.tokens[last])) return true;
    for (std::size_t k = last; k < w.tokens.size(); ++k)
      if (contains(gr.wh_words, w.tokens[k])) return true;
  }
  // "and for node, which …": or after a short lead-in clause; "and for node what frameworks
  // ...?" needs no comma after the stack it is about.
  for (std::size_t k = 0; k + 1 < w.tokens.size() && k < 5; ++k)
    if ((w.tokens[k] == clause_break ||
         (w.question_mark && k > 0 && names_stack(fw_, w.tokens[k]) &&
          contains(lang_.grammar.wh_words, w.tokens[k + 1]))) &&
        contains(lang_.question_starts, w.tokens[k + 1]) && !contains(lang_.yes, w.tokens[k + 1]) &&
        k > 0 && contains(lang_.leads, w.tokens[0]))
      return true;
  return false;
}

std::string understanding::emoji_words(std::string_view text) const {
  if (lang_.emoji.empty() || text.size() > 64) return {};
  // What only decorates an emoji goes: spaces, skin tones (U+1F3FB-U+1F3FF and Slack's
  // ":skin-tone-N:"), the joiner U+200D, the variation selector U+FE0F, the gender signs.
  std::string left;
  for (std::size_t i = 0; i < text.size();) {
    auto at = [&](std::string_view s) { return text.substr(i, s.size()) == s; };
    const auto byte = [&](std::size_t k) {
      return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0;
    };
    if (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r') {
      ++i;
    } else if (at("\xF0\x9F\x8F") && byte(3) >= 0xBB && byte(3) <= 0xBF) {
      i += 4;
    } else if (at("\xE2\x80\x8D") || at("\xEF\xB8\x8F") || at("\xE2\x99\x80") ||
               at("\xE2\x99\x82")) {
      i += 3;
    } else if (at(":skin-tone-") && i + 13 <= text.size() && text[i + 12] == ':') {
      i += 13;
    } else {
      left += text[i++];
    }
  }
  std::string said;
  for (std::size_t i = 0; i < left.size();) {
    std::string_view rest = std::string_view(left).substr(i);
    // The longest name that stands here.
    const std::string* meaning = nullptr;
    std::size_t length = 0;
    for (const auto& [e, m] : lang_.emoji)
      if (e.size() > length && rest.substr(0, e.size()) == e) {
        meaning = &m;
        length = e.size();
      }
    if (!meaning || (!said.empty() && said != *meaning)) return {};
    said = *meaning;
    i += length;
  }
  return said;
}

answer_filter understanding::filter(const words& w, const state& s) const {
  // "just me ... a small website for our parish council": once the user has said they are on
  // their own, a group word speaks of others.
  for (const auto& [qid, opts] : lang_.group_excludes)
    if (const answer* a = s.find(qid); a && contains(opts, a->option)) return {};
  // "not a company or anything, just me": a group word denied does not make a group.
  bool group = false;
  for (std::size_t i = 0; i < w.tokens.size() && !group; ++i)
    group = contains(lang_.group_words, w.tokens[i]) && !negated_before(lang_, w, i);
  if (!group || lang_.group_excludes.empty()) return {};
  // "it's only me doing this for our church youth group": the user says they are on their own,
  // so the group word is the people the thing is for. ("just me and two others" is a group.)
  for (const auto& phrase : lang_.alone_words)
    for (const auto& sp : spans_of(w, phrase))
      if (!negated_before(lang_, w, sp.begin) &&
          (sp.end == w.tokens.size() || (!contains(lang_.grammar.company_words, w.tokens[sp.end]) &&
                                         !contains(lang_.grammar.joiners, w.tokens[sp.end]))))
        return {};
  return [this](const question& q, const option& o) {
    if (auto it = lang_.group_excludes.find(q.id);
        it != lang_.group_excludes.end() && contains(it->second, o.id))
      return false;
    // A question asked only after an excluded answer ("your goal", for individuals).
    for (const auto& [qid, opts] : q.ask_if.any_of) {
      auto it = lang_.group_excludes.find(qid);
      if (it == lang_.group_excludes.end()) continue;
      if (std::all_of(opts.begin(), opts.end(),
                      [&](const std::string& id) { return contains(it->second, id); }))
        return false;
    }
    return true;
  };
}

bool understanding::learned_on(const words& w, const std::vector<std::size_t>& clause,
                               std::size_t at) const {
  return at < clause.size() &&
         std::any_of(lang_.grammar.experience.begin(), lang_.grammar.experience.end(),
                     [&](const std::string& p) {
                       const auto found = spans_of(w, p);
                       return std::any_of(found.begin(), found.end(), [&](const found_span& sp) {
                         return sp.end <= at && clause[sp.begin] == clause[at];
                       });
                     });
}

std::vector<std::size_t> understanding::clauses(const words& w) const {
  std::vector<std::size_t> out(w.tokens.size(), 0);
  std::size_t n = 0;
  for (std::size_t i = 0; i < w.tokens.size(); ++i) {
    const auto& t = w.tokens[i];
    if (t == clause_break || contains(lang_.grammar.joiners, t)) ++n;
    out[i] = n;
  }
  return out;
}

std::string understanding::compare_topic(const words& w, std::size_t from) const {
  const words rest = slice(w, std::min(from, w.tokens.size()), w.tokens.size());
  std::vector<bool> pair(rest.tokens.size(), false);
  for (const auto& p : lang_.grammar.compare_pair)
    for (const auto& sp : typed_spans_of(rest, p))
      for (std::size_t k = sp.begin; k < sp.end; ++k) pair[k] = true;
  std::string out;
  for (const auto& t : core(unmarked(rest, 0, rest.tokens.size(), pair)))
    out += (out.empty() ? "" : " ") + t;
  return out;
}

std::optional<std::string> understanding::corrected_reply(const question& q, const words& w,
                                                          const state& s) const {
  std::optional<found_span> marker;
  for (const auto& p : lang_.grammar.self_corrections)
    for (const auto& sp : typed_spans_of(w, p))
      if (!marker || sp.begin > marker->begin) marker = sp;
  if (!marker || marker->begin == 0 || marker->end >= w.tokens.size()) return std::nullopt;
  const words before = slice(w, 0, marker->begin);
  const words after = slice(w, marker->end, w.tokens.size());
  const auto old = match_reply(q, before);
  const auto now = match_reply(q, after);
  // "2nd. no wait, 3rd": a position in the list says an answer as well as its words do.
  const auto position = [&](const words& part) {
    const auto n = ordinal(part);
    return n && *n != 0 ? n : std::nullopt;
  };
  const auto old_at = position(before), now_at = position(after);
  if (!(old_at || (old.chosen && !old.fuzzy)) || !(now_at || (now.chosen && !now.fuzzy)))
    return std::nullopt;
  if (old_at || now_at ? old_at == now_at : old.chosen == now.chosen) return std::nullopt;
  // "python people. correction on the existing systems: all java": the words after the marker
  // name the answer of another question they correct.
  if (const question* named = named_question(after, s); named && named != &q) return std::nullopt;
  std::string text;
  for (const auto& t : after.tokens) {
    if (t == clause_break && text.empty()) continue;
    text += t == clause_break ? t : (text.empty() ? "" : " ") + t;
  }
  return text;
}

std::optional<understanding::correction> understanding::correction_in(const words& w) const {
  const auto& gr = lang_.grammar;
  // The first marker opens the correction; the first quoting one ("i said", "scratch") in it
  // quotes the old answer.
  std::optional<found_span> marker, quote;
  for (const auto* list : {&gr.corrections, &gr.quotes})
    for (const auto& p : *list)
      // As typed: "correct, show me the result" is a yes, not a "correction".
      for (const auto& sp : typed_spans_of(w, p)) {
        auto& first = list == &gr.quotes ? quote : marker;
        if (!first || sp.begin < first->begin || (sp.begin == first->begin && sp.end > first->end))
          first = sp;
      }
  if (quote && (!marker || quote->begin <= marker->begin)) marker = quote;
  // "the main job is analytics not integration, i picked the wrong one earlier": an admission
  // closes the correction it ends; the correction is its sentence up to it.
  std::optional<found_span> admission;
  for (const auto& p : gr.admissions)
    for (const auto& sp : typed_spans_of(w, p))
      if (!admission || sp.begin < admission->begin) admission = sp;
  // "i got the team wrong earlier": a frame's first word, a few words of its clause, its last.
  // Only the first word is the marker: the words inside name what is corrected.
  const bool framed = std::any_of(w.tokens.begin(), w.tokens.end(), [&](const std::string& t) {
    return std::any_of(gr.admission_frames.begin(), gr.admission_frames.end(),
                       [&](const std::string& f) {
                         return f.size() > t.size() && f.starts_with(t) && f[t.size()] == ' ';
                       });
  });
  if (!marker && !admission && !framed) return std::nullopt;  // most messages: no clauses read
  const auto clause = clauses(w);
  for (const auto& frame : gr.admission_frames) {
    const auto space = frame.find(' ');
    const std::string_view opens = std::string_view(frame).substr(0, space);
    const std::string_view closes = std::string_view(frame).substr(space + 1);
    for (std::size_t i = 0; i < w.tokens.size(); ++i) {
      if (w.tokens[i] != opens) continue;
      for (std::size_t j = i + 2; j < w.tokens.size() && j <= i + 4 && clause[j] == clause[i]; ++j)
        if (w.tokens[j] == closes && (!admission || i < admission->begin)) {
          admission = found_span{i, i + 1};
          break;
        }
    }
  }
  const bool admits = admission && (!marker || marker->begin >= admission->begin);
  if (admits) {
    if (quote && quote->begin >= admission->begin) quote.reset();
    marker = admission;
  }
  if (!marker) return std::nullopt;
  std::size_t begin = marker->begin;
  while (begin > 0 && clause[begin - 1] == clause[marker->begin]) --begin;
  if (admits) begin = sentence_of(w, begin, begin).first;
  const std::size_t end = sentence_of(w, marker->end, marker->end).second;
  if (quote && quote->begin >= end) quote.reset();
  // "i said thousands of users but": the quoted old answer runs to the end of its clause.
  std::size_t quote_begin = quote ? quote->end : end, quote_end = quote_begin;
  if (quote)
    while (quote_end < end && clause[quote_end] == clause[quote->begin]) ++quote_end;
  correction fix;
  auto take = [&](words& into, std::size_t i) {
    into.tokens.push_back(w.tokens[i]);
    into.stems.push_back(w.stems[i]);
  };
  // "more of a website than an api", "an api instead of a website": the words after the
  // comparison, to the end of their clause, are the old answer, not the new one.
  std::vector<bool> replaced(w.tokens.size(), false);
  for (const auto& p : gr.replacing)
    for (const auto& sp : spans_of(w, p)) {
      const bool in_quote = sp.begin >= quote_begin && sp.begin < quote_end;
      if (in_quote || sp.begin < begin || sp.end > end) continue;
      words old;
      for (std::size_t i = sp.begin; i < end && clause[i] == clause[sp.begin]; ++i) {
        replaced[i] = true;
        if (i >= sp.end) take(old, i);
      }
      if (!old.tokens.empty()) fix.denied.push_back(std::move(old));
    }
  std::size_t denied_end = 0;  // a negator denies the rest of its clause
  for (std::size_t i = begin; i < end; ++i) {
    if ((i >= marker->begin && i < marker->end) || replaced[i] ||
        (quote && i >= quote->begin && i < quote->end))
      continue;
    const bool quoted = i >= quote_begin && i < quote_end;
    take(quoted ? fix.quoted : fix.said, i);
    if (!quoted && i >= denied_end) take(fix.asserted, i);
    // "it's not analytics": what a negator denies, to the end of its clause.
    if (!quoted && contains(gr.negators, w.tokens[i])) {
      words old;
      for (std::size_t k = i + 1; k < end && clause[k] == clause[i]; ++k) take(old, k);
      if (!old.tokens.empty()) {
        fix.denied.push_back(std::move(old));
        fix.asserted.tokens.pop_back();
        fix.asserted.stems.pop_back();
        denied_end = i + 1 + fix.denied.back().tokens.size();
      }
    }
  }
  // "and, we do need it": the words that lead into the correction say nothing of it.
  for (words* part : {&fix.said, &fix.asserted}) {
    std::size_t lead = 0;
    while (lead < part->tokens.size() &&
           (part->tokens[lead] == clause_break || contains(lang_.leads, part->tokens[lead]) ||
            contains(gr.joiners, part->tokens[lead])))
      ++lead;
    part->tokens.erase(part->tokens.begin(),
                       part->tokens.begin() + static_cast<std::ptrdiff_t>(lead));
    part->stems.erase(part->stems.begin(), part->stems.begin() + static_cast<std::ptrdiff_t>(lead));
  }
  // "about the data question, actually we WILL do a lot of it": the clause before the
  // correction's, in its sentence, may name what it corrects.
  // Not a question that runs on ("does the one-language-front-and-back thing actually help").
  // The correction's clause opens on the break between the two.
  if (const std::size_t from = sentence_of(w, begin, begin).first;
      begin > from && w.tokens[begin] == clause_break) {
    std::size_t k = begin;
    while (k > from && clause[k - 1] == clause[begin - 1]) --k;
    for (; k < begin; ++k)
      if (w.tokens[k] != clause_break) take(fix.lead, k);
    if (opens_question(fix.lead)) fix.lead = {};
  }
  for (std::size_t i = 0; i < w.tokens.size(); ++i) {
    if (i >= begin && i < end) continue;
    const bool stop = ends_sentence(w, i);
    if (w.tokens[i] == clause_break)
      fix.rest += stop ? ". " : ", ";
    else
      fix.rest += (fix.rest.empty() || fix.rest.back() == ' ' ? "" : " ") + w.tokens[i];
  }
  return fix;
}

const option* understanding::changed_to(const question& q, const words& w) const {
  std::vector<bool> drop(w.tokens.size(), false);
  auto mark = [&](std::string_view phrase) {
    for (const auto& sp : spans_of(w, phrase))
      for (std::size_t i = sp.begin; i < sp.end; ++i) drop[i] = true;
  };
  for (const auto& n : q.names) mark(n);
  mark(q.short_label);
  if (auto it = lang_.intents.find(command::change); it != lang_.intents.end())
    for (const auto& p : it->second.anywhere) mark(p);
  words rest;
  for (std::size_t i = 0; i < w.tokens.size(); ++i)
    if (!drop[i]) {
      rest.tokens.push_back(w.tokens[i]);
      rest.stems.push_back(w.stems[i]);
    }
  if (rest.tokens.empty()) return nullptr;
  if (const option* o = by_quantity(q, rest, true)) return o;
  const auto m = match_reply(q, rest);
  return m.chosen;
}

const question* understanding::answer_described(const words& w, std::size_t from,
                                                const state& s) const {
  if (!trained_ || from >= w.tokens.size()) return nullptr;
  const words rest = slice(w, from, w.tokens.size());
  // The words must point back at an answer: "what I said about", "my answer on".
  bool points = false;
  for (const auto* list : {&lang_.grammar.quotes, &lang_.grammar.answer_nouns})
    for (const auto& p : *list) points = points || !typed_spans_of(rest, p).empty();
  if (!points) return nullptr;
  // Read against every question, so that words about one not answered yet point nowhere.
  const auto g = trained_->questions.classify(rest, {}, described_confidence, 1);
  return g.label.empty() || !s.answered(g.label) ? nullptr : fw_.find_question(g.label);
}

const question* understanding::named_question(const words& w, const state& s) const {
  return name_in(fw_, lang_, w, s).q;
}

bool understanding::denies(const words& w, const option& o) const {
  auto denied = [&](const std::string& phrase) {
    const auto at = spans_of(w, phrase);
    return std::any_of(at.begin(), at.end(),
                       [&](const found_span& sp) { return negated_before(lang_, w, sp.begin); });
  };
  return std::any_of(o.synonyms.begin(), o.synonyms.end(), denied) || denied(o.label);
}

bool understanding::names(const words& w, const question& q) const {
  auto named = [&](const std::string& n) { return !spans_of(w, n).empty(); };
  return std::any_of(q.names.begin(), q.names.end(), named) || named(q.short_label);
}

int understanding::named_sign(const words& w, const question& q) const {
  int sign = 0;
  // As typed: "long-lived" and "i live in berlin" name no live features.
  for (const auto& n : q.names)
    for (const auto& sp : typed_spans_of(w, n)) {
      if (negated_before(lang_, w, sp.begin)) return -1;
      sign = 1;
    }
  return sign;
}

const option* understanding::affirms(const words& w, const question& q) const {
  const option* yes = by_polarity(q, 1);
  if (!yes || !by_polarity(q, -1)) return nullptr;
  return named_sign(w, q) == 1 ? yes : nullptr;
}

const option* understanding::yes_no_said(const words& w, const question& q) const {
  if (!by_polarity(q, 1) || !by_polarity(q, -1)) return nullptr;
  int sign = polarity(w).sign;
  for (std::size_t i = 0; sign == 0 && i + 1 < w.tokens.size(); ++i)
    if (w.tokens[i + 1] == "to" && (w.tokens[i] == "yes" || w.tokens[i] == "no"))
      sign = w.tokens[i] == "yes" ? 1 : -1;  // "said no to ..."
  if (sign == 0) sign = named_sign(w, q);
  return sign != 0 ? by_polarity(q, sign) : nullptr;
}

}  // namespace advisor::dialogue
