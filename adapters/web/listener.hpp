// Accepts connections on the server's address: admits each within the connection caps, and
// starts an http_session for it on one of the server's event loops, taken in turn. Each loop
// is run by one I/O thread, so a connection's handlers all run on that thread, one at a time,
// with no strand.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "adapters/web/shared_state.hpp"

namespace advisor::web {

class listener : public std::enable_shared_from_this<listener> {
 public:
  // The acceptor runs on the first loop; `loops` is not empty and outlives the listener.
  listener(const std::vector<std::unique_ptr<net::io_context>>& loops, shared_state& state);
  std::uint16_t open(const std::string& host, std::uint16_t port);
  void run();
  void stop();

 private:
  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);

  const std::vector<std::unique_ptr<net::io_context>>& loops_;
  std::size_t next_loop_ = 0;  // only touched on the acceptor's loop
  tcp::acceptor acceptor_;
  net::steady_timer timer_;
  shared_state& state_;
};

}  // namespace advisor::web
