#include "bot/service/history.hpp"

#include <optional>
#include <span>

namespace advisor::bot {

using dialogue::event;
using dialogue::event_kind;

namespace {

bool same_events(const std::vector<event>& decided, std::span<const event> stored) {
  if (decided.size() != stored.size()) return false;
  for (std::size_t i = 0; i < decided.size(); ++i) {
    const event& a = decided[i];
    const event& b = stored[i];
    if (a.kind != b.kind || a.question != b.question || a.option != b.option || a.via != b.via ||
        a.phrase != b.phrase)
      return false;
  }
  return true;
}

// What the user said, as well as the events tell it, when no input gives them again.
std::string words_of(std::span<const event> turn) {
  std::string words;
  for (const auto& e : turn) {
    std::string w = e.phrase;
    if (w.empty()) {
      switch (e.kind) {
        case event_kind::undo:
          w = "back";
          break;
        case event_kind::restart:
          w = "restart";
          break;
        case event_kind::dismiss:
          w = "no";
          break;
        case event_kind::confirm:
          w = "confirm";
          break;
        default:
          break;
      }
    }
    if (w.empty() || words.find(w) != std::string::npos) continue;
    words += (words.empty() ? "" : ", ") + w;
  }
  return words.empty() ? std::string("...") : words;
}

struct attempt {
  dialogue::input in;
  std::string said;  // what the user saw in their own bubble
};

}  // namespace

std::string_view to_string(past_message::author a) {
  return a == past_message::author::user ? "user" : "advisor";
}

std::vector<past_message> transcript(const dialogue::engine& eng, const std::vector<event>& events,
                                     const std::vector<std::string>& times) {
  std::vector<past_message> out;
  if (events.empty()) return out;
  const bool timed = times.size() == events.size();
  auto time_of = [&](std::size_t i) { return timed ? times[i] : std::string{}; };

  std::vector<event> history;
  dialogue::state now = dialogue::replay(eng.fw(), history);
  std::vector<dialogue::option_view> offered;  // the buttons the last message offered
  if (events.front().kind != event_kind::restart) {
    // The greeting; history before a restart is not kept, so neither is its greeting.
    dialogue::input start;
    start.type = dialogue::input::kind::start;
    dialogue::outcome greeting = eng.step(history, now, start);
    if (greeting.events.empty()) {
      out.push_back({past_message::author::advisor, greeting.text, {}});
      offered = std::move(greeting.options);
    }
  }

  std::size_t i = 0;
  while (i < events.size()) {
    // The events of one turn share its number.
    std::size_t end = i + 1;
    while (end < events.size() && events[end].turn == events[i].turn) ++end;
    const std::span<const event> stored(events.data() + i, end - i);

    std::vector<attempt> attempts;
    for (const auto& o : offered) {
      attempt a;
      a.in.type = dialogue::input::kind::choose;
      a.in.option = o.id;
      a.said = o.label;
      attempts.push_back(std::move(a));
    }
    const std::string words = words_of(stored);
    if (words != "...") {
      attempt a;
      a.in.type = dialogue::input::kind::text;
      a.in.text = words;
      a.said = words;
      attempts.push_back(a);
      // The very first turn may also have been a start with an opening sentence.
      if (history.empty()) {
        a.in.type = dialogue::input::kind::start;
        attempts.push_back(std::move(a));
      }
    }

    std::optional<dialogue::outcome> reply;
    std::string said;
    for (const auto& a : attempts) {
      dialogue::outcome o = eng.step(history, now, a.in);
      if (same_events(o.events, stored)) {
        reply = std::move(o);
        said = a.said;
        // A conversation opened with a sentence: its first reply replaced the greeting.
        if (a.in.type == dialogue::input::kind::start && out.size() == 1) out.clear();
        break;
      }
    }
    history.insert(history.end(), stored.begin(), stored.end());
    if (reply) {
      now = std::move(reply->state);
    } else {
      // No input gives these events again (the words were longer than the phrases kept, or
      // the framework changed): the user's words as the events keep them, and the question
      // that followed.
      now = dialogue::replay(eng.fw(), history);
      reply = eng.current(history, now);
      said = words;
    }
    out.push_back({past_message::author::user, said, time_of(i)});
    out.push_back({past_message::author::advisor, reply->text, time_of(end - 1)});
    offered = std::move(reply->options);
    i = end;
  }
  return out;
}

}  // namespace advisor::bot
