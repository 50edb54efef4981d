// One WebSocket connection (/ws): reads frames within the connection's budgets, hands each to
// a turn thread through the protocol's json_session (parse_frame -> the service ->
// render_reply, adapters/common/protocol.hpp: the web channel's side of the channel contract),
// and writes the replies through one write queue. Owned by the handlers it has pending
// (shared_from_this).
#pragma once

#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "adapters/common/protocol.hpp"
#include "adapters/web/shared_state.hpp"

namespace advisor::web {

class websocket_session : public std::enable_shared_from_this<websocket_session> {
 public:
  websocket_session(tcp::socket&& socket, shared_state& state, connection_limits::ticket ticket);
  ~websocket_session();
  void run(http::request<http::string_body> req);

  // Drops the TCP connection; only when no I/O thread runs any more.
  void force_close();

  // Closes with 1001 (going away), from any thread.
  void go_away();

 private:
  void on_accept(beast::error_code ec);
  void do_read();

  // Token buckets: messages and bytes for this connection, bytes for its address. A frame is
  // charged its bytes even when it is refused (reading it cost them); a refused one costs no
  // message.
  enum class budget { ok, messages, bytes };
  budget take_tokens(std::size_t size);
  void on_read(beast::error_code ec, std::size_t);
  void send(std::string frame);
  void do_write();
  void on_write(beast::error_code ec, std::size_t);

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  shared_state& state_;
  std::uint64_t id_;
  connection_limits::ticket ticket_;
  bot::json_session json_;  // used on the turn threads, one frame at a time
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;  // of the frames in queue_
  double tokens_;
  double bytes_;
  steady::time_point refilled_;
  bool closing_ = false;
  bool accepted_ = false;
};

}  // namespace advisor::web
