// Understanding one message, stage by stage: read it into words (tokens, stems, typos fixed
// against the advisor's vocabulary), then find what it does: a command anywhere in the
// sentence ("no, change the team"), yes or no, a position in the list ("the first one"), a
// quantity ("maybe 5k users"), a hedge, a question for the sources, or answers. The engine
// decides what to do with the reading; nothing here changes a conversation.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "dialogue/classifier.hpp"
#include "dialogue/events.hpp"
#include "dialogue/framework.hpp"
#include "dialogue/language.hpp"
#include "dialogue/matching.hpp"

namespace advisor::dialogue {

// A command found in a message, and the tokens that said it.
struct intent {
  dialogue::command command = command::none;
  std::size_t begin = 0, end = 0;
  const question* target = nullptr;  // for change: the question named ("the team")
  std::string rest;                  // for whatif: the words after the command
};

class understanding {
 public:
  // `examples`: the training sentences (config/examples.json) when they are for this framework.
  understanding(const framework& fw, const language& lang, const examples* ex = nullptr);

  // Tokens, stems, and typos corrected to a word of the framework or the language file when
  // the dictionary does not know the word and one vocabulary word is nearest.
  words read(std::string_view text) const;

  // What a message of nothing but emoji says in words ("👍", "👍🏽👍", ":+1:" -> "yes"), or
  // "" when it is something else or its emoji disagree.
  std::string emoji_words(std::string_view text) const;

  // The command the message gives, if any. `answered` are the questions already answered
  // (change targets are looked for among them first).
  intent command_in(const words& w, const state& s) const;
  // "can i see the recommendation now?": the words of `said` name the advisor's recommendation.
  bool names_recommendation(const words& w, const intent& said) const;

  // Where the message says one of the command's phrases ("no idea", "need to ask"), as token
  // ranges [begin, end).
  std::vector<std::pair<std::size_t, std::size_t>> phrases_of(const words& w, command cmd) const;

  // +1 for yes, -1 for no, 0 for neither; `whole` says the message is nothing but that.
  struct polarity_reading {
    int sign = 0;
    bool whole = false;
  };
  polarity_reading polarity(const words& w) const;

  // The option a yes or a no picks for a question with "yes"/"no" replies.
  const option* by_polarity(const question& q, int sign) const;

  // "the first one", "option 2", "the last": 1-based, or -1 for the last; 0 for several ("the
  // first or the third"). Only when the message is nothing but that.
  std::optional<int> ordinal(const words& w) const;

  // The option a number in the message picks ("5k users" -> growing), for questions with a
  // quantity rule; `pending` says the question is being asked (no unit word needed then).
  const option* by_quantity(const question& q, const words& w, bool pending) const;

  // Every option of the question is a band of counted things ("how much load"): read from a
  // number, not guessed from other words.
  bool counted(const question& q) const;
  // A question word ("what", "how") stands anywhere in the message.
  bool has_wh_word(const words& w) const;

  // "could be 500 could be 50k": the options each number on its own picks, each once.
  std::vector<const option*> by_each_quantity(const question& q, const words& w) const;

  // "6 py, 6 TS", "7 TS devs, 1 python guy": two options each named in a clause with a count
  // of people. Equal counts pick the question's option for both, a count four times the other
  // picks its option; null otherwise (or when the question has no option for both).
  const option* by_head_counts(const question& q, const words& w) const;

  bool hedged(const words& w) const;
  // "both high traffic and legacy integration": "both", then two of the question's options
  // joined by "and" (for a question with no option for both).
  bool both_of_two(const question& q, const words& w) const;
  // "I know some JS already, but the actual goal is a data science job": one of the question's
  // options on each side of a "but" (or an "also"), neither weighed as the main one.
  bool torn_across_but(const question& q, const words& w) const;
  // "mostly rest apis, and we'll need live notifications too": the option a hedge weighs in its
  // own clause, when every other option named is in a clause that adds to it ("too", "also")
  // rather than weighing against it; null otherwise.
  const option* hedged_main(const question& q, const words& w) const;
  // Two hedges weigh parts of the answer against each other ("a bit of X but mostly Y").
  bool hedges_between(const words& w) const;
  // "..., but a fast prototype is also important": something else weighs as much.
  bool weighs_alike(const words& w) const;
  // The message says its answer lies between options ("half startup half agency").
  bool mixed(const words& w) const;
  // "it will grow, our main product for years, so large": where the closing clause's few words
  // after a conclusion word ("so") stand, when other clauses lead to it.
  std::optional<std::pair<std::size_t, std::size_t>> conclusion(const words& w) const;
  // "small-to-medium?", "low or moderate": two options of `q` named one after the other, joined
  // by a range word (not when `q` has an option for both); "so... 1 and 2?": two places in its
  // list. The answer lies between them.
  bool between_options(const question& q, const words& w) const;
  // "the backend guy is python, the two frontend ones do TS. so..?", "does 'nice to have' count
  // as yes?": a message whose last clause asks the advisor back which option its words make.
  bool asks_back(const words& w) const;
  // "product hasn't decided whether we do any analytics": where a question is left open inside
  // the message, from its marker to the end of its clause, as token ranges [begin, end).
  std::vector<std::pair<std::size_t, std::size_t>> open_questions(const words& w) const;
  // "pipelines + model training, the API part is tiny": the options of `q` named in a clause
  // that calls them small beside the rest.
  std::vector<const option*> lesser_options(const question& q, const words& w) const;
  // The message gives one answer for the start and another for later ("not at launch but the
  // roadmap has live chat").
  bool changes_over_time(const words& w) const;
  bool greets(const words& w) const;
  // Subjects named in the message that may lie outside the sources ("Go", "Kubernetes").
  // The new answer a change names ("the team is python people now"): the option of `q` the
  // words give once the question's own name and the change words are left out. Null if none.
  const option* changed_to(const question& q, const words& w) const;
  // "I already know JS from doing the practice website": the word at `at` follows, in its
  // clause (`clause` as clauses() gives it), where a skill was learned.
  bool learned_on(const words& w, const std::vector<std::size_t>& clause, std::size_t at) const;
  // For each token, the clause it stands in, counting from 0: commas and the like, and "and",
  // "but", "also", "plus", "though" between words, start a new one.
  std::vector<std::size_t> clauses(const words& w) const;
  // The message cut at those clauses.
  std::vector<words> clause_parts(const words& w) const;

  // A correction said in passing: "medium. oh and i was wrong about the team, they're all python
  // folks", "i said thousands of users but it'll be a couple hundred tops". It runs from the
  // clause of its marker (language.json "grammar.corrections") to the end of that sentence.
  struct correction {
    words said;    // the correcting words, the marker and any quoted old answer left out
    words quoted;  // "i said thousands of users": the old answer it quotes, if any
    // "it's not analytics", "more a website than an api": the old answers it denies.
    std::vector<words> denied;
    words asserted;    // the correcting words without what they deny: the new answer
    std::string rest;  // the message's other words, to be read as they would be alone
    words lead;        // the clause before the correction's in its sentence ("about the data")
  };
  std::optional<correction> correction_in(const words& w) const;

  // "python. i mean typescript", "python, scratch that, ts": a reply to `q` that the same
  // message corrects with another reply to it; the words after the last marker, as text.
  // "a quick compare of both stacks on data science": what a comparison is of, from token
  // `from` on, without the words for the two stacks, the whole or fillers ("data science").
  std::string compare_topic(const words& w, std::size_t from) const;
  std::optional<std::string> corrected_reply(const question& q, const words& w,
                                             const state& s) const;
  // True when the first word opens a question ("is", "how", "does", ...).
  bool opens_question(const words& w) const;
  // How many words the advisor has never met (not in its framework, language file or examples):
  // "zebra" and "printer" in "how do i hook python up to a zebra label printer".
  std::size_t unknown_words(const words& w) const;
  std::vector<std::string> other_subjects(const words& w) const;
  // True when every mention of `subject` in `w` is a comparison in passing ("like PHP 5", "the
  // way Rails does"), not what is asked about.
  bool aside(const words& w, std::string_view subject) const;
  // True when an other subject is a tool a backend runs with (`surroundings`): "k8s".
  bool surrounding(std::string_view subject) const;
  // The words as the sources would put them, for a search: corrected, with chat words
  // replaced ("is python ok for a noob" -> "is python ok for a beginner").
  std::string search_query(const words& w) const;
  // The message opens like a question ("how", "is", "can", ...).
  bool asks(const words& w) const;

  // Which answers the message may give: a sentence spoken for a group ("we", "our team") never
  // gives the answers `group_excludes` lists, nor answers to questions only they lead to; once
  // `s` holds such an answer (the user is on their own), group words speak of others.
  answer_filter filter(const words& w, const state& s) const;
  // The yes and no words: a question the message names does not take them as its reply.
  // The language's words extract_answers leans on: yes and no words, option references.
  const dialogue::reply_words& reply_words() const { return reply_words_; }

  // The message without its filler words.
  std::vector<std::string> core(const words& w) const;

  // The option of `q` the trained classifier reads in the message (tokens in `skip` aside),
  // when its words point clearly to one; nullptr otherwise.
  // `caution`: 0 for the question being asked; 1 for another one, read from words no answer
  // used; 2 for another one, read from words an answer used too. Each step asks more of it.
  const option* classify_answer(const question& q, const words& w,
                                const std::vector<std::pair<std::size_t, std::size_t>>& skip,
                                int caution = 0) const;
  // The knowledge topic a question for the sources asks about ("which one is quicker" ->
  // performance), when the classifier trained on the example questions is sure; "" otherwise.
  std::string topic_of(const words& w) const;
  // The command the trained classifier reads in a message no rule understood, when it is sure.
  command classify_command(const words& w) const;
  // The answered question that the words from `from` on describe without naming it ("what
  // I said about how many customers we'll get": the expected load), when the classifier
  // trained on the questions' wording, options and mentions is sure; nullptr otherwise.
  const question* answer_described(const words& w, std::size_t from, const state& s) const;
  // The question a message names ("the team"), answered ones first.
  const question* named_question(const words& w, const state& s) const;
  // Whether the message names `q` ("the system's main job"), wherever it stands.
  bool names(const words& w, const question& q) const;
  // Whether the message denies option `o` ("not a startup"): one of its phrases after a negator.
  bool denies(const words& w, const option& o) const;
  // The yes of a yes/no question that the message names and denies nowhere ("live polls that
  // update for everyone", asked about live features); nothing when it is no yes/no question.
  const option* affirms(const words& w, const question& q) const;
  // The option of yes/no question `q` a message says, when it names `q`: a yes or a no
  // ("I said no to the live features"), the name denied ("we didn't need any live stuff": no)
  // or just named ("we needed live features": yes); nothing when `q` is no yes/no question.
  const option* yes_no_said(const words& w, const question& q) const;

 private:
  // Every number in the message is followed by another quantity rule's unit ("5k staff").
  bool counts_elsewhere(const words& w, const quantity_rule& rule) const;
  bool whole_is(const std::vector<std::string>& core_tokens,
                const std::vector<std::string>& phrases) const;
  // Whether `q`'s names stand as typed in the message: -1 when one is negated ("no live
  // features"), 1 when named, 0 when not named.
  int named_sign(const words& w, const question& q) const;
  // The option of `q` a clause calls small beside the rest ("the API part is tiny"), named by
  // words other than the ones that call it small; null when the clause calls nothing small.
  const option* lesser_in(const question& q, const words& part) const;
  // How many tokens from `i` on are a filler ("i suppose"), the longest; 0 when none is.
  std::size_t filler_at(const words& w, std::size_t i) const;
  // The largest count in the message; with `speakers` false, counts of the speakers themselves
  // ("we're 4 students") are left out.
  // `units`: a number word right before one of them counts without a multiplier ("a dozen
  // endpoints", "twelve screens").
  std::optional<double> quantity(const words& w, bool speakers = true,
                                 const std::vector<std::string>* units = nullptr) const;
  std::optional<double> share(const words& w, const quantity_rule& rule) const;
  // A position with nothing but list words around it ("option 2", "the first one please").
  std::optional<int> strict_ordinal(const words& w) const;

  const framework& fw_;
  const language& lang_;
  std::vector<std::string> vocabulary_;
  std::unordered_set<std::string> known_;
  std::vector<std::vector<std::string>> fillers_;  // each filler phrase as tokens, longest first
  dialogue::reply_words reply_words_;
  struct trained;
  static std::shared_ptr<const trained> train(const framework& fw, const language& lang,
                                              const examples& ex);
  std::shared_ptr<const trained> trained_;  // nullptr without examples for this framework
};

}  // namespace advisor::dialogue
