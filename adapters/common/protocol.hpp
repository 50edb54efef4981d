// The JSON message shapes every JSON channel speaks (advisor chat --json, the WebSocket):
//   in:  {"type":"start"[,"session":token][,"text":opening][,"framework":id][,"fresh":true]
//         [,"history":true]},
//   {"type":"message","text":...},
//        {"type":"choose","option":id}
//   out: {"type":"session",...}, {"type":"reply",...[,"recommendation":{...}]},
//   {"type":"error",...}
// It is the web channel's side of the channel contract (adapters/common/channel.hpp), shared
// with `advisor chat --json`, which speaks the same frames (a channel folder may not include
// another's, so it lives here):
//   parse:  parse_frame, a client frame -> a conversation key and an action (pure);
//   render: render_reply, the service's result -> the frames that answer it (pure);
//   json_session runs the one between the other through the service, for one connection.
// One json_session per connection; it remembers the session token once started. Frames are
// handled asynchronously: a turn that must be stored is answered once it is committed.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "adapters/common/channel.hpp"
#include "bot/service/service.hpp"

namespace advisor::bot {

constexpr std::size_t max_message_bytes = 64 * 1024;

// A client frame, parsed: whose conversation and what they did, and how the answer opens.
struct client_message {
  enum class opening {
    none,     // a turn of the connection's session
    created,  // a new session: in.key.key is empty (the caller makes a token); a session
              // frame goes first
    resumed,  // the session the frame names: a session frame goes first when it is known
  };
  adapters::inbound in;
  opening session = opening::none;
};

// parse: one client frame on a connection whose session token is `token` (empty: none yet),
// for the channel `channel`: the message, or the error frame to send back at once.
std::variant<std::string, client_message> parse_frame(std::string_view frame,
                                                      std::string_view channel,
                                                      std::string_view token);

// What the answer to a client message needs besides the turn's result.
struct reply_context {
  client_message::opening session = client_message::opening::none;
  std::string session_frame;  // created, resumed: the frame that goes first (session_frame())
  bool choice = false;        // the message chose an option
  std::string option;         // choice: the option id, quoted back when it is unknown
};

// The session frame: {"type":"session","session":token,"resumed":...}, with the frameworks on
// offer (id and title) when `offered` is given.
std::string session_frame(std::string_view token, bool resumed,
                          const std::vector<std::pair<std::string, std::string>>* offered);

// render: the frames that answer a client message, in order, from its turn's result (ok or
// unknown_session; a failed turn is answered by json_session, which logs it).
std::vector<std::string> render_reply(const reply_context& c, const result& res);

class json_session {
 public:
  using frames = std::vector<std::string>;
  using reply_fn = std::function<void(frames)>;
  // Runs a piece of work on the owner's side (e.g. posts it to a connection's strand).
  using executor = std::function<void(std::function<void()>)>;

  // Replies to turns answered on another thread (the service's writer) are built and handed
  // over through `ex`; without one, on that thread.
  json_session(service& svc, std::string channel, executor ex = {});

  // Handles one client frame (parse_frame, the service, render_reply); calls `reply` exactly once
  // with the frames to send back, in order: on this thread before returning, or through the
  // executor later. Never throws for bad input: that becomes an error frame and the session goes
  // on. Call it again only after the previous reply (so replies keep the order of the frames).
  void handle(std::string_view frame, reply_fn reply);

  // The same, waiting for the reply.
  frames handle(std::string_view frame);

  const std::string& token() const { return token_; }

 private:
  // Submits a turn for `key`; its result is answered with render_reply(c, ...).
  void submit(const channel_key& key, request r, reply_context c, reply_fn reply);

  service& svc_;
  std::string channel_;
  executor ex_;
  std::string token_;
};

// The most characters of a user's text an error message quotes back.
constexpr std::size_t echo_limit = 100;
// `text` for quoting back in a message: at most echo_limit characters (UTF-8 code points),
// cut at a character boundary, with "..." when something was cut.
std::string echo(std::string_view text);

// {"type":"error","code":code,"message":message}
std::string error_frame(std::string_view code, std::string_view message);

// The reply frame for one turn (text, options, progress, and the recommendation when given).
std::string reply_frame(const turn& t);

}  // namespace advisor::bot
