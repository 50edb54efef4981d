#include "dialogue/matching.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <optional>
#include <set>
#include <unordered_map>

#include "dialogue/lexicon.hpp"

namespace advisor::dialogue {

namespace {

constexpr std::string_view clause_break = ",";
// Words that negate what follows them in the same clause. "than": "more than a small office",
// "rather than a big platform" set the answer against what follows.
constexpr std::array<std::string_view, 25> negators{
    "no",   "not",    "don't",   "dont",   "doesn't", "doesnt",  "didn't", "without", "never",
    "nor",  "isn't",  "aren't",  "won't",  "wont",    "cannot",  "can't",  "cant",    "zero",
    "lack", "hardly", "nothing", "nobody", "none",    "neither", "than"};
// Words that negate what stands just before them ("real-time is not needed").
constexpr std::array<std::string_view, 7> post_negators{
    "not", "isn't", "aren't", "unnecessary", "unneeded", "irrelevant", "optional"};
// Words that end a negation's reach.
constexpr std::array<std::string_view, 6> scope_breaks{",",      "but",     "although",
                                                       "though", "however", "while"};
constexpr std::size_t negation_reach = 5;
// Words inside a negation's reach that do not use it up: "none of us really know python".
constexpr std::array<std::string_view, 8> reach_fillers{"of",   "us",  "really", "actually",
                                                        "even", "all", "here",   "truly"};

template <std::size_t N>
bool is_one_of(const std::array<std::string_view, N>& words, std::string_view w) {
  return std::find(words.begin(), words.end(), w) != words.end();
}

// The token with joiners removed, so "real-time", "real time" and "realtime" compare equal.
std::string squash(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '-' && c != ' ' && c != '.' && c != '_' && c != '/') out += c;
  return out;
}

std::size_t typo_allowance(std::size_t length) {
  if (length >= 9) return 2;
  if (length >= 5) return 1;
  return 0;
}

struct span_match {
  const option* opt = nullptr;
  std::size_t begin = 0, end = 0;  // token range
  bool negated = false;
  bool fuzzy = false;        // found only through a typo of two or more letters
  bool reply = false;        // found through one of the option's short replies ("a bit", "some")
  bool denied_here = false;  // negated right before it: "not tiny", "won't be huge"
  std::size_t negated_from = 0;  // where its negation starts ("no" in "no heavy maths")
  bool inverted = false;         // an option reached by denying another ("nothing heavy")
  std::string phrase;
};

// A phrase as find_phrase compares it: its words, squashed as typed and as stems.
struct compiled_phrase {
  std::size_t words = 0;
  std::string target;
  std::string stemmed;
  std::vector<std::string> parts;  // each word, squashed
};

const compiled_phrase& compile(std::string_view phrase) {
  // Phrases come from the framework and the language file: a small, fixed set per thread.
  thread_local std::unordered_map<std::string, compiled_phrase> cache;
  auto it = cache.find(std::string(phrase));
  if (it != cache.end()) return it->second;
  compiled_phrase c;
  auto words = tokenize(phrase);
  c.words = words.size();
  for (const auto& w : words) {
    c.target += w;
    c.stemmed += stem(w);
    c.parts.push_back(squash(w));
  }
  c.target = squash(c.target);
  c.stemmed = squash(c.stemmed);
  if (cache.size() > 20000) cache.clear();
  return cache.emplace(std::string(phrase), std::move(c)).first->second;
}

// Where the negation of the phrase at [begin, end) starts (its negator, or the phrase itself
// for one negated after it), if it is negated.
std::optional<std::size_t> negated_at(const std::vector<std::string>& tokens, std::size_t begin,
                                      std::size_t end) {
  // "nothing live", "no ml": a phrase that says no itself is not denied again by a "not" of the
  // next clause ("nothing live and we're not crunching any data").
  if (std::any_of(tokens.begin() + static_cast<std::ptrdiff_t>(begin),
                  tokens.begin() + static_cast<std::ptrdiff_t>(end),
                  [](const std::string& t) { return is_one_of(negators, t); }))
    return std::nullopt;
  // "we don't do any data science or analytics": a list joined by "or" stays in the reach.
  for (std::size_t k = 0, reach = 0; reach < negation_reach && k < begin; ++k) {
    const auto& w = tokens[begin - 1 - k];
    if (is_one_of(scope_breaks, w)) break;
    if (is_one_of(negators, w)) return begin - 1 - k;
    if (w != "or" && w != "nor" && !is_one_of(reach_fillers, w)) ++reach;
  }
  for (std::size_t k = end; k < tokens.size() && k < end + 3; ++k) {
    const auto& w = tokens[k];
    if (is_one_of(scope_breaks, w)) break;
    if (is_one_of(post_negators, w)) return begin;
  }
  return std::nullopt;
}

// Every place where `phrase` (or a near miss of it) stands in the words.
void find_phrase(const words& text, std::string_view phrase, const option* opt,
                 std::vector<span_match>& out) {
  const compiled_phrase& p = compile(phrase);
  if (p.words == 0) return;
  const auto& tokens = text.tokens;
  const std::string& target = p.target;
  std::size_t allowance = typo_allowance(target.size());
  std::size_t n = p.words;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i] == clause_break) continue;
    // Windows one token shorter or longer catch "real time" for "realtime" and back.
    for (std::size_t len = (n > 1 ? n - 1 : 1); len <= n + 1 && i + len <= tokens.size(); ++len) {
      std::string window, stemmed;
      bool crosses = false;
      for (std::size_t k = i; k < i + len; ++k) {
        if (tokens[k] == clause_break) crosses = true;
        window += tokens[k];
        stemmed += text.stems[k];
      }
      if (crosses) break;
      window = squash(window);
      bool exact = window == target || (len == n && squash(stemmed) == p.stemmed);
      std::size_t d = 0;
      if (!exact) {
        std::size_t diff = window.size() > target.size() ? window.size() - target.size()
                                                         : target.size() - window.size();
        if (diff > allowance) continue;
        // Another word count only joins or splits words ("real time"): no typos on top of that.
        if (allowance == 0 || len != n) continue;
        // "not python" is no typo of "know python".
        if (std::any_of(tokens.begin() + static_cast<std::ptrdiff_t>(i),
                        tokens.begin() + static_cast<std::ptrdiff_t>(i + len),
                        [](const std::string& t) { return is_one_of(negators, t); }))
          continue;
        d = edit_distance(window, target);
        if (d > allowance) continue;
        // An English word is no typo of a technical name ("thousands of nodes" is no "nodejs"),
        // nor of a short English word one letter away ("at night" is no "light").
        if (len == 1 && n == 1 && dictionary_word(tokens[i]) &&
            (allowance == 1 || !dictionary_word(p.parts[0])))
          continue;
        // "talk to both" is no typo of "talk to our": each word of a phrase is near its own.
        bool words_near = true;
        for (std::size_t k = 0; n > 1 && k < n && words_near; ++k)
          words_near = edit_distance(squash(tokens[i + k]), p.parts[k]) <=
                       std::max<std::size_t>(1, typo_allowance(p.parts[k].size()));
        if (!words_near) continue;
      }
      span_match m;
      m.opt = opt;
      m.begin = i;
      m.end = i + len;
      const auto negator = negated_at(tokens, m.begin, m.end);
      m.negated = negator.has_value();
      m.negated_from = negator.value_or(m.begin);
      // "not tiny", "won't be huge", "not too big": the negation words the option itself; in
      // "don't really care either way" it does not.
      m.denied_here =
          m.negated && i > 0 &&
          (is_one_of(negators, tokens[i - 1]) ||
           (i > 1 && is_one_of(negators, tokens[i - 2]) &&
            (tokens[i - 1] == "be" || tokens[i - 1] == "too" || tokens[i - 1] == "so")));
      m.fuzzy = d >= 2;
      for (std::size_t k = i; k < i + len; ++k) m.phrase += (k > i ? " " : "") + tokens[k];
      out.push_back(std::move(m));
    }
  }
}

bool contains_phrase(const words& tokens, std::string_view phrase) {
  std::vector<span_match> found;
  find_phrase(tokens, phrase, nullptr, found);
  return !found.empty();
}

// Resolves the matches for one question: negated matches switch to the option meant by the
// negation or drop out; a match inside a longer one drops out; what remains must agree.
option_match resolve(const question& q, std::vector<span_match> matches) {
  option_match result;
  std::vector<span_match> kept;
  std::vector<const option*> denied;
  std::pair<std::size_t, std::size_t> denied_span{SIZE_MAX, 0};
  for (auto& m : matches) {
    if (m.denied_here && !m.fuzzy &&
        std::find(result.denied.begin(), result.denied.end(), m.opt) == result.denied.end())
      result.denied.push_back(m.opt);
    if (m.negated) {
      if (std::find(denied.begin(), denied.end(), m.opt) == denied.end()) denied.push_back(m.opt);
      result.negated_spans.emplace_back(m.negated_from, m.end);
      denied_span = {std::min(denied_span.first, m.begin), std::max(denied_span.second, m.end)};
      if (m.opt->if_negated.empty()) continue;
      m.opt = q.find_option(m.opt->if_negated);
      if (!m.opt) continue;
      m.negated = false;
      m.inverted = true;
    }
    kept.push_back(std::move(m));
  }
  // "not python, nobody ever touched it; everything we do is typescript": beside a denial, a
  // negation word is the denial's, not the question's "neither", when another option is kept.
  auto is_neither = [](const option* o) {
    return std::find(o->replies.begin(), o->replies.end(), "neither") != o->replies.end();
  };
  if (!denied.empty() && std::any_of(kept.begin(), kept.end(), [&](const span_match& m) {
        return !is_neither(m.opt) && std::find(denied.begin(), denied.end(), m.opt) == denied.end();
      }))
    std::erase_if(kept, [&](const span_match& m) {
      return is_neither(m.opt) && is_one_of(negators, m.phrase);
    });
  // "don't care about sharing code with the frontend, maintainable code pls": a phrase that says
  // "no" itself ("don't care") and reaches an option denied after it is that denial, not an
  // answer of its own, when another option is kept.
  auto says_no = [](const span_match& m) {
    std::size_t from = 0;
    while (from <= m.phrase.size()) {
      const std::size_t to = std::min(m.phrase.find(' ', from), m.phrase.size());
      if (is_one_of(negators, std::string_view(m.phrase).substr(from, to - from))) return true;
      from = to + 1;
    }
    return false;
  };
  auto denies_after = [&](const span_match& m) {
    return std::any_of(matches.begin(), matches.end(), [&](const span_match& d) {
      return d.negated && d.begin >= m.end && d.begin <= m.end + 2;
    });
  };
  std::erase_if(kept, [&](const span_match& m) {
    return says_no(m) && denies_after(m) &&
           std::any_of(kept.begin(), kept.end(), [&](const span_match& o) {
             return o.opt != m.opt && !says_no(o) &&
                    std::find(denied.begin(), denied.end(), o.opt) == denied.end();
           });
  });
  // "no ML, nothing heavy, just a few reports", "some reporting, not much": what is denied
  // bounds the answer, and the option said outright is it. An option reached only by denying
  // another, or by a phrase that says "no" about something ("no ML", "not much"), gives way to
  // one said outright. A bare "none" first is the reply itself ("none, analytics is another
  // team's problem").
  auto bare_first = [&](const span_match& m) {
    return m.begin == 0 && m.phrase.find(' ') == std::string::npos &&
           std::none_of(kept.begin(), kept.end(), [&](const span_match& o) {
             return o.begin <= m.begin && m.end <= o.end && o.end - o.begin > m.end - m.begin;
           });
  };
  auto outright = [&](const span_match& m) {
    return !m.inverted && (!says_no(m) || bare_first(m));
  };
  if (std::any_of(kept.begin(), kept.end(), outright))
    std::erase_if(kept, [&](const span_match& m) {
      return !outright(m) && std::none_of(kept.begin(), kept.end(), [&](const span_match& o) {
        return outright(o) && o.opt == m.opt;
      }) && std::any_of(kept.begin(), kept.end(), [&](const span_match& o) {
        return outright(o) && !is_neither(o.opt);
      });
    });
  result.negated = denied;
  // Two or more options denied and nothing else said: "we don't know python or js" is the
  // question's "neither", when it has one; "not small, not huge" is the one option left.
  if (kept.empty() && denied.size() >= 2) {
    const bool one_left = denied.size() + 1 == q.options.size();
    for (const auto& o : q.options)
      if ((one_left || is_neither(&o)) &&
          std::find(denied.begin(), denied.end(), &o) == denied.end()) {
        span_match m;
        m.opt = &o;
        m.begin = denied_span.first;
        m.end = denied_span.second;
        kept.push_back(std::move(m));
      }
  }
  // "a bit of usage analytics", "some ML": an amount said just before a subject is how much of
  // it there is; the amount's option is meant, not the subject's.
  std::vector<char> amounted(kept.size(), 0);
  for (std::size_t i = 0; i < kept.size(); ++i) {
    const span_match& subject = kept[i];
    amounted[i] = !subject.reply && std::any_of(kept.begin(), kept.end(), [&](const span_match& a) {
      return a.reply && a.opt != subject.opt && a.end <= subject.begin &&
             subject.begin - a.end <= 2;
    });
  }
  for (std::size_t i = kept.size(); i-- > 0;)
    if (amounted[i]) kept.erase(kept.begin() + static_cast<std::ptrdiff_t>(i));
  std::vector<span_match> outer;
  for (const auto& m : kept) {
    bool inside = std::any_of(kept.begin(), kept.end(), [&](const span_match& o) {
      return &o != &m && o.begin <= m.begin && m.end <= o.end &&
             (o.end - o.begin) > (m.end - m.begin);
    });
    if (!inside) outer.push_back(m);
  }
  std::vector<const option*> distinct;
  for (const auto& m : outer)
    if (std::find(distinct.begin(), distinct.end(), m.opt) == distinct.end())
      distinct.push_back(m.opt);
  if (distinct.size() == 1) {
    result.chosen = distinct.front();
    for (const auto& m : outer) {
      if (m.phrase.size() > result.phrase.size()) result.phrase = m.phrase;
      result.spans.emplace_back(m.begin, m.end);
    }
    // Only a typo gave it when no match of the option, inner ones included, was exact.
    result.fuzzy = std::none_of(kept.begin(), kept.end(), [&](const span_match& m) {
      return m.opt == result.chosen && !m.fuzzy;
    });
  } else {
    result.candidates = distinct;
    for (const auto& m : outer) result.spans.emplace_back(m.begin, m.end);
  }
  return result;
}

using spans = std::vector<std::pair<std::size_t, std::size_t>>;

bool overlaps(const spans& claimed, const span_match& m) {
  return std::any_of(claimed.begin(), claimed.end(),
                     [&](const auto& c) { return m.begin < c.second && c.first < m.end; });
}

std::vector<span_match> scan(const question& q, const words& text, bool as_reply,
                             const spans& claimed = {}) {
  std::vector<span_match> matches;
  for (const auto& o : q.options) {
    for (const auto& syn : o.synonyms) find_phrase(text, syn, &o, matches);
    if (as_reply) {
      const std::size_t before = matches.size();
      for (const auto& r : o.replies) find_phrase(text, r, &o, matches);
      // "a bunch of other ancient stuff": "other" between a determiner and more words of its
      // clause describes them; it is no reply.
      const auto& t = text.tokens;
      static constexpr std::array<std::string_view, 10> determiners{
          "of", "the", "our", "their", "any", "many", "all", "few", "several", "some"};
      // "whatever the next hire can read on day one": "whatever" before a noun of its own opens
      // what is wanted; it says no indifference.
      static constexpr std::array<std::string_view, 2> free_relatives{"whatever", "whichever"};
      static constexpr std::array<std::string_view, 6> noun_openers{"the", "a",     "an",
                                                                    "our", "their", "my"};
      matches.erase(
          std::remove_if(
              matches.begin() + static_cast<std::ptrdiff_t>(before), matches.end(),
              [&](const span_match& m) {
                if (m.end != m.begin + 1 || m.end >= t.size()) return false;
                if (is_one_of(free_relatives, t[m.begin]) && is_one_of(noun_openers, t[m.end]))
                  return true;
                return t[m.begin] == "other" && m.begin > 0 && t[m.end] != clause_break &&
                       is_one_of(determiners, t[m.begin - 1]);
              }),
          matches.end());
      for (std::size_t i = before; i < matches.size(); ++i) matches[i].reply = true;
      find_phrase(text, o.label, &o, matches);
    }
  }
  std::erase_if(matches, [&](const span_match& m) { return overlaps(claimed, m); });
  // "I don't care much about sharing code with the front end or prototyping speed": an option
  // joined by "or" to one denied before it, in the same clause, is denied too, however long the
  // first one's words were. "not bothered about sharing code with the front end": more words of
  // the option denied, a few words on, go on with what is denied.
  const auto& t = text.tokens;
  for (auto& m : matches) {
    if (m.negated) continue;
    m.negated = std::any_of(matches.begin(), matches.end(), [&](const span_match& n) {
      if (!n.negated || n.end > m.begin || m.begin - n.end > 8) return false;
      bool joined = n.opt == m.opt && m.begin - n.end <= 3;
      for (std::size_t k = n.end; k < m.begin; ++k) {
        if (t[k] == clause_break || is_one_of(scope_breaks, t[k])) return false;
        joined = joined || t[k] == "or" || t[k] == "nor";
      }
      return joined;
    });
  }
  return matches;
}

// scan for a question the message names: its replies count as well as its synonyms, but not
// the bare yes and no words, which only the question being asked takes.
std::vector<span_match> scan_named(const question& q, const words& text, const spans& claimed,
                                   const std::vector<std::string>& bare_replies) {
  auto matches = scan(q, text, true, claimed);
  std::erase_if(matches, [&](const span_match& m) {
    std::string said;
    for (std::size_t i = m.begin; i < m.end; ++i)
      said += (said.empty() ? "" : " ") + text.tokens[i];
    return std::find(bare_replies.begin(), bare_replies.end(), said) != bare_replies.end();
  });
  return matches;
}

// `scanned`, when given, is scan(q, text, true) already done by the caller.
option_match reply_in(const question& q, const words& text, const spans& claimed,
                      const std::vector<span_match>* scanned = nullptr);

// "analytics is another team's problem": the name at `begin` is said of someone else's (a word
// of `others` right before it), so it names none of this user's questions.
bool someone_elses(const words& text, std::size_t begin, const std::vector<std::string>& others) {
  return begin > 0 &&
         std::find(others.begin(), others.end(), text.tokens[begin - 1]) != others.end();
}

// "not data-driven", "not really data stuff": the words are denied as what the thing is (a
// "not" right before them, or with a softener between), not as something it lacks ("no data",
// "we don't crunch data").
bool said_not(const std::vector<std::string>& tokens, std::size_t begin,
              const std::vector<std::string>& softeners) {
  const auto is_not = [](const std::string& t) {
    return t == "not" || t == "isn't" || t == "isnt" || t == "aren't" || t == "arent";
  };
  if (begin > 0 && is_not(tokens[begin - 1])) return true;
  // "not really X", "not a data play", "not the analytics side", "it isn't about data": a
  // softener, an article or "about" may stand between; "not chasing a data job": a verb and an
  // article too. ("not crunching any data" denies that there is any.)
  const auto article = [](const std::string& t) {
    return t == "a" || t == "an" || t == "the" || t == "about";
  };
  const auto between = [&](const std::string& t) {
    return article(t) || std::find(softeners.begin(), softeners.end(), t) != softeners.end();
  };
  if (begin > 1 && is_not(tokens[begin - 2]) && between(tokens[begin - 1])) return true;
  return begin > 2 && is_not(tokens[begin - 3]) && article(tokens[begin - 1]) &&
         tokens[begin - 2] != clause_break;
}

// "we're not crunching any data", "no real-time stuff": the question's own subject, denied, is
// its "no" (the option that takes "no" as a reply), when it has one. `describing`: another
// question is being answered, so "not really data stuff" says what that answer is not, and is
// no "no" here.
option_match denied_subject(const question& q, const words& text, const spans& claimed,
                            const std::vector<std::string>* describing = nullptr) {
  option_match result;
  const option* no = nullptr;
  for (const auto& o : q.options)
    if (std::find(o.replies.begin(), o.replies.end(), "no") != o.replies.end()) no = &o;
  if (!no) return result;
  std::vector<span_match> found;
  for (const auto& p : q.phrases) find_phrase(text, p, no, found);
  for (const auto& m : found)
    if (m.negated && !m.fuzzy && !overlaps(claimed, m) &&
        !(describing && said_not(text.tokens, m.begin, *describing))) {
      result.chosen = no;
      result.phrase = m.phrase;
      result.spans.emplace_back(m.begin, m.end);
      return result;
    }
  return result;
}

}  // namespace

std::vector<std::string> tokenize(std::string_view text) {
  std::vector<char> stops;
  return tokenize(text, stops);
}

std::vector<std::string> tokenize(std::string_view text, std::vector<char>& stops) {
  std::vector<std::string> tokens;
  stops.clear();
  std::string cur;
  // A break, or a stronger one where one stands already ("done, . next").
  auto add_break = [&](bool stop) {
    if (tokens.empty() || tokens.back() != clause_break) {
      tokens.emplace_back(clause_break);
      stops.push_back(stop ? 1 : 0);
    } else if (stop) {
      stops.back() = 1;
    }
  };
  auto flush = [&] {
    // A dash between words ("before I say yes - what would ...", "yes — python") ends a
    // clause, as a comma does; after a number it joins a range ("2 - 5 thousand").
    if (!cur.empty() && (cur.find_first_not_of('-') == std::string::npos || cur == "\xE2\x80\x93" ||
                         cur == "\xE2\x80\x94")) {
      cur.clear();
      if (!tokens.empty() && !has_digit(tokens.back())) add_break(false);
      return;
    }
    // A full stop ends a sentence, and so a clause: "retail chain here. our devs write ts".
    const bool full_stop = !cur.empty() && cur.back() == '.';
    while (!cur.empty() && (cur.back() == '.' || cur.back() == '\'' || cur.back() == '-'))
      cur.pop_back();
    while (!cur.empty() && (cur.front() == '\'' || cur.front() == '-' || cur.front() == '.'))
      cur.erase(0, 1);
    if (!cur.empty()) {
      tokens.push_back(cur);
      stops.push_back(0);
    }
    if (full_stop && !tokens.empty()) add_break(true);
    cur.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    // U+2019 (right single quote) is typed for apostrophes on many phones.
    if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        static_cast<unsigned char>(text[i + 2]) == 0x99) {
      cur += '\'';
      i += 2;
      continue;
    }
    // Emoji and pictographs (U+1F000 and up, U+2600-U+27BF, arrows, the variation selector U+FE0F)
    // stand between words: "pass 🙏" is "pass". So do the zero-width characters (U+200B-U+200F)
    // that join emoji sequences ("🙅‍♂️").
    if (c >= 0xF0 ||
        (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
         static_cast<unsigned char>(text[i + 2]) >= 0x8B &&
         static_cast<unsigned char>(text[i + 2]) <= 0x8F) ||
        (c == 0xE2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x98 &&
         static_cast<unsigned char>(text[i + 1]) <= 0x9E) ||
        // Arrows (U+2190-U+21FF, U+2B00-U+2BFF): "⬅️ back" is "back".
        (c == 0xE2 && i + 1 < text.size() &&
         (static_cast<unsigned char>(text[i + 1]) == 0x86 ||
          static_cast<unsigned char>(text[i + 1]) == 0x87 ||
          (static_cast<unsigned char>(text[i + 1]) >= 0xAC &&
           static_cast<unsigned char>(text[i + 1]) <= 0xAF))) ||
        (c == 0xEF && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xB8 &&
         static_cast<unsigned char>(text[i + 2]) == 0x8F)) {
      flush();
      std::size_t length = c >= 0xF0 ? 4 : 3;
      i += length - 1;
      continue;
    }
    if (std::isalnum(c) || c >= 0x80 || c == '-' || c == '.' || c == '#' || c == '+' || c == '\'' ||
        c == '_' || c == '/' || c == '%') {
      cur += static_cast<char>(std::tolower(c));
    } else if (c == ',' || c == ';' || c == '!' || c == '?' || c == ':' || c == '(' || c == ')') {
      flush();
      add_break(c == ';' || c == '!' || c == '?');
    } else {
      flush();
    }
  }
  flush();
  while (!tokens.empty() && tokens.back() == clause_break) {
    tokens.pop_back();
    stops.pop_back();
  }
  return tokens;
}

std::string normalize(std::string_view text) {
  std::string out;
  for (const auto& t : tokenize(text)) {
    if (t == clause_break) continue;
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

words read_words(std::string_view text) {
  words w;
  auto end = text.find_last_not_of(" \t\r\n)");
  // Emoji and other non-ASCII marks after the question mark ("really? 🤔").
  while (end != std::string_view::npos && end > 0 && static_cast<unsigned char>(text[end]) >= 0x80)
    end = text.find_last_not_of(" \t\r\n)", end - 1);
  w.question_mark = end != std::string_view::npos && text[end] == '?';
  w.tokens = tokenize(text, w.stops);
  w.stems.reserve(w.tokens.size());
  for (const auto& t : w.tokens) w.stems.push_back(t == clause_break ? t : stem(t));
  return w;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[m];
}

option_match match_reply(const question& q, std::string_view text) {
  return reply_in(q, read_words(text), {});
}
option_match match_reply(const question& q, const words& text) { return reply_in(q, text, {}); }

bool mentions(const words& text, std::string_view phrase) { return contains_phrase(text, phrase); }

bool ends_sentence(const words& w, std::size_t i) { return i < w.stops.size() && w.stops[i]; }

std::pair<std::size_t, std::size_t> sentence_of(const words& w, std::size_t begin,
                                                std::size_t end) {
  while (begin > 0 && !ends_sentence(w, begin - 1)) --begin;
  while (end < w.tokens.size() && !ends_sentence(w, end)) ++end;
  return {begin, end};
}

bool contains(const std::vector<std::string>& list, std::string_view w) {
  return std::find(list.begin(), list.end(), w) != list.end();
}

bool has_digit(std::string_view t) {
  return std::any_of(t.begin(), t.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

words slice(const words& w, std::size_t begin, std::size_t end) {
  words out;
  out.tokens.assign(w.tokens.begin() + static_cast<std::ptrdiff_t>(begin),
                    w.tokens.begin() + static_cast<std::ptrdiff_t>(end));
  out.stems.assign(w.stems.begin() + static_cast<std::ptrdiff_t>(begin),
                   w.stems.begin() + static_cast<std::ptrdiff_t>(end));
  return out;
}

namespace {

std::string joined(const std::vector<std::string>& tokens) {
  std::string out;
  for (const auto& t : tokens)
    if (t != clause_break) out += (out.empty() ? "" : " ") + t;
  return out;
}

option_match reply_in(const question& q, const words& text, const spans& claimed,
                      const std::vector<span_match>* scanned) {
  option_match result;
  const auto& tokens = text.tokens;
  if (tokens.empty()) return result;
  const spans whole_text{{0, tokens.size()}};
  auto in_sentence = [&] {
    if (!scanned) return scan(q, text, true, claimed);
    auto matches = *scanned;
    std::erase_if(matches, [&](const span_match& m) { return overlaps(claimed, m); });
    return matches;
  };
  // Words already taken by an earlier question leave only the in-sentence reading.
  if (!claimed.empty()) return resolve(q, in_sentence());
  // By number.
  if (tokens.size() == 1 && std::all_of(tokens[0].begin(), tokens[0].end(), ::isdigit) &&
      tokens[0].size() < 4) {
    std::size_t n = std::stoul(tokens[0]);
    if (n >= 1 && n <= q.options.size()) {
      result.chosen = &q.options[n - 1];
      result.phrase = tokens[0];
      result.spans = whole_text;
    }
    return result;
  }
  // By id, label, synonym or reply word, spelled exactly (or as the same stems).
  std::string phrase = joined(tokens);
  std::string whole = squash(phrase);
  std::string whole_stems = squash(joined(text.stems));
  for (const auto& o : q.options) {
    std::vector<std::string> names{o.id, o.label};
    names.insert(names.end(), o.synonyms.begin(), o.synonyms.end());
    names.insert(names.end(), o.replies.begin(), o.replies.end());
    for (const auto& name : names) {
      const compiled_phrase& c = compile(name);
      if (c.target == whole || c.stemmed == whole_stems) {
        result.chosen = &o;
        result.phrase = phrase;
        result.spans = whole_text;
        return result;
      }
    }
  }
  // Inside a sentence, with typos and negation.
  result = resolve(q, in_sentence());
  if (result.chosen || !result.candidates.empty()) return result;
  // A near miss of a whole label or id ("Pyhton", "entreprise").
  const option* best = nullptr;
  std::size_t best_d = 99;
  bool tie = false;
  for (const auto& o : q.options) {
    for (const auto& name : {o.id, o.label}) {
      const std::string& target = compile(name).target;
      std::size_t d = edit_distance(whole, target);
      if (d > typo_allowance(target.size())) continue;
      if (d < best_d) {
        best = &o;
        best_d = d;
        tie = false;
      } else if (d == best_d && best != &o) {
        tie = true;
      }
    }
  }
  if (best && !tie) {
    result.chosen = best;
    result.phrase = phrase;
    result.spans = whole_text;
    result.fuzzy = best_d >= 2;
  }
  return result;
}

}  // namespace

std::vector<found_answer> extract_answers(const framework& fw, const state& s,
                                          std::string_view text, std::string_view pending) {
  return extract_answers(fw, s, read_words(text), pending, {});
}

namespace {

// True when a sentence holding one of `at` has a change signal and no keep signal.
bool says_change(const words& text, const std::vector<std::pair<std::size_t, std::size_t>>& at,
                 const reply_words& language_words) {
  for (const auto& [b, e] : at) {
    const auto [from, to] = sentence_of(text, b, e);
    bool change = false;
    bool keep = false;
    for (std::size_t i = from; i < to; ++i) {
      change = change || contains(language_words.change_signals, text.tokens[i]);
      keep = keep || contains(language_words.keep_signals, text.tokens[i]);
    }
    if (change && !keep) return true;
  }
  return false;
}

}  // namespace

const option* other_than(const option_match& m, std::string_view current) {
  if (m.chosen || m.fuzzy || m.candidates.size() != 2) return nullptr;
  if (m.candidates[0]->id == current) return m.candidates[1];
  if (m.candidates[1]->id == current) return m.candidates[0];
  return nullptr;
}

void keep_allowed(const question& q, const answer_filter& allowed, option_match& m) {
  if (!allowed || m.candidates.empty()) return;
  std::erase_if(m.candidates, [&](const option* o) { return !allowed(q, *o); });
  if (m.candidates.size() == 1) {
    m.chosen = m.candidates.front();
    m.candidates.clear();
  }
}

std::vector<found_answer> extract_answers(
    const framework& fw, const state& s, const words& text, std::string_view pending,
    const answer_filter& allowed, const reply_words& language_words, bool answered_first,
    std::vector<std::pair<std::size_t, std::size_t>>* restated) {
  std::vector<found_answer> found;
  if (text.tokens.empty()) return found;
  state seen = s;
  spans claimed;
  // The question being asked reads the sentence first; the others, in asking order, get the rest.
  // Unanswered questions before answered ones: words that could answer a new question or change
  // an old answer ("plus some heavy ML" once the workload is known) answer the new one.
  std::vector<const question*> order;
  // "not analytics, it's the public site": an option of the question asked, denied as what the
  // thing is ("not X", not "no X" or "we don't do X", which deny that X exists), answers it or
  // nothing; it is no "no" to another question.
  spans denied;
  const question* asked = fw.find_question(pending);
  // The question asked, read once as a reply: for the denial here, the yielded replies below
  // and its own answer.
  const std::vector<span_match> asked_matches =
      asked ? scan(*asked, text, true) : std::vector<span_match>{};
  if (asked) {
    order.push_back(asked);
    for (const auto& m : asked_matches)
      if (m.negated && said_not(text.tokens, m.begin, language_words.softeners))
        denied.emplace_back(m.begin, m.end);
    // "not the data one", "not the second option": a reference to one of the options listed,
    // denied; whatever it names answers nothing else.
    const auto& t = text.tokens;
    for (std::size_t i = 0; i + 2 < t.size(); ++i) {
      if (t[i] != "not" || t[i + 1] != "the") continue;
      for (std::size_t k = i + 2; k < t.size() && k <= i + 5 && t[k] != clause_break; ++k)
        if (std::find(language_words.reference_nouns.begin(), language_words.reference_nouns.end(),
                      t[k]) != language_words.reference_nouns.end()) {
          denied.emplace_back(i + 2, k);
          break;
        }
    }
  }
  // "team is python. and sorry, the main job is analytics, not traffic": an answered question
  // the message names by name reads it before the new ones; its words change that answer.
  for (const auto& q : fw.questions) {
    if (q.id == pending || !s.answered(q.id) || answered_first) continue;
    const bool named_by_name = std::any_of(q.names.begin(), q.names.end(), [&](const auto& n) {
      if (n.find(' ') == std::string::npos) return false;  // "focus", "data": too common alone
      std::vector<span_match> at;
      find_phrase(text, n, nullptr, at);
      return std::any_of(at.begin(), at.end(), [&](const span_match& a) {
        return !a.fuzzy && !someone_elses(text, a.begin, language_words.others);
      });
    });
    if (named_by_name) order.push_back(&q);
  }
  for (bool answered : {answered_first, !answered_first})
    for (const auto& q : fw.questions)
      if (q.id != pending && s.answered(q.id) == answered &&
          std::find(order.begin(), order.end(), &q) == order.end())
        order.push_back(&q);
  // "100k concurrent, and the codebase will be massive too", asked about load: a short reply
  // ("massive") in a clause that names another question ("codebase") answers that question,
  // when it is one of its replies too; the question asked does not take it.
  spans yielded;
  if (asked) {
    auto clause_of = [&](std::size_t at) {
      return std::count(text.tokens.begin(), text.tokens.begin() + static_cast<std::ptrdiff_t>(at),
                        std::string(clause_break));
    };
    for (const auto& m : asked_matches) {
      if (!m.reply) continue;
      for (const auto& q : fw.questions) {
        if (&q == asked || !may_hold(fw, q.ask_if, s)) continue;
        // Named, or spoken of in its own words ("huge, tens of thousands of concurrent
        // sessions": "concurrent" is the load's).
        // A reply that is its clause's only words is said of the next clause too, when that
        // clause goes on about it ("huge, tens of thousands of concurrent sessions"), not when
        // it adds something ("massive, and the codebase too"), nor across the end of a sentence
        // ("medium. thousands of users" answers two questions).
        const bool alone = (m.begin == 0 || text.tokens[m.begin - 1] == clause_break) &&
                           m.end + 1 < text.tokens.size() && text.tokens[m.end] == clause_break &&
                           !ends_sentence(text, m.end) &&
                           !contains(language_words.joiners, text.tokens[m.end + 1]);
        bool named_here = false;
        for (const auto* list : {&q.names, &q.phrases})
          for (const auto& n : *list) {
            std::vector<span_match> at;
            find_phrase(text, n, nullptr, at);
            for (const auto& a : at)
              named_here =
                  named_here || (!someone_elses(text, a.begin, language_words.others) &&
                                 (clause_of(a.begin) == clause_of(m.begin) ||
                                  (alone && clause_of(a.begin) == clause_of(m.begin) + 1)));
          }
        if (!named_here) continue;
        const auto theirs = scan(q, text, true);
        if (std::any_of(theirs.begin(), theirs.end(), [&](const span_match& t) {
              return t.reply && t.begin == m.begin && t.end == m.end;
            })) {
          yielded.emplace_back(m.begin, m.end);
          break;
        }
      }
    }
  }
  for (const question* qp : order) {
    const question& q = *qp;
    bool is_pending = q.id == pending;
    if (!may_hold(fw, q.ask_if, seen)) continue;
    if (q.requires_phrase && !is_pending &&
        std::none_of(q.phrases.begin(), q.phrases.end(),
                     [&](const std::string& p) { return contains_phrase(text, p); }))
      continue;
    // "the codebase is medium": a question named by the message takes its short replies too.
    // Not a name denied as what the thing asked about is ("not data heavy ... none of the
    // above": the "none" answers the question asked, not the data one).
    const bool named =
        !is_pending && std::any_of(q.names.begin(), q.names.end(), [&](const std::string& n) {
          std::vector<span_match> at;
          find_phrase(text, n, nullptr, at);
          return std::any_of(at.begin(), at.end(), [&](const span_match& a) {
            return (!asked || !said_not(text.tokens, a.begin, language_words.softeners)) &&
                   !someone_elses(text, a.begin, language_words.others);
          });
        });
    auto undenied = [&](std::vector<span_match> matches) {
      std::erase_if(matches,
                    [&](const span_match& sm) { return sm.negated && overlaps(denied, sm); });
      return resolve(q, std::move(matches));
    };
    auto m = is_pending ? reply_in(q, text, yielded, &asked_matches)
                        : undenied(scan(q, text, false, claimed));
    keep_allowed(q, allowed, m);
    if (named && !m.chosen && m.candidates.empty())
      m = undenied(scan_named(q, text, claimed, language_words.bare_replies));
    if (!m.chosen && m.candidates.empty()) {
      spans taken = claimed;
      taken.insert(taken.end(), denied.begin(), denied.end());
      m = denied_subject(q, text, taken,
                         asked && !is_pending ? &language_words.softeners : nullptr);
    }
    // "number crunching on policy data and ML", asked for the workload: words that leave the
    // question asked torn between options are its, to ask about; no other question takes them.
    if (!m.chosen && is_pending) claimed.insert(claimed.end(), m.spans.begin(), m.spans.end());
    const answer* before = s.find(q.id);
    // "our JS contractor quit so the team's really Python now": words that name an answered
    // question's answer and one other option change it to the other (the old one is why), in
    // a sentence that says so ("now") and keeps nothing ("still python, though node tempts"),
    // or in a correction (`answered_first`), which says so itself.
    if (!m.chosen && !is_pending && before &&
        (answered_first || says_change(text, m.spans, language_words)))
      m.chosen = other_than(m, before->option);
    if (!m.chosen) continue;
    if (allowed && !allowed(q, *m.chosen)) continue;
    claimed.insert(claimed.end(), m.spans.begin(), m.spans.end());
    if (before && before->option == m.chosen->id) {  // already so: nothing new
      if (restated) restated->insert(restated->end(), m.spans.begin(), m.spans.end());
      continue;
    }
    found.push_back({q.id, m.chosen->id, m.phrase, m.fuzzy, m.spans});
    std::erase_if(seen.answers, [&](const answer& a) { return a.question == q.id; });
    seen.answers.push_back({q.id, m.chosen->id, 0, "sentence", m.phrase});
  }
  return found;
}

}  // namespace advisor::dialogue
