#include "adapters/web/server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <chrono>
#include <csignal>
#include <thread>
#include <vector>

#include "adapters/web/listener.hpp"
#include "adapters/web/shared_state.hpp"
#include "adapters/web/websocket_session.hpp"
#include "bot/infra/log.hpp"
#include "bot/infra/metrics.hpp"

namespace advisor::web {

namespace {

constexpr auto shutdown_grace = std::chrono::seconds(5);

// One event loop per I/O thread. The hint 1 tells asio that one thread runs each: its
// scheduler then skips the hand-offs between threads that a shared loop needs. Other threads
// (the turn threads, the shutdown) still post to it safely.
std::vector<std::unique_ptr<net::io_context>> make_loops(unsigned threads) {
  std::vector<std::unique_ptr<net::io_context>> loops;
  for (unsigned i = 0; i < std::max(1u, threads); ++i)
    loops.push_back(std::make_unique<net::io_context>(1));
  return loops;
}

}  // namespace

class server::impl {
 public:
  impl(const bot::config& cfg, bot::service& svc, std::function<bool()> db_writable)
      : cfg_(cfg),
        state_(cfg, svc, std::move(db_writable)),
        loops_(make_loops(cfg.threads)),
        signals_(*loops_.front(), SIGINT, SIGTERM) {
    auto& m = adapters::metrics::global();
    m.describe("advisor_connections", "Open WebSocket connections.", "gauge");
    m.describe("advisor_errors_total", "Error replies by code.");
    m.describe("advisor_origins_refused_total",
               "WebSocket upgrades refused: the page's Origin is not in allowed_origins.");
    m.describe("advisor_connections_refused_total",
               "Connections closed at accept: over the total or the per-IP cap.");
  }

  ~impl() {
    if (shutdown_.joinable()) shutdown_.join();
  }

  std::uint16_t listen() {
    listener_ = std::make_shared<listener>(loops_, state_);
    auto port = listener_->open(cfg_.host, cfg_.port);
    if (origins_open_to_all(cfg_))
      log::warn("allowed_origins_empty", {{"host", cfg_.host},
                                          {"advice",
                                           "any web page may open the WebSocket: list your sites "
                                           "in allowed_origins (docs/reliability.md)"}});
    return port;
  }

  int run() {
    if (!listener_) listen();
    signals_.async_wait([this](beast::error_code ec, int sig) {
      if (ec) return;
      log::info("shutdown_requested", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      begin_shutdown();
    });
    listener_->run();
    // Turns are decided and committed on the turn threads, a commit after the turns already
    // waiting there; the I/O threads only read and write sockets.
    auto turn_work = net::make_work_guard(state_.turns);
    std::vector<std::thread> turn_threads;
    for (unsigned i = 0; i < std::max(1u, cfg_.turn_threads); ++i)
      turn_threads.emplace_back([this] { state_.turns.run(); });
    state_.svc.set_committer(
        [this](std::function<void()> work) { net::post(state_.turns, std::move(work)); });
    // Each I/O thread runs its own loop (the first one also the acceptor and the signals).
    // A loop with no connection yet has no work: held open until begin_shutdown stops them.
    std::vector<net::executor_work_guard<net::io_context::executor_type>> held;
    for (auto& loop : loops_) held.push_back(net::make_work_guard(*loop));
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < loops_.size(); ++i)
      threads.emplace_back([loop = loops_[i].get()] { loop->run(); });
    loops_.front()->run();
    for (auto& t : threads) t.join();
    held.clear();
    state_.svc.set_committer({});  // the service's own writer commits whatever is left
    turn_work.reset();
    for (auto& t : turn_threads) t.join();  // they finish the frames handed to them
    std::thread shutdown;
    {
      std::lock_guard lock(shutdown_mutex_);
      shutdown = std::move(shutdown_);
    }
    if (shutdown.joinable()) shutdown.join();
    state_.pool.drain();
    state_.route_pool.drain();
    // Clients that did not answer the close within the grace period are cut off.
    std::vector<std::shared_ptr<websocket_session>> left;
    {
      std::lock_guard lock(state_.sessions_mutex);
      for (auto& [id, weak] : state_.sessions)
        if (auto session = weak.lock()) left.push_back(std::move(session));
    }
    for (auto& session : left) session->force_close();
    log::info("stopped");
    return 0;
  }

  void begin_shutdown() {
    if (state_.stopping.exchange(true)) return;
    listener_->stop();
    net::post(*loops_.front(), [this] { signals_.cancel(); });
    // Waiting must not block an I/O thread: turns in flight still need them to send replies.
    std::lock_guard hold(shutdown_mutex_);
    shutdown_ = std::thread([this] {
      state_.pool.drain();
      state_.svc.drain();  // every turn in flight is answered and its reply queued
      std::vector<std::shared_ptr<websocket_session>> open;
      {
        std::lock_guard lock(state_.sessions_mutex);
        for (auto& [id, weak] : state_.sessions)
          if (auto s = weak.lock()) open.push_back(std::move(s));
      }
      for (auto& s : open) s->go_away();
      open.clear();
      auto deadline = steady::now() + shutdown_grace;
      while (steady::now() < deadline) {
        {
          std::lock_guard lock(state_.sessions_mutex);
          if (state_.sessions.empty()) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      for (auto& loop : loops_) loop->stop();
    });
  }

  adapters::router& routes() { return state_.routes; }

 private:
  const bot::config& cfg_;
  // Before the loop: handlers the stopped loop still holds (replies the turn threads handed
  // back after it stopped) own sessions, whose destructors use the shared state.
  shared_state state_;
  // One per I/O thread (cfg.threads); a connection stays on the loop the listener gave it.
  std::vector<std::unique_ptr<net::io_context>> loops_;
  net::signal_set signals_;
  std::shared_ptr<listener> listener_;
  std::mutex shutdown_mutex_;  // stop() may come from any thread
  std::thread shutdown_;
};

bool origins_open_to_all(const bot::config& cfg) {
  if (!cfg.allowed_origins.empty()) return false;
  beast::error_code ec;
  auto address = net::ip::make_address(cfg.host, ec);
  return ec || !address.is_loopback();
}

server::server(const bot::config& cfg, bot::service& svc, std::function<bool()> db_writable)
    : impl_(std::make_unique<impl>(cfg, svc, std::move(db_writable))) {}
server::~server() = default;
adapters::router& server::routes() { return impl_->routes(); }
std::uint16_t server::listen() { return impl_->listen(); }
int server::run() { return impl_->run(); }
void server::stop() { impl_->begin_shutdown(); }

}  // namespace advisor::web
