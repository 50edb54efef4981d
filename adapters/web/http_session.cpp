#include "adapters/web/http_session.hpp"

#include <cctype>

#include "adapters/web/routes.hpp"
#include "adapters/web/websocket_session.hpp"
#include "bot/infra/log.hpp"
#include "bot/infra/metrics.hpp"

namespace advisor::web {

namespace {

constexpr std::uint32_t header_limit = 16 * 1024;
// After a last reply: how long, and how much, the server reads and drops before it closes.
constexpr auto linger_time = std::chrono::seconds(2);
constexpr std::size_t linger_limit = 1024 * 1024;
constexpr std::size_t linger_chunk = 16 * 1024;

}  // namespace

http_session::http_session(tcp::socket&& socket, shared_state& state,
                           connection_limits::ticket ticket)
    : stream_(std::move(socket)), state_(state), ticket_(std::move(ticket)) {}

void http_session::run() {
  net::dispatch(stream_.get_executor(),
                beast::bind_front_handler(&http_session::do_read, shared_from_this()));
}

void http_session::do_read() {
  parser_.emplace();
  parser_->header_limit(header_limit);
  stream_.expires_after(std::chrono::seconds(state_.cfg.request_timeout_seconds));
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&http_session::on_header, shared_from_this()));
}

void http_session::on_header(beast::error_code ec, std::size_t n) {
  if (ec) return on_read(ec, n);
  const auto& req = parser_->get();
  std::size_t encodings = 0;
  bool encoding_ok = true;
  for (const auto& f : req)
    if (f.name() == http::field::transfer_encoding) {
      ++encodings;
      encoding_ok =
          encoding_ok && transfer_encoding_ok(std::string_view(f.value().data(), f.value().size()));
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

adapters::http_response http_session::too_large(std::size_t limit) {
  if (limit == 0) return json_error(413, "too_large", "This endpoint takes no request body.");
  return json_error(
      413, "too_large",
      "The request body is too large (at most " + std::to_string(limit) + " bytes here).");
}

void http_session::on_read(beast::error_code ec, std::size_t) {
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
      log::warn(
          "origin_refused",
          {{"origin", std::string_view(origin.data(), origin.size())},
           {"remote",
            beast::get_lowest_layer(stream_).socket().remote_endpoint(ec).address().to_string()}});
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

void http_session::reply(adapters::http_response r, bool keep_alive, unsigned version, bool head) {
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

void http_session::reply_and_close(adapters::http_response r) {
  reply(std::move(r), false, 11, false);
}

void http_session::close() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return;
  // Closing a socket with unread data resets the connection, and the client may then lose
  // the reply just sent (a 431 for headers too large, while it is still sending them). So
  // read and drop what it still sends, for a moment and up to a limit, before closing.
  stream_.expires_after(linger_time);
  linger();
}

void http_session::linger() {
  stream_.async_read_some(buffer_.prepare(linger_chunk),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            self->drained_ += n;
                            if (!ec && self->drained_ < linger_limit) self->linger();
                          });
}

}  // namespace advisor::web
