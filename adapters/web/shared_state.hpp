// What the listener, the sessions and the server share (after Beast's chat-multi example:
// one state object, one file per role around it): the configuration, the service, the turn
// threads' context, the connection limits, the routes and the open WebSocket sessions.
#pragma once

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>

#include "adapters/common/http.hpp"
#include "adapters/common/worker_pool.hpp"
#include "adapters/web/connection_limits.hpp"
#include "adapters/web/turn_queue.hpp"
#include "bot/infra/config.hpp"
#include "bot/service/service.hpp"

namespace advisor::web {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;

constexpr unsigned worker_threads = 2;  // health checks (they write to the database)
constexpr unsigned route_threads =
    8;  // adapters' handlers (Slack, Discord) may wait briefly for a turn

class websocket_session;

// What every connection shares with the server.
struct shared_state {
  shared_state(const bot::config& c, bot::service& s, std::function<bool()> db)
      : cfg(c),
        svc(s),
        db_writable(std::move(db)),
        limits(c.max_connections, c.max_connections_per_ip, c.bytes_per_second_per_ip,
               c.byte_burst_per_ip) {}
  const bot::config& cfg;
  bot::service& svc;
  std::function<bool()> db_writable;
  // Turns are parsed, decided and committed here, never on the I/O threads that serve every
  // socket: one slow turn holds one of these threads, not everyone's connection.
  net::io_context turns;
  // Frames go to the turn threads through this: per address, in turns, one address holding at
  // most all threads but one (docs/reliability.md).
  turn_queue fair{[this](turn_queue::job j) { net::post(turns, std::move(j)); },
                  std::max<std::size_t>(1, std::max(1u, cfg.turn_threads) - 1)};
  connection_limits limits;
  adapters::router routes;
  adapters::worker_pool pool{worker_threads};
  adapters::worker_pool route_pool{route_threads};
  steady::time_point started = steady::now();
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> next_id{1};

  std::mutex sessions_mutex;
  std::map<std::uint64_t, std::weak_ptr<websocket_session>> sessions;
};

// Logs a connection's error, unless it is an expected end (aborted, closed, timed out).
void fail(beast::error_code ec, const char* what);

// Whether a page of `origin` may open the WebSocket (config allowed_origins; empty: any).
bool origin_allowed(const bot::config& cfg, std::string_view origin);

}  // namespace advisor::web
