// The JSON message shapes every JSON channel speaks (advisor chat --json, the WebSocket):
//   in:  {"type":"start"[,"session":token][,"text":opening][,"framework":id][,"fresh":true]}, {"type":"message","text":...},
//        {"type":"choose","option":id}
//   out: {"type":"session",...}, {"type":"reply",...[,"recommendation":{...}]}, {"type":"error",...}
// One json_session per connection; it remembers the session token once started.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bot/service.hpp"

namespace advisor::bot {

constexpr std::size_t max_message_bytes = 64 * 1024;

class json_session {
 public:
  json_session(service& svc, std::string channel);

  // Handles one client frame and returns the frames to send back, in order. Never throws for
  // bad input: that becomes an error frame and the session goes on.
  std::vector<std::string> handle(std::string_view frame);

  const std::string& token() const { return token_; }

 private:
  std::vector<std::string> start(std::string_view session, std::string_view text, bool fresh,
                                 std::string_view framework);
  service& svc_;
  std::string channel_;
  std::string token_;
};

// {"type":"error","code":code,"message":message}
std::string error_frame(std::string_view code, std::string_view message);

// The reply frame for one turn (text, options, progress, and the recommendation when given).
std::string reply_frame(const turn& t);

}  // namespace advisor::bot
