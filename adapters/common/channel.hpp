// The channel contract: what each channel (web, terminal, Slack, Discord) implements, so that
// its folder holds only its wire format and its I/O, and the shared runner (runner.hpp) does
// the rest. A channel provides three things:
//   parse:   the wire format -> an `inbound`: a conversation key and a typed `action`;
//   render:  the service's typed reply (bot::turn: stage, options with roles, notices,
//            progress, recommendation) -> the wire format, a pure function tested without a
//            socket (tests/unit, tests/integration/<channel>/unit_test);
//   deliver: send, update and follow up, each returning a `delivery` (a value, never thrown).
// Conversation-start and stale-button rules are the service's (bot/service/service.hpp:
// request::kind::open, expected_question), the same for every channel.
#pragma once

#include <concepts>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

#include "adapters/common/http.hpp"
#include "adapters/common/outbound.hpp"
#include "bot/service/service.hpp"

namespace advisor::adapters {

// What a person did, in the service's terms.
struct action {
  enum class kind {
    open,     // the channel's entry (a slash command, a bare mention): resume or start
    resume,   // a known conversation again (a session token): the service answers
              // unknown_session when the key has none; `fresh` starts it over
    text,     // free text
    option,   // an option of the question (a button)
    command,  // a typed command (a button's why, back, restart, ...)
  };
  kind type = kind::text;
  std::string text;    // open: opening words (may be empty); text
  std::string option;  // option
  // option, command, a fresh open: what the button pressed was made for; the service refuses
  // it (notice::stale) when the key's conversation is another or no longer at that question
  std::string expected_question;
  std::string expected_conversation;                    // its id, or the end of it
  dialogue::command command = dialogue::command::none;  // command
  bool fresh = false;     // open, resume: always a new conversation (a new Slack thread)
  std::string framework;  // open, resume: the framework of a new conversation (empty: default)
  bool history = false;   // resume: also the earlier messages (a bare resume only)
  std::string token;      // stored with the turn (bot::request::token); empty: none asked

  static action open(std::string words = {}, bool fresh = false) {
    action a;
    a.type = kind::open;
    a.text = std::move(words);
    a.fresh = fresh;
    return a;
  }
  static action resume(std::string words = {}, bool fresh = false, bool history = false) {
    action a;
    a.type = kind::resume;
    a.text = std::move(words);
    a.fresh = fresh;
    a.history = history;
    return a;
  }
  static action said(std::string words) {
    action a;
    a.type = kind::text;
    a.text = std::move(words);
    return a;
  }
  static action chose(std::string option, std::string question = {}) {
    action a;
    a.type = kind::option;
    a.option = std::move(option);
    a.expected_question = std::move(question);
    return a;
  }
  static action run(dialogue::command c) {
    action a;
    a.type = kind::command;
    a.command = c;
    return a;
  }
};

// The service request for an action (the rvalue form moves its strings).
bot::request to_request(const action& a);
bot::request to_request(action&& a);
// Thrown by run when the turn could not be stored (the store refused or could not be reached;
// nothing of the turn was kept, or a networked store could not tell, which its token settles).
// The runner turns it into the channel's `failed` reply; a channel that recorded the request
// as a job (dialogue::job_store) may instead leave the job to be run again.
class turn_not_saved : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs an action as a turn of the key's conversation; throws turn_not_saved when the turn
// could not be stored.
bot::turn run(bot::service& svc, const bot::channel_key& key, const action& a);

// A parsed message: whose conversation, and what they did.
struct inbound {
  bot::channel_key key;
  action what;
};

// The outcome of one outbound call (send, update, follow-up): data, never an exception.
struct delivery {
  bool ok = true;
  int status = 0;     // the HTTP status, 0 when no response came (or no call was made)
  std::string error;  // empty when ok

  static delivery done() { return {}; }
  static delivery from(const outbound_result& r, std::string what);
};

// What parse gives the runner: an answer to send at once (a ping, a refusal, a help text),
// or an event to run as a turn.
template <class Event>
using parsed = std::variant<http_response, Event>;

// A channel reached over HTTP, as the runner drives it. `event` is its parsed request (it
// carries what deliver needs, such as a reply token); `reply` its rendered answer.
//   verify(req):   signature, timestamp window and replay; a refusal, or nothing
//   parse(req):    an immediate answer, or an event (a channel with several routes has one
//                  parse per route and hands it to runner::handle; not part of the concept)
//   key_of(e):     the conversation key (turns for one key run in order)
//   serve(e):      the turn through bot::service, rendered (on a worker thread)
//   failed(e):     the reply when serve threw
//   respond(r):    the reply as the HTTP answer, when the turn was done in time
//   defer(e):      the acknowledgement sent instead when it was not
//   deliver(e, r): sends a deferred reply
//   follow_up(e, r): after every turn (an announcement, a webhook): nothing to do is ok
template <class C>
concept http_channel = requires(C& c, const http_request& req, const typename C::event& e,
                                const typename C::reply& r) {
  { c.verify(req) } -> std::same_as<std::optional<http_response>>;
  { c.key_of(e) } -> std::convertible_to<bot::channel_key>;
  { c.serve(e) } -> std::same_as<typename C::reply>;
  { c.failed(e) } -> std::same_as<typename C::reply>;
  { c.respond(r) } -> std::same_as<http_response>;
  { c.defer(e) } -> std::same_as<http_response>;
  { c.deliver(e, r) } -> std::same_as<delivery>;
  { c.follow_up(e, r) } -> std::same_as<delivery>;
};

}  // namespace advisor::adapters
