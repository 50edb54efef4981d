#include "adapters/common/channel.hpp"

#include <stdexcept>
#include <utility>

namespace advisor::adapters {

namespace {

template <class Action>
bot::request request_of(Action&& a) {
  bot::request r;
  r.token = std::forward<Action>(a).token;
  // The service's stale-button check, for whatever a button asks.
  if (a.type == action::kind::option || a.type == action::kind::command ||
      (a.type == action::kind::open && a.fresh)) {
    r.expected_question = std::forward<Action>(a).expected_question;
    r.expected_conversation = std::forward<Action>(a).expected_conversation;
  }
  switch (a.type) {
    case action::kind::open:
      // Fresh: a new conversation (bot::request::kind::start); else the service's open rule.
      r.type = a.fresh ? bot::request::kind::start : bot::request::kind::open;
      r.fresh = a.fresh;
      r.text = std::forward<Action>(a).text;
      r.framework = std::forward<Action>(a).framework;
      break;
    case action::kind::resume:
      r.type = bot::request::kind::start;
      r.must_exist = true;
      r.fresh = a.fresh;
      r.history = a.history;
      r.text = std::forward<Action>(a).text;
      r.framework = std::forward<Action>(a).framework;
      break;
    case action::kind::text:
      r.type = bot::request::kind::message;
      r.text = std::forward<Action>(a).text;
      break;
    case action::kind::option:
      r.type = bot::request::kind::choose;
      r.option = std::forward<Action>(a).option;
      break;
    case action::kind::command:
      r.type = bot::request::kind::command;
      r.action = a.command;
      break;
  }
  return r;
}

}  // namespace

bot::request to_request(const action& a) { return request_of(a); }
bot::request to_request(action&& a) { return request_of(std::move(a)); }

bot::turn run(bot::service& svc, const bot::channel_key& key, const action& a) {
  bot::result r = svc.run(key, to_request(a));
  if (r.state != bot::result::status::ok)
    throw turn_not_saved("the turn was not saved: " + r.failure);
  return std::move(r.t);
}

delivery delivery::from(const outbound_result& r, std::string what) {
  if (r.ok()) return {true, static_cast<int>(r.status), {}};
  std::string error = std::move(what) + ": ";
  error += r.status ? "HTTP " + std::to_string(r.status) : "no response";
  if (!r.error.empty()) error += " (" + r.error + ")";
  return {false, static_cast<int>(r.status), std::move(error)};
}

}  // namespace advisor::adapters
