// advisor-bench's attacker: connections that each send the costliest message the advisor
// reads (the longest text, made of words it does not know), as fast as the server's limits
// let them, while the WebSocket run measures the other conversations (--attackers).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "common.hpp"

namespace bench {

struct attack_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string from = "127.0.0.2";  // the attackers' own address (the server budgets per address)
  unsigned connections = 1;
  std::size_t text_bytes = 1990;  // the engine reads up to 2,000 bytes
  double rate =
      2;  // messages a second per connection: the default byte budget, 4 KiB/s, over ~2 KB
};

// Runs on threads of its own from construction until stop().
class attack {
 public:
  explicit attack(const attack_options& o);
  ~attack();
  attack(const attack&) = delete;
  attack& operator=(const attack&) = delete;
  // Stops every attacker and returns what they did: turns answered, refused (rate_limited),
  // connections cut.
  json stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace bench
