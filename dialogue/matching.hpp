// Matching what a user typed to the framework's options: by number, id, label, synonym or
// reply word; case-insensitive; tolerant of small typos; aware of negation ("no real-time
// needs", "we don't know JavaScript"). It never guesses: when two options fit equally it says so.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "dialogue/events.hpp"
#include "dialogue/framework.hpp"

namespace advisor::dialogue {

// Lower case, punctuation other than - . # + / ' turned to spaces (commas kept as clause
// breaks), runs of spaces folded.
std::vector<std::string> tokenize(std::string_view text);
// The same, and for each token whether it is a break that ends a sentence (". ", "!", "?", ";").
std::vector<std::string> tokenize(std::string_view text, std::vector<char>& stops);
std::string normalize(std::string_view text);

// A message read into words: tokens as tokenize gives them (after any spelling correction) and
// each one's stem ("knows" -> "know").
struct words {
  std::vector<std::string> tokens;
  std::vector<std::string> stems;
  bool question_mark = false;  // the message ends with "?" (spaces, emoji and ")" aside)
  // Beside each token: 1 for a break that ends a sentence. Empty when not known.
  std::vector<char> stops;
};
words read_words(std::string_view text);
// The words in [begin, end), with their stems.
words slice(const words& w, std::size_t begin, std::size_t end);
// True when token i is a break that ends a sentence.
bool ends_sentence(const words& w, std::size_t i);
// The sentence that holds the tokens [begin, end): [first token, its closing break or the end).
std::pair<std::size_t, std::size_t> sentence_of(const words& w, std::size_t begin, std::size_t end);
// True when the word is one of the list's.
bool contains(const std::vector<std::string>& list, std::string_view w);
// True when the token has a digit in it ("5k", "10^3").
bool has_digit(std::string_view t);

// True when the phrase (or its stems, or a near miss) stands in the words.
bool mentions(const words& text, std::string_view phrase);

// Edit distance with adjacent transpositions (optimal string alignment).
std::size_t edit_distance(std::string_view a, std::string_view b);

struct option_match {
  const option* chosen = nullptr;         // the one option meant, if any
  std::vector<const option*> candidates;  // several fitted equally: ask which
  std::string phrase;                     // the words that matched
  std::vector<std::pair<std::size_t, std::size_t>>
      spans;           // token ranges that gave `chosen` (or the candidates)
  bool fuzzy = false;  // only a typo of two or more letters gave it: to be confirmed, not taken
  std::vector<const option*> denied;  // options the text denies ("not tiny"): no guess gives them
  // Options whose words stand in a negation's reach ("no ancient systems to hook into").
  std::vector<const option*> negated;
  // The words of those negations, negator included ("no heavy number crunching").
  std::vector<std::pair<std::size_t, std::size_t>> negated_spans;
};

// Words torn between an answer given (`current`) and one other option: the other, the answer
// it changes to ("our JS contractor quit so the team's really Python now"); else null.
const option* other_than(const option_match& m, std::string_view current);

// A direct reply to question `q`.
option_match match_reply(const question& q, std::string_view text);
option_match match_reply(const question& q, const words& text);

struct found_answer {
  std::string question;
  std::string option;
  std::string phrase;  // the words in the sentence that gave it
  bool fuzzy = false;
  std::vector<std::pair<std::size_t, std::size_t>> spans;  // the token ranges that gave it
};

// Which answers a sentence may give (for example, none an individual gives when it speaks
// for a team); empty: every answer.
using answer_filter = std::function<bool(const question&, const option&)>;

// Drops the candidates `allowed` refuses; when one is left, it is the one meant ("we're students
// who turned a class project into a startup": "we" rules out "just me").
void keep_allowed(const question& q, const answer_filter& allowed, option_match& m);

// Every answer a free-text sentence gives, for any question whose condition may still hold
// given `s` and the answers found before it. `pending` (may be empty) is the question being
// asked, whose reply words also count and which needs none of its phrases. Questions are
// read in asking order, and words that gave one answer are not read again for a later
// question ("career in data science" answers the goal, not the workload), except where the
// earlier question could not decide between two of its options. A question the message names
// ("the ML one") takes its short replies too, except the bare replies (yes and no words), which
// only the question being asked takes. `answered_first` reads the questions already answered
// before the others: for words that correct an earlier answer ("scratch that, it's an API").
// `restated`, when given, receives where the message says again an answer already given ("ts
// all the way" after the team's JavaScript): those words answer nothing new.
// Words of the language file that extract_answers leans on (the engine passes them).
struct reply_words {
  std::vector<std::string> bare_replies;     // yes and no words, normalized
  std::vector<std::string> reference_nouns;  // "one", "option": "not the data one" names an option
  std::vector<std::string> joiners;          // "and", "but": open a clause that adds something new
  std::vector<std::string> softeners;  // "really": "not really X" denies X as what the thing is
  std::vector<std::string> others;     // "another": "another team's problem" names no question
  // "now": "the team's really python now", an answer given changed; "still" keeps it.
  std::vector<std::string> change_signals;
  std::vector<std::string> keep_signals;
};

std::vector<found_answer> extract_answers(const framework& fw, const state& s,
                                          std::string_view text, std::string_view pending);
std::vector<found_answer> extract_answers(
    const framework& fw, const state& s, const words& text, std::string_view pending,
    const answer_filter& allowed, const reply_words& language_words = {},
    bool answered_first = false,
    std::vector<std::pair<std::size_t, std::size_t>>* restated = nullptr);

}  // namespace advisor::dialogue
