// Accepts connections on the server's address: admits each within the connection caps, and
// starts an http_session for it on its own strand (when several threads run the loop).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "adapters/web/shared_state.hpp"

namespace advisor::web {

class listener : public std::enable_shared_from_this<listener> {
 public:
  listener(net::io_context& ioc, shared_state& state);
  std::uint16_t open(const std::string& host, std::uint16_t port);
  void run();
  void stop();

 private:
  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  net::steady_timer timer_;
  shared_state& state_;
};

}  // namespace advisor::web
