#include "adapters/web/websocket_session.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "bot/infra/log.hpp"
#include "bot/infra/metrics.hpp"

namespace advisor::web {

namespace {

constexpr auto handshake_timeout = std::chrono::seconds(15);

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

}  // namespace

websocket_session::websocket_session(tcp::socket&& socket, shared_state& state,
                                     connection_limits::ticket ticket)
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

websocket_session::~websocket_session() {
  if (!accepted_) return;
  adapters::metrics::global().gauge_add("advisor_connections", -1);
  std::lock_guard lock(state_.sessions_mutex);
  state_.sessions.erase(id_);
}

void websocket_session::run(http::request<http::string_body> req) {
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

void websocket_session::force_close() {
  beast::error_code ec;
  beast::get_lowest_layer(ws_).socket().close(ec);
}

void websocket_session::go_away() {
  net::post(ws_.get_executor(), [self = shared_from_this()] {
    if (self->closing_) return;
    self->closing_ = true;
    self->ws_.async_close(websocket::close_code::going_away, [self](beast::error_code) {});
  });
}

void websocket_session::on_accept(beast::error_code ec) {
  if (ec) return fail(ec, "websocket accept");
  accepted_ = true;
  adapters::metrics::global().gauge_add("advisor_connections", 1);
  {
    std::lock_guard lock(state_.sessions_mutex);
    state_.sessions[id_] = weak_from_this();
  }
  do_read();
}

void websocket_session::do_read() {
  ws_.async_read(buffer_,
                 beast::bind_front_handler(&websocket_session::on_read, shared_from_this()));
}

websocket_session::budget websocket_session::take_tokens(std::size_t size) {
  auto now = steady::now();
  double elapsed = std::chrono::duration<double>(now - refilled_).count();
  refilled_ = now;
  tokens_ = std::min(state_.cfg.message_burst, tokens_ + elapsed * state_.cfg.messages_per_second);
  bytes_ = std::min(state_.cfg.byte_burst, bytes_ + elapsed * state_.cfg.bytes_per_second);
  bool bytes_ok = bytes_ >= static_cast<double>(size);
  bytes_ = std::max(0.0, bytes_ - static_cast<double>(size));
  if (!bytes_ok) return budget::bytes;
  if (!ticket_.take_bytes(size)) return budget::bytes;  // the address's shared budget
  if (tokens_ < 1) return budget::messages;
  tokens_ -= 1;
  return budget::ok;
}

void websocket_session::on_read(beast::error_code ec, std::size_t) {
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

void websocket_session::send(std::string frame) {
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

void websocket_session::do_write() {
  ws_.text(true);
  ws_.async_write(net::buffer(queue_.front()),
                  beast::bind_front_handler(&websocket_session::on_write, shared_from_this()));
}

void websocket_session::on_write(beast::error_code ec, std::size_t) {
  if (ec) return fail(ec, "websocket write");
  queued_bytes_ -= queue_.front().size();
  queue_.pop_front();
  if (!queue_.empty() && !closing_) do_write();
}

}  // namespace advisor::web
