// The dialogue engine: given a framework, a history and what the user said, it decides the
// next move (ask, re-prompt, explain, recommend) and the events to record. It never sends
// anything and never touches storage; the bot service does both.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "events.hpp"
#include "framework.hpp"
#include "knowledge/knowledge.hpp"
#include "language.hpp"
#include "presentation.hpp"
#include "scoring.hpp"
#include "understanding.hpp"

namespace advisor::dialogue {

// What pressing an option does.
enum class option_role {
  answer,    // answers the pending question
  not_sure,  // leaves it open
  confirm,   // confirms the reviewed answers
  change,    // reopens one answer
  accept,    // takes what the advisor proposed ("change it to ...?", "did you mean ...?")
  reject,    // declines it
  command,   // a command: why, summary, restart
};

struct option_view {
  std::string id;
  std::string label;
  option_role role = option_role::answer;
  dialogue::command action = command::none;  // for role command: the command it runs
};

// Where the conversation stands after a turn.
enum class stage {
  asking,       // a question of the framework is pending
  confirming,   // the advisor proposed an answer and waits for a yes or a no
  reviewing,    // every question is answered; the answers wait for confirmation
  recommended,  // the recommendation has been given
};

// Why a turn changed nothing, when it did not.
enum class notice {
  none,
  empty_message,   // nothing was typed
  too_long,        // the message is longer than the advisor reads
  unknown_option,  // a button that is not one of the options here
  ambiguous,       // it could mean several options: the advisor asks which
  no_match,        // nothing in it answers the question
  not_covered,     // a question the sources do not cover
  stale,           // a button of an earlier question (set by the service)
  // the conversation's framework version cannot be loaded here (set by the service)
  framework_unavailable,
};

std::string_view to_string(notice n);
std::string_view to_string(stage s);
std::string_view to_string(option_role r);

// The longest message the advisor reads, in bytes; longer ones are refused with too_long.
constexpr std::size_t max_message_bytes = 2000;

struct progress {
  int step = 0;
  int total = 0;
};

// What the user did this turn, as the channel saw it.
struct input {
  enum class kind { start, text, choose, command };
  kind type = kind::text;
  std::string text;                          // for text, and an optional opening sentence for start
  std::string option;                        // for choose
  dialogue::command action = command::none;  // for command: a typed action (a button's)
  std::string date;  // today, for decision records (the engine reads no clock)
};

// The engine's decision for one turn.
struct outcome {
  std::vector<event> events;  // to append to the history, in order, in one transaction
  std::vector<say> parts;     // what the advisor says, as typed parts (dialogue/presentation.hpp)
  std::string text;           // present(parts): the words (light markdown: **bold**, "- " lists)
  std::vector<option_view> options;
  std::string question;  // the pending question id ("review" while reviewing; "" when done)
  dialogue::progress progress;
  // Shared with the engine's memo and never changed once here (channels may keep what they
  // made of it per recommendation).
  std::shared_ptr<const dialogue::recommendation> recommendation;
  std::string error;      // to_string(notice) when the input was refused; state unchanged
  bool finished = false;  // the recommendation has been given
  dialogue::stage stage = stage::asking;
  dialogue::notice notice = notice::none;
  bool informing = false;  // the turn answered something (a question, a command) without moving on
  dialogue::command action = command::none;  // the command understood, if any
  std::vector<std::string> facts;            // ids of the facts the text shows, in order
  dialogue::state state;  // the conversation's state once `events` are added to the history

  // A question waits for an answer: one of the framework's, or the advisor's proposal.
  bool asking() const {
    return !finished && (stage == stage::asking || stage == stage::confirming);
  }
  // Every question is answered; the answers wait for confirmation.
  bool reviewing() const { return !finished && stage == stage::reviewing; }
  // This very turn confirmed the answers and gave the recommendation (not a later turn that
  // only repeats it).
  bool just_recommended() const;
  // The option with this id, if the turn offers it.
  const option_view* find_option(std::string_view id) const;
};

class engine {
 public:
  engine(const framework& fw, const knowledge::knowledge_source& kb);

  // Decides one turn. `history` is every event so far; the outcome's events come after it.
  outcome step(const std::vector<event>& history, const input& in) const;
  // The same, when the caller already has the state `history` leads to (replay(fw, history),
  // or the `state` of the outcome that ended it): the history is not replayed, and the
  // outcome's state is `now` advanced by the turn's events (see advance).
  outcome step(const std::vector<event>& history, const state& now, const input& in) const;

  // What the user sees now, without a new input (used when a session resumes).
  outcome current(const std::vector<event>& history) const;
  outcome current(const std::vector<event>& history, const state& now) const;

  // current(...).question without building the rest: the question the conversation waits
  // on, "review" while the answers are reviewed, "" once the recommendation is given.
  std::string pending_question(const state& now) const;

  // A Markdown Architecture Decision Record of the conversation so far.
  std::string decision_record(const std::vector<event>& history, const std::string& date) const;

  const framework& fw() const { return fw_; }

  engine(engine&&) noexcept;
  ~engine();

  // Results remembered per set of answers (see engine.cpp); shared by the threads using it.
  class answers_memo;

 private:
  // What a correction said in passing changes: answered questions and their new options.
  // `sure`: the correction quoted or denied the old answer it changes.
  std::vector<found_answer> corrections(const state& s, const understanding::correction& fix,
                                        const std::string& phrase, bool& sure) const;

  const framework& fw_;
  const knowledge::knowledge_source& kb_;
  std::vector<char> branching_;  // per question: another question's condition names it
  understanding understanding_;
  std::unique_ptr<answers_memo> memo_;
};

}  // namespace advisor::dialogue
