#include "adapters/web/listener.hpp"

#include <stdexcept>

#include "adapters/web/http_session.hpp"
#include "bot/infra/metrics.hpp"

namespace advisor::web {

namespace {

constexpr auto accept_retry_delay = std::chrono::milliseconds(50);

}  // namespace

listener::listener(const std::vector<std::unique_ptr<net::io_context>>& loops, shared_state& state)
    : loops_(loops),
      acceptor_(loops.front()->get_executor()),
      timer_(loops.front()->get_executor()),
      state_(state) {}

std::uint16_t listener::open(const std::string& host, std::uint16_t port) {
  beast::error_code ec;
  auto address = net::ip::make_address(host, ec);
  if (ec) throw std::runtime_error("\"" + host + "\" is not an IP address to listen on");
  tcp::endpoint endpoint{address, port};
  auto check = [&](const char* what) {
    if (ec)
      throw std::runtime_error(std::string("cannot ") + what + " " + host + ":" +
                               std::to_string(port) + ": " + ec.message());
  };
  acceptor_.open(endpoint.protocol(), ec);
  check("open");
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  check("configure");
  acceptor_.bind(endpoint, ec);
  check("bind to");
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  check("listen on");
  return acceptor_.local_endpoint().port();
}

void listener::run() { do_accept(); }

void listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    self->acceptor_.close(ec);
    self->timer_.cancel();
  });
}

void listener::do_accept() {
  // The next connection lives on the next loop, round-robin: its socket, its timers and every
  // handler of its sessions run on that loop's one thread, so they run one at a time and never
  // cross threads. (Replies come back from the turn threads by a post to that loop.)
  auto& loop = *loops_[next_loop_];
  next_loop_ = (next_loop_ + 1) % loops_.size();
  acceptor_.async_accept(loop.get_executor(),
                         beast::bind_front_handler(&listener::on_accept, shared_from_this()));
}

void listener::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // Out of file descriptors and the like: wait a moment rather than spin.
    fail(ec, "accept");
    timer_.expires_after(accept_retry_delay);
    timer_.async_wait([self = shared_from_this()](beast::error_code e) {
      if (!e) self->do_accept();
    });
    return;
  }
  // Replies are small and often two frames at once: without this, Nagle's algorithm holds
  // the second one until the client's delayed ACK (~40 ms).
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  connection_limits::refusal why{};
  auto ticket = state_.limits.admit(socket.remote_endpoint(ignored).address().to_string(), &why);
  if (!ticket) {
    // Over a cap: closed at once, before a byte is read; the client may try again later.
    adapters::metrics::global().inc(
        "advisor_connections_refused_total",
        {{"reason", why == connection_limits::refusal::total ? "total" : "per_ip"}});
    socket.close(ignored);
    return do_accept();
  }
  std::make_shared<http_session>(std::move(socket), state_, std::move(*ticket))->run();
  do_accept();
}

}  // namespace advisor::web
