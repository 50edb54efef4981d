// The JSON message shapes every JSON channel speaks (advisor chat --json, the WebSocket):
//   in:  {"type":"start"[,"session":token][,"text":opening][,"framework":id][,"fresh":true]
//         [,"history":true]},
//   {"type":"message","text":...},
//        {"type":"choose","option":id}
//   out: {"type":"session",...}, {"type":"reply",...[,"recommendation":{...}]},
//   {"type":"error",...}
// One json_session per connection; it remembers the session token once started. Frames are
// handled asynchronously: a turn that must be stored is answered once it is committed.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bot/service/service.hpp"

namespace advisor::bot {

constexpr std::size_t max_message_bytes = 64 * 1024;

class json_session {
 public:
  using frames = std::vector<std::string>;
  using reply_fn = std::function<void(frames)>;
  // Runs a piece of work on the owner's side (e.g. posts it to a connection's strand).
  using executor = std::function<void(std::function<void()>)>;

  // Replies to turns answered on another thread (the service's writer) are built and handed
  // over through `ex`; without one, on that thread.
  json_session(service& svc, std::string channel, executor ex = {});

  // Handles one client frame; calls `reply` exactly once with the frames to send back, in
  // order: on this thread before returning, or through the executor later. Never throws for
  // bad input: that becomes an error frame and the session goes on. Call it again only
  // after the previous reply (so replies keep the order of the frames).
  void handle(std::string_view frame, reply_fn reply);

  // The same, waiting for the reply.
  frames handle(std::string_view frame);

  const std::string& token() const { return token_; }

 private:
  void start(std::string_view session, std::string_view text, bool fresh,
             std::string_view framework, bool history, reply_fn reply);
  // Submits a turn for the key of `token`; `build` turns its result into frames.
  void submit(const std::string& token, request r, std::function<frames(result)> build,
              reply_fn reply);

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
