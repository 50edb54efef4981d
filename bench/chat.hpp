// advisor-bench's Slack and Discord modes: correctly signed requests that drive whole
// conversations (slash command, then button clicks and a few typed answers), open loop at an
// offered rate or closed loop, over keep-alive HTTP/1.1 connections; and the local fake Slack /
// Discord Web API that the advisor's outbound calls go to.
#pragma once

#include <string>

#include "common.hpp"

namespace bench {

enum class chat_kind { slack, discord };

struct chat_options {
  chat_kind kind = chat_kind::slack;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  unsigned connections = 8;  // keep-alive connections; closed loop: also the number of users
  double seconds = 10;
  double rate = 0;  // offered requests/s; 0: closed loop
  std::uint64_t max_requests = 10'000'000;
  std::uint16_t fake_api_port = 0;  // 0: an ephemeral port (printed)
  std::string slack_secret;
  std::string discord_seed;  // 64 hex digits: the Ed25519 private key seed
  std::string discord_app_id;
  double reply_timeout = 10;  // seconds a conversation waits for its reply before it counts as lost
  std::uint64_t seed = 1;     // the choices' pseudo-random sequence
  std::string latency_out;    // ack latency distribution for gnuplot, when not empty
};

// The whole run; one JSON object.
json run_chat(const chat_options& o);

}  // namespace bench
