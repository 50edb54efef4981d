// One HTTP connection: reads requests (headers first, then a body within the route's limit),
// answers them through the router, the health check or an adapter's route, and hands a
// WebSocket upgrade on /ws to a websocket_session. Owned by its pending handlers.
#pragma once

#include <boost/beast/http.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "adapters/web/shared_state.hpp"

namespace advisor::web {

class http_session : public std::enable_shared_from_this<http_session> {
 public:
  http_session(tcp::socket&& socket, shared_state& state, connection_limits::ticket ticket);
  void run();

 private:
  // The headers first: they decide whether, and how much of, a body is read.
  void do_read();
  void on_header(beast::error_code ec, std::size_t n);
  static adapters::http_response too_large(std::size_t limit);
  void on_read(beast::error_code ec, std::size_t);
  void reply(adapters::http_response r, bool keep_alive, unsigned version, bool head);
  void reply_and_close(adapters::http_response r);
  void close();
  void linger();

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  shared_state& state_;
  connection_limits::ticket ticket_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::size_t body_limit_ = 0;  // of the request being read
  std::string host_;            // its Host header, for the page's CSP
  std::size_t drained_ = 0;     // bytes read and dropped after the reply, before closing
};

}  // namespace advisor::web
