// A conversation is its history of events; its state is rebuilt by replaying them.
// Undo, change and what-if fall out of replay, and a crash never leaves a half state.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "framework.hpp"

namespace advisor::dialogue {

enum class event_kind {
  answer,   // question answered with an option (option empty: "not sure", counted as unknown)
  undo,     // the last turn's answers are taken back
  restart,  // everything before is forgotten
  change,   // the answer to `question` is reopened, to be asked again
  confirm,  // the user confirmed the reviewed answers
  propose,  // an answer the advisor asks the user to confirm before taking it ("change X to Y?")
  dismiss,  // the user declined what was proposed
};

struct event {
  event_kind kind = event_kind::answer;
  std::string question;
  std::string option;
  int turn = 0;        // answers given in one turn share it; undo takes the whole turn back
  std::string via;     // how the answer came: "choice", "text", "sentence", "skip"
  std::string phrase;  // the words that gave it, for "I took ..." lines
};

std::string to_string(event_kind kind);
std::optional<event_kind> event_kind_from_string(std::string_view text);

struct answer {
  std::string question;
  std::string option;  // empty: unknown
  int turn = 0;
  std::string via;
  std::string phrase;
};

// The state a history leads to.
struct state {
  std::vector<answer> answers;  // effective answers, in the order given
  bool confirmed = false;
  int last_turn = 0;
  // Answers proposed in the last turn that recorded anything, waiting for a yes or a no; any
  // later turn that records something drops them.
  std::vector<answer> proposals;
  // Every answer given since the last restart, in the order given, with those `answers` leaves
  // out (a changed branch may bring them back, an undo takes back the last turn's): what the
  // next events apply to, so that a turn's state follows from the one before it.
  std::vector<answer> given;

  const answer* find(std::string_view question) const;
  bool answered(std::string_view question) const { return find(question) != nullptr; }
};

// Replays a history, then `more` after it. Answers to questions whose condition no longer
// holds drop out.
state replay(const framework& fw, std::span<const event> history, std::span<const event> more = {});
// The state `now` (a replay's or an advance's) leads to once `more` is added to its history:
// replay(fw, history, more) without the history.
state advance(const framework& fw, const state& now, std::span<const event> more);

// True when the condition holds for the given answers; unanswered questions fail it.
bool holds(const condition& c, const state& s);
// True when the condition may still hold once the missing answers come in: every question it
// names is answered as it needs, or unanswered but still possible to ask.
bool may_hold(const framework& fw, const condition& c, const state& s);

}  // namespace advisor::dialogue
