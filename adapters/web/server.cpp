#include "adapters/web/server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "adapters/common/protocol.hpp"
#include "adapters/common/worker_pool.hpp"
#include "adapters/web/connection_limits.hpp"
#include "adapters/web/routes.hpp"
#include "adapters/web/turn_queue.hpp"
#include "bot/infra/log.hpp"
#include "bot/infra/metrics.hpp"

namespace advisor::web {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;

namespace {

constexpr std::uint32_t header_limit = 16 * 1024;
// After a last reply: how long, and how much, the server reads and drops before it closes.
constexpr auto linger_time = std::chrono::seconds(2);
constexpr std::size_t linger_limit = 1024 * 1024;
constexpr std::size_t linger_chunk = 16 * 1024;
constexpr auto handshake_timeout = std::chrono::seconds(15);
constexpr auto shutdown_grace = std::chrono::seconds(5);
constexpr auto accept_retry_delay = std::chrono::milliseconds(50);
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

void fail(beast::error_code ec, const char* what) {
  if (ec == net::error::operation_aborted || ec == websocket::error::closed ||
      ec == beast::error::timeout)
    return;
  log::debug("connection_error", {{"where", what}, {"error", ec.message()}});
}

bool origin_allowed(const bot::config& cfg, std::string_view origin) {
  if (cfg.allowed_origins.empty()) return true;
  for (const auto& o : cfg.allowed_origins)
    if (o == origin) return true;
  return false;
}

void count_error_frames(const std::vector<std::string>& frames) {
  for (const auto& f : frames) {
    // bot::error_frame writes its keys in order ("code" first); a reply or session frame
    // never starts so, and is not scanned.
    if (f.rfind("{\"code\":", 0) != 0) continue;
    auto j = nlohmann::json::parse(f, nullptr, false);
    if (j.is_object() && j.value("type", "") == "error")
      adapters::metrics::global().inc("advisor_errors_total",
                                      {{"code", j.value("code", "unknown")}});
  }
}

class websocket_session : public std::enable_shared_from_this<websocket_session> {
 public:
  websocket_session(tcp::socket&& socket, shared_state& state, connection_limits::ticket ticket)
      : ws_(std::move(socket)),
        state_(state),
        id_(state.next_id++),
        ticket_(std::move(ticket)),
        // Frames are handled on the turn threads and their replies built there; the session
        // hands them back to this connection's executor itself.
        json_(state.svc, "web"),
        tokens_(state.cfg.message_burst),
        bytes_(state.cfg.byte_burst),
        refilled_(steady::now()) {}

  ~websocket_session() {
    if (!accepted_) return;
    adapters::metrics::global().gauge_add("advisor_connections", -1);
    std::lock_guard lock(state_.sessions_mutex);
    state_.sessions.erase(id_);
  }

  void run(http::request<http::string_body> req) {
    websocket::stream_base::timeout t{};
    t.handshake_timeout = handshake_timeout;
    t.idle_timeout = std::chrono::seconds(state_.cfg.idle_timeout_seconds);
    t.keep_alive_pings = false;  // a connection that says nothing for idle_timeout is closed
    ws_.set_option(t);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, "advisor/" ADVISOR_VERSION);
    }));
    // Reading a frame of this size costs the I/O thread a copy and a UTF-8 check (tens of
    // microseconds); parsing it and the turn run on a turn thread, and the byte budget bounds
    // how many such frames a connection gets read a second.
    ws_.read_message_max(bot::max_message_bytes);
    ws_.async_accept(req,
                     beast::bind_front_handler(&websocket_session::on_accept, shared_from_this()));
  }

  // Drops the TCP connection; only when no I/O thread runs any more.
  void force_close() {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

  // Closes with 1001 (going away), from any thread.
  void go_away() {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
      if (self->closing_) return;
      self->closing_ = true;
      self->ws_.async_close(websocket::close_code::going_away, [self](beast::error_code) {});
    });
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "websocket accept");
    accepted_ = true;
    adapters::metrics::global().gauge_add("advisor_connections", 1);
    {
      std::lock_guard lock(state_.sessions_mutex);
      state_.sessions[id_] = weak_from_this();
    }
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_,
                   beast::bind_front_handler(&websocket_session::on_read, shared_from_this()));
  }

  // Token buckets: messages and bytes for this connection, bytes for its address. A frame is
  // charged its bytes even when it is refused (reading it cost them); a refused one costs no
  // message.
  enum class budget { ok, messages, bytes };
  budget take_tokens(std::size_t size) {
    auto now = steady::now();
    double elapsed = std::chrono::duration<double>(now - refilled_).count();
    refilled_ = now;
    tokens_ =
        std::min(state_.cfg.message_burst, tokens_ + elapsed * state_.cfg.messages_per_second);
    bytes_ = std::min(state_.cfg.byte_burst, bytes_ + elapsed * state_.cfg.bytes_per_second);
    bool bytes_ok = bytes_ >= static_cast<double>(size);
    bytes_ = std::max(0.0, bytes_ - static_cast<double>(size));
    if (!bytes_ok) return budget::bytes;
    if (!ticket_.take_bytes(size)) return budget::bytes;  // the address's shared budget
    if (tokens_ < 1) return budget::messages;
    tokens_ -= 1;
    return budget::ok;
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) {
      if (ec == websocket::error::message_too_big)
        adapters::metrics::global().inc("advisor_errors_total", {{"code", "too_large"}});
      return fail(ec, "websocket read");  // Beast has already closed with 1009 for too_big
    }
    std::string frame = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    budget b = take_tokens(frame.size());
    if (static_cast<double>(frame.size()) > state_.cfg.byte_burst) {
      adapters::metrics::global().inc("advisor_errors_total", {{"code", "too_large"}});
      send(bot::error_frame("too_large",
                            "That message is larger than the advisor reads (" +
                                std::to_string(static_cast<std::size_t>(state_.cfg.byte_burst)) +
                                " bytes at most)."));
    } else if (b == budget::bytes) {
      adapters::metrics::global().inc("advisor_errors_total", {{"code", "rate_limited"}});
      send(bot::error_frame("rate_limited",
                            "Too much text at once; that message was not read. Please slow down."));
    } else if (!ws_.got_text()) {
      send(bot::error_frame("invalid_json",
                            "Send text frames holding JSON; binary frames are not read."));
    } else if (b == budget::messages) {
      adapters::metrics::global().inc("advisor_errors_total", {{"code", "rate_limited"}});
      send(bot::error_frame("rate_limited",
                            "Too many messages at once; that one was not read. Please slow down."));
    } else {
      // Parsed, decided and committed on a turn thread; the reply comes back here. The next
      // frame is read after this one's reply, so replies keep the order of the frames and a
      // client that floods waits on TCP, not in our memory.
      auto started = steady::now();
      state_.fair.post(
          ticket_.address(), [self = shared_from_this(), frame = std::move(frame), started] {
            self->json_.handle(frame, [self, started](bot::json_session::frames frames) {
              adapters::metrics::global().observe_turn_seconds(
                  "web", std::chrono::duration<double>(steady::now() - started).count());
              count_error_frames(frames);
              net::dispatch(self->ws_.get_executor(), [self, frames = std::move(frames)]() mutable {
                for (auto& f : frames) self->send(std::move(f));
                self->do_read();
              });
            });
          });
      return;
    }
    do_read();
  }

  void send(std::string frame) {
    if (closing_) return;
    if (queued_bytes_ + frame.size() > state_.cfg.max_outgoing_bytes) {
      // The client is not reading its replies. A close handshake would need it to read, so
      // the connection is cut at once; its memory goes with it.
      adapters::metrics::global().inc("advisor_errors_total", {{"code", "slow_reader"}});
      log::info("slow_reader_dropped", {{"queued_bytes", queued_bytes_}});
      closing_ = true;
      beast::get_lowest_layer(ws_)
          .close();  // the pending write ends with an error, the session with it
      return;
    }
    queued_bytes_ += frame.size();
    queue_.push_back(std::move(frame));
    if (queue_.size() == 1) do_write();
  }

  void do_write() {
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front()),
                    beast::bind_front_handler(&websocket_session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "websocket write");
    queued_bytes_ -= queue_.front().size();
    queue_.pop_front();
    if (!queue_.empty() && !closing_) do_write();
  }

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

class http_session : public std::enable_shared_from_this<http_session> {
 public:
  http_session(tcp::socket&& socket, shared_state& state, connection_limits::ticket ticket)
      : stream_(std::move(socket)), state_(state), ticket_(std::move(ticket)) {}

  void run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&http_session::do_read, shared_from_this()));
  }

 private:
  // The headers first: they decide whether, and how much of, a body is read.
  void do_read() {
    parser_.emplace();
    parser_->header_limit(header_limit);
    stream_.expires_after(std::chrono::seconds(state_.cfg.request_timeout_seconds));
    http::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&http_session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t n) {
    if (ec) return on_read(ec, n);
    const auto& req = parser_->get();
    std::size_t encodings = 0;
    bool encoding_ok = true;
    for (const auto& f : req)
      if (f.name() == http::field::transfer_encoding) {
        ++encodings;
        encoding_ok = encoding_ok &&
                      transfer_encoding_ok(std::string_view(f.value().data(), f.value().size()));
      }
    if (encodings > 1 || !encoding_ok)
      return reply_and_close(json_error(400, "bad_transfer_encoding",
                                        "Only \"Transfer-Encoding: chunked\" is accepted."));
    std::string_view target(req.target().data(), req.target().size());
    std::string_view method(req.method_string().data(), req.method_string().size());
    body_limit_ = body_limit_for(method, target.substr(0, target.find('?')), state_.routes);
    if (auto length = parser_->content_length(); length && *length > body_limit_)
      return reply_and_close(too_large(body_limit_));
    parser_->body_limit(body_limit_);
    if (parser_->is_done()) return on_read({}, n);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&http_session::on_read, shared_from_this()));
  }

  static adapters::http_response too_large(std::size_t limit) {
    if (limit == 0) return json_error(413, "too_large", "This endpoint takes no request body.");
    return json_error(
        413, "too_large",
        "The request body is too large (at most " + std::to_string(limit) + " bytes here).");
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return close();
    if (ec == http::error::body_limit) return reply_and_close(too_large(body_limit_));
    if (ec == http::error::header_limit)
      return reply_and_close(
          json_error(431, "headers_too_large", "The request headers are too large."));
    if (ec == beast::error::timeout || ec == net::error::operation_aborted) return close();
    if (ec) {
      // Malformed requests, including smuggling shapes (Content-Length with chunked, two lengths).
      if (ec.category() == http::make_error_code(http::error::bad_method).category())
        return reply_and_close(
            json_error(400, "bad_request", "The request could not be parsed: " + ec.message()));
      fail(ec, "http read");
      return close();
    }
    http::request<http::string_body> req = parser_->release();
    std::string target(req.target());
    std::string path = target.substr(0, target.find('?'));

    if (websocket::is_upgrade(req)) {
      if (path != "/ws")
        return reply_and_close(json_error(404, "not_found", "The WebSocket endpoint is /ws."));
      auto origin = req[http::field::origin];
      if (!origin_allowed(state_.cfg, std::string_view(origin.data(), origin.size()))) {
        adapters::metrics::global().inc("advisor_origins_refused_total");
        log::warn("origin_refused", {{"origin", std::string_view(origin.data(), origin.size())},
                                     {"remote", beast::get_lowest_layer(stream_)
                                                    .socket()
                                                    .remote_endpoint(ec)
                                                    .address()
                                                    .to_string()}});
        return reply_and_close(
            json_error(403, "origin_not_allowed", "This page's origin may not use the advisor."));
      }
      if (state_.stopping)
        return reply_and_close(json_error(503, "shutting_down", "The advisor is restarting."));
      stream_.expires_never();
      std::make_shared<websocket_session>(stream_.release_socket(), state_, std::move(ticket_))
          ->run(std::move(req));
      return;
    }

    adapters::http_request r;
    r.method = std::string(req.method_string());
    r.path = path;
    r.query = path.size() < target.size() ? target.substr(path.size() + 1) : std::string{};
    for (const auto& f : req) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string(f.value());
    }
    r.body = std::move(req.body());
    r.remote = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec).address().to_string();
    bool keep_alive = req.keep_alive();
    unsigned version = req.version();
    bool head = req.method() == http::verb::head;
    host_ = std::string(req[http::field::host]);

    if (path == "/ws" && (req.method() == http::verb::get || head)) {
      // A page asking whether it may use the WebSocket. Browsers send no Origin on a
      // same-origin GET: the page is then on this host.
      std::string origin(req[http::field::origin]);
      const bool allowed = !origin.empty() ? origin_allowed(state_.cfg, origin)
                                           : origin_allowed(state_.cfg, "http://" + host_) ||
                                                 origin_allowed(state_.cfg, "https://" + host_);
      return reply(origin_check(allowed, origin), keep_alive, version, head);
    }

    if (path == "/healthz") {
      // The health check writes to the database: not on an I/O thread.
      state_.pool.post([self = shared_from_this(), keep_alive, version] {
        bool ok = false;
        try {
          ok = self->state_.db_writable();
        } catch (...) {
        }
        auto res = health(ok, steady::now() - self->state_.started);
        net::post(self->stream_.get_executor(),
                  [self, res = std::move(res), keep_alive, version]() mutable {
                    self->reply(std::move(res), keep_alive, version, false);
                  });
      });
      return;
    }
    if (state_.routes.find(r.method, r.path)) {
      // An adapter's handler verifies signatures and may wait a moment for a turn: never on
      // an I/O thread.
      state_.route_pool.post(
          [self = shared_from_this(), r = std::move(r), keep_alive, version]() mutable {
            adapters::http_response res;
            try {
              res = route(r, self->state_.routes);
            } catch (const std::exception& e) {
              log::error("request_failed", {{"path", r.path}, {"error", e.what()}});
              res = json_error(500, "internal", "Something went wrong on our side.");
            }
            net::post(self->stream_.get_executor(),
                      [self, res = std::move(res), keep_alive, version]() mutable {
                        self->reply(std::move(res), keep_alive, version, false);
                      });
          });
      return;
    }
    adapters::http_response res;
    try {
      res = route(r, state_.routes);
    } catch (const std::exception& e) {
      log::error("request_failed", {{"path", path}, {"error", e.what()}});
      res = json_error(500, "internal", "Something went wrong on our side.");
    }
    reply(std::move(res), keep_alive, version, head);
  }

  void reply(adapters::http_response r, bool keep_alive, unsigned version, bool head) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(r.status), version);
    res->set(http::field::server, "advisor/" ADVISOR_VERSION);
    res->set(http::field::content_type, r.content_type);
    add_security_headers(r, state_.cfg.frame_ancestors, host_);
    for (const auto& [k, v] : r.headers) res->set(k, v);
    res->keep_alive(keep_alive && !state_.stopping);
    res->body() = std::move(r.body);
    res->prepare_payload();
    if (head) res->body().clear();
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                        if (ec) return self->close();
                        if (!res->keep_alive()) return self->close();
                        self->do_read();
                      });
  }

  void reply_and_close(adapters::http_response r) { reply(std::move(r), false, 11, false); }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return;
    // Closing a socket with unread data resets the connection, and the client may then lose
    // the reply just sent (a 431 for headers too large, while it is still sending them). So
    // read and drop what it still sends, for a moment and up to a limit, before closing.
    stream_.expires_after(linger_time);
    linger();
  }

  void linger() {
    stream_.async_read_some(buffer_.prepare(linger_chunk),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (!ec && self->drained_ < linger_limit) self->linger();
                            });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  shared_state& state_;
  connection_limits::ticket ticket_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::size_t body_limit_ = 0;  // of the request being read
  std::string host_;            // its Host header, for the page's CSP
  std::size_t drained_ = 0;     // bytes read and dropped after the reply, before closing
};

class listener : public std::enable_shared_from_this<listener> {
 public:
  listener(net::io_context& ioc, shared_state& state)
      : ioc_(ioc), acceptor_(net::make_strand(ioc)), timer_(ioc), state_(state) {}

  std::uint16_t open(const std::string& host, std::uint16_t port) {
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

  void run() { do_accept(); }

  void stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
      self->timer_.cancel();
    });
  }

 private:
  void do_accept() {
    // Each connection's handlers run one at a time: on a strand when several threads run the
    // loop; with one thread, the loop alone guarantees it and a strand would only cost.
    net::any_io_executor ex =
        state_.cfg.threads > 1 ? net::any_io_executor(net::make_strand(ioc_)) : ioc_.get_executor();
    acceptor_.async_accept(ex, beast::bind_front_handler(&listener::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
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

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  net::steady_timer timer_;
  shared_state& state_;
};

}  // namespace

class server::impl {
 public:
  impl(const bot::config& cfg, bot::service& svc, std::function<bool()> db_writable)
      : cfg_(cfg),
        state_(cfg, svc, std::move(db_writable)),
        ioc_(static_cast<int>(std::max(1u, cfg.threads))),
        signals_(ioc_, SIGINT, SIGTERM) {
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
    listener_ = std::make_shared<listener>(ioc_, state_);
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
    std::vector<std::thread> threads;
    for (unsigned i = 1; i < std::max(1u, cfg_.threads); ++i)
      threads.emplace_back([this] { ioc_.run(); });
    ioc_.run();
    for (auto& t : threads) t.join();
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
    net::post(ioc_, [this] { signals_.cancel(); });
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
      ioc_.stop();
    });
  }

  adapters::router& routes() { return state_.routes; }

 private:
  const bot::config& cfg_;
  // Before the loop: handlers the stopped loop still holds (replies the turn threads handed
  // back after it stopped) own sessions, whose destructors use the shared state.
  shared_state state_;
  net::io_context ioc_;
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
