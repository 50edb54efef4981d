// The advisor's HTTP and WebSocket server (Boost.Beast): one port, a fixed pool of I/O
// threads, each running its own event loop; every connection is pinned to one of them. Turns
// run on the turn threads, and their commits stay one at a time (the service's group commit),
// whichever loop a connection is on. It serves /ws (the JSON message shapes), the widget, /healthz,
// /metrics, and any routes other adapters (Slack, Discord) add to routes() before listen().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "adapters/common/http.hpp"
#include "bot/infra/config.hpp"
#include "bot/service/service.hpp"

namespace advisor::web {

// True when any page could open the WebSocket from beyond this machine: no allowed_origins
// and a listening address that is not loopback (the server then warns at start-up).
bool origins_open_to_all(const bot::config& cfg);

class server {
 public:
  // `db_writable` is asked by /healthz.
  server(const bot::config& cfg, bot::service& svc, std::function<bool()> db_writable);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  adapters::router& routes();

  // Binds and listens; returns the bound port (port 0 in the config picks an ephemeral one).
  // Throws std::runtime_error with a clear message when the address cannot be bound.
  std::uint16_t listen();

  // Serves until stop() or SIGTERM/SIGINT: then stops accepting, finishes turns in flight,
  // closes WebSockets with 1001 and returns 0.
  int run();
  void stop();

 private:
  class impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace advisor::web
