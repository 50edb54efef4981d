#include "dialogue/events.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace advisor::dialogue {

namespace {
constexpr std::array<std::pair<event_kind, std::string_view>, 7> kind_names{{
    {event_kind::answer, "answer"},
    {event_kind::undo, "undo"},
    {event_kind::restart, "restart"},
    {event_kind::change, "change"},
    {event_kind::confirm, "confirm"},
    {event_kind::propose, "propose"},
    {event_kind::dismiss, "dismiss"},
}};
}  // namespace

std::string to_string(event_kind kind) {
  for (const auto& [k, name] : kind_names)
    if (k == kind) return std::string(name);
  return "unknown";
}

std::optional<event_kind> event_kind_from_string(std::string_view text) {
  for (const auto& [k, name] : kind_names)
    if (name == text) return k;
  return std::nullopt;
}

const answer* state::find(std::string_view question) const {
  for (const auto& a : answers)
    if (a.question == question) return &a;
  return nullptr;
}

bool holds(const condition& c, const state& s) {
  for (const auto& [q, opts] : c.any_of) {
    const answer* a = s.find(q);
    if (!a || std::find(opts.begin(), opts.end(), a->option) == opts.end()) return false;
  }
  return true;
}

bool may_hold(const framework& fw, const condition& c, const state& s) {
  for (const auto& [q, opts] : c.any_of) {
    const answer* a = s.find(q);
    if (a) {
      if (std::find(opts.begin(), opts.end(), a->option) == opts.end()) return false;
      continue;
    }
    // Unanswered: it must still be askable itself (conditions only look back, so this ends).
    const question* dep = fw.find_question(q);
    if (!dep || !may_hold(fw, dep->ask_if, s)) return false;
  }
  return true;
}

namespace {

void apply(state& s, const event& e) {
  // Proposals wait for the next turn that records something.
  if (!s.proposals.empty() && e.turn > s.proposals.front().turn) s.proposals.clear();
  s.last_turn = std::max(s.last_turn, e.turn);
  switch (e.kind) {
    case event_kind::answer: {
      std::erase_if(s.answers, [&](const answer& a) { return a.question == e.question; });
      s.answers.push_back({e.question, e.option, e.turn, e.via, e.phrase});
      s.confirmed = false;
      break;
    }
    case event_kind::undo: {
      if (!s.answers.empty()) {
        int last = 0;
        for (const auto& a : s.answers) last = std::max(last, a.turn);
        std::erase_if(s.answers, [&](const answer& a) { return a.turn == last; });
      }
      s.confirmed = false;
      break;
    }
    case event_kind::restart:
      s.answers.clear();
      s.confirmed = false;
      break;
    case event_kind::change:
      std::erase_if(s.answers, [&](const answer& a) { return a.question == e.question; });
      s.confirmed = false;
      break;
    case event_kind::confirm:
      s.confirmed = true;
      break;
    case event_kind::propose:
      s.proposals.push_back({e.question, e.option, e.turn, e.via, e.phrase});
      break;
    case event_kind::dismiss:
      s.proposals.clear();
      break;
  }
}

// The state the answers given (`raw.answers`) amount to: answers whose question would no longer
// be asked (a branch changed) do not count. They stay in the order given.
state effective_of(const framework& fw, state raw) {
  // Conditions only look back, so one pass in asking order settles every chain.
  state effective;
  effective.confirmed = raw.confirmed;
  effective.last_turn = raw.last_turn;
  effective.proposals = std::move(raw.proposals);
  std::vector<std::pair<std::size_t, std::size_t>> order;  // (given at, counted at)
  // At most every answer counts: one allocation for each vector, not one per doubling.
  effective.answers.reserve(raw.answers.size());
  order.reserve(raw.answers.size());
  for (const auto& q : fw.questions) {
    for (std::size_t i = 0; i < raw.answers.size(); ++i) {
      if (raw.answers[i].question != q.id) continue;
      if (holds(q.ask_if, effective)) {
        order.emplace_back(i, effective.answers.size());
        effective.answers.push_back(raw.answers[i]);
      }
      break;
    }
  }
  if (!std::is_sorted(order.begin(), order.end())) {
    std::sort(order.begin(), order.end());
    std::vector<answer> given_order;
    given_order.reserve(order.size());
    for (const auto& [at, counted] : order)
      given_order.push_back(std::move(effective.answers[counted]));
    effective.answers = std::move(given_order);
  }
  effective.given = std::move(raw.answers);
  return effective;
}

}  // namespace

state replay(const framework& fw, std::span<const event> history, std::span<const event> more) {
  state s;
  for (const auto& e : history) apply(s, e);
  for (const auto& e : more) apply(s, e);
  return effective_of(fw, std::move(s));
}

state advance(const framework& fw, const state& now, std::span<const event> more) {
  state s;
  // Each event adds at most one answer: room for them all, so that the first one added does
  // not move every answer copied here.
  s.answers.reserve(now.given.size() + more.size());
  s.answers = now.given;
  s.confirmed = now.confirmed;
  s.last_turn = now.last_turn;
  s.proposals = now.proposals;
  for (const auto& e : more) apply(s, e);
  return effective_of(fw, std::move(s));
}

}  // namespace advisor::dialogue
