#include "ws.hpp"

#include <boost/beast/websocket.hpp>
#include <iostream>
#include <memory>
#include <thread>

namespace bench {

namespace websocket = beast::websocket;

namespace {

constexpr unsigned connect_concurrency = 200;  // handshakes in flight at once
constexpr auto connect_phase_limit = std::chrono::seconds(120);

const std::string start_frame = R"({"type":"start"})";

// State shared by the conversations of one run; everything runs on the one thread of `ioc`.
struct ws_run {
  explicit ws_run(const ws_options& opts) : o(opts), budget(opts.max_turns), guard(ioc) {}
  net::io_context ioc;
  const ws_options& o;
  ws_results r;
  std::uint64_t budget;
  steady::time_point started, deadline;
  steady::duration interval{};  // rate mode: between two turns of one connection
  std::size_t active = 0;       // conversations still running
  net::steady_timer guard;      // ends the run when answers stop coming
  void finished_one() {
    if (--active == 0) guard.cancel();
  }
};

// One connection's endless conversation. Every frame it sends ends in exactly one reply or
// error frame; session frames are skipped.
class conversation : public std::enable_shared_from_this<conversation> {
 public:
  explicit conversation(ws_run& run) : run_(run), ws_(run.ioc), timer_(run.ioc) {}

  void connect(std::function<void()> done) {
    auto& layer = beast::get_lowest_layer(ws_);
    layer.expires_after(std::chrono::seconds(10));
    layer.async_connect(tcp::endpoint{net::ip::make_address(run_.o.host), run_.o.port},
                        [self = shared_from_this(), done](beast::error_code ec) {
                          if (ec) {
                            ++self->run_.r.connect_failures;
                            return done();
                          }
                          beast::get_lowest_layer(self->ws_).expires_never();
                          self->ws_.set_option(
                              websocket::stream_base::timeout::suggested(beast::role_type::client));
                          self->ws_.async_handshake(self->run_.o.host, "/ws",
                                                    [self, done](beast::error_code e) {
                                                      if (e)
                                                        ++self->run_.r.connect_failures;
                                                      else
                                                        self->connected_ = true;
                                                      done();
                                                    });
                        });
  }
  bool connected() const { return connected_; }

  // The load phase: the first turn at `first_at` (rate mode) or now.
  void begin(steady::time_point first_at) {
    next_at_ = first_at;
    frame_ = start_frame;
    go();
  }

 private:
  // Sends frame_ at its time: next_at_ in rate mode (at once when that is past), now otherwise.
  void go() {
    auto now = steady::now();
    if (run_.o.rate > 0) {
      if (next_at_ >= run_.deadline) return finish(true);
      if (now < next_at_) {
        timer_.expires_at(next_at_);
        timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
          if (ec) return self->finish(true);
          self->send(self->next_at_);
        });
        return;
      }
      if (late_) ++run_.r.late_sends;
      return send(next_at_);
    }
    if (now >= run_.deadline) return finish(true);
    send(now);
  }

  void send(steady::time_point scheduled) {
    if (run_.budget == 0) return finish(true);
    --run_.budget;
    scheduled_ = scheduled;
    ws_.async_write(net::buffer(frame_),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) {
                        ++self->run_.r.errors;
                        return self->finish(false);
                      }
                      self->read();
                    });
  }

  void read() {
    buffer_.clear();
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        ++self->run_.r.errors;
        return self->finish(false);
      }
      self->on_frame();
    });
  }

  void on_frame() {
    json f = json::parse(static_cast<const char*>(buffer_.cdata().data()),
                         static_cast<const char*>(buffer_.cdata().data()) + buffer_.size(), nullptr,
                         false);
    std::string type = f.is_object() ? f.value("type", "") : "";
    if (type == "session") return read();
    auto now = steady::now();
    run_.r.latencies.add(now - scheduled_);
    ++run_.r.turns;
    frame_ = next_frame(f, type);
    if (run_.o.rate > 0) {
      next_at_ += run_.interval;
      late_ = now > next_at_;
    }
    go();
  }

  std::string next_frame(const json& f, const std::string& type) {
    if (type != "reply") {
      ++run_.r.errors;
      return start_frame;
    }
    std::string question = f.value("question", "");
    std::string option;
    if (f.contains("recommendation") || f.value("finished", false)) {
      ++run_.r.conversations;
      option = "restart";
    } else if (question == "review") {
      option = "confirm";
    } else if (f.contains("options") && f["options"].is_array() && !f["options"].empty()) {
      option = f["options"][0].value("id", "");
    }
    if (option.empty()) {
      ++run_.r.errors;
      return start_frame;
    }
    return json{{"type", "choose"}, {"option", option}, {"question", question}}.dump();
  }

  void finish(bool close) {
    if (finished_) return;
    finished_ = true;
    if (!close) return run_.finished_one();
    ws_.async_close(websocket::close_code::normal,
                    [self = shared_from_this()](beast::error_code) { self->run_.finished_one(); });
  }

  ws_run& run_;
  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::string frame_;
  steady::time_point scheduled_, next_at_;
  bool connected_ = false, finished_ = false, late_ = false;
};

}  // namespace

void run_bounded(unsigned count, unsigned concurrency,
                 std::function<void(unsigned, std::function<void()>)> start,
                 std::function<void()> all_done) {
  struct state {
    unsigned count, next = 0, finished = 0;
    std::function<void(unsigned, std::function<void()>)> start;
    std::function<void()> all_done;
  };
  auto st = std::make_shared<state>(state{count, 0, 0, std::move(start), std::move(all_done)});
  if (count == 0) return st->all_done();
  auto launch = std::make_shared<std::function<void()>>();
  *launch = [st, launch] {
    unsigned i = st->next++;
    st->start(i, [st, launch] {
      if (++st->finished == st->count) {
        st->all_done();
        *launch = nullptr;  // breaks the cycle
        return;
      }
      if (st->next < st->count) (*launch)();
    });
  };
  for (unsigned i = 0; i < std::min(count, concurrency); ++i) (*launch)();
}

ws_results run_ws(const ws_options& o) {
  ws_run run(o);
  std::vector<std::shared_ptr<conversation>> conversations;
  for (unsigned i = 0; i < o.connections; ++i)
    conversations.push_back(std::make_shared<conversation>(run));
  run.guard.expires_after(connect_phase_limit);
  run.guard.async_wait([&](beast::error_code ec) {
    if (!ec) run.ioc.stop();
  });
  // Every connection is open before the clock starts, so that the run measures turns only.
  run_bounded(
      o.connections, connect_concurrency,
      [&](unsigned i, std::function<void()> done) { conversations[i]->connect(done); },
      [&] {
        run.started = steady::now();
        run.deadline = run.started + to_duration(o.seconds);
        if (o.rate > 0) run.interval = to_duration(o.connections / o.rate);
        run.guard.expires_at(run.deadline + drain_time);  // cancels the connect-phase wait
        run.guard.async_wait([&](beast::error_code ec) {
          if (!ec) run.ioc.stop();
        });
        unsigned n = 0;
        for (auto& c : conversations)
          if (c->connected()) ++run.active;
        if (run.active == 0) {
          run.guard.cancel();
          return;
        }
        for (auto& c : conversations)
          if (c->connected())
            c->begin(run.started + (o.rate > 0 ? to_duration(n++ / o.rate) : steady::duration{}));
      });
  run.ioc.run();
  run.r.seconds = run.started == steady::time_point{}
                      ? 0
                      : seconds_between(run.started, std::min(steady::now(), run.deadline));
  return std::move(run.r);
}

json summarize(const ws_options& o, ws_results& r) {
  r.latencies.sort();
  double tps = r.seconds > 0 ? static_cast<double>(r.turns) / r.seconds : 0;
  json out = {{"connections", o.connections},
              {"seconds", round_to(r.seconds, 2)},
              {"turns", r.turns},
              {"turns_per_s", round_to(tps, 1)},
              {"conversations", r.conversations}};
  r.latencies.report(out);
  out["errors"] = r.errors + r.connect_failures;
  if (o.rate > 0) {
    out["offered_rate"] = o.rate;
    out["late_sends"] = r.late_sends;
  }
  return out;
}

// ---- the no-work responder ---------------------------------------------------------------

namespace {

// A typical reply frame (a question with five options), the size the advisor sends.
const char* typical_reply =
    R"json({"type":"reply","text":"What will the backend spend most of its time doing?","options":[{"id":"realtime","label":"Real-time features: chat, live updates, streaming"},{"id":"api","label":"APIs and microservices"},{"id":"data","label":"Data processing, analytics or machine learning"},{"id":"compute","label":"Heavy computation (CPU-bound work)"},{"id":"web","label":"A classic web app: pages, forms and a database"},{"id":"not_sure","label":"Not sure"}],"progress":{"step":3,"total":9},"question":"workload","finished":false})json";

struct responder_session : std::enable_shared_from_this<responder_session> {
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  const std::string& reply;
  responder_session(tcp::socket s, const std::string& r) : ws(std::move(s)), reply(r) {}
  void run() {
    ws.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }
  void read() {
    buffer.clear();
    ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->ws.async_write(net::buffer(self->reply), [self](beast::error_code e, std::size_t) {
        if (!e) self->read();
      });
    });
  }
};

}  // namespace

struct responder::impl {
  std::string reply = typical_reply;
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc, {net::ip::make_address("127.0.0.1"), 0}};
  std::vector<std::thread> threads;
  void accept() {
    acceptor.async_accept(ioc.get_executor(), [this](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<responder_session>(std::move(s), reply)->run();
      accept();
    });
  }
};

responder::responder() : impl_(std::make_unique<impl>()) {
  impl_->acceptor.listen(net::socket_base::max_listen_connections);
  impl_->accept();
  // One loop thread, as the advisor runs by default. Two threads with a strand per connection
  // answered fewer frames a second on two cores (bench/notes.md): the ceiling is the faster one.
  impl_->threads.emplace_back([this] { impl_->ioc.run(); });
}

responder::~responder() {
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
}

std::uint16_t responder::port() const { return impl_->acceptor.local_endpoint().port(); }

// ---- idle connections --------------------------------------------------------------------

namespace {

struct idle_state {
  net::io_context ioc;
  std::string host;
  std::uint16_t port = 0;
  unsigned open = 0;
  std::uint64_t connect_failures = 0, closed_by_server = 0, frames = 0;
  bool holding = false;
};

class idle_connection : public std::enable_shared_from_this<idle_connection> {
 public:
  explicit idle_connection(idle_state& st) : st_(st), ws_(st.ioc) {}

  void connect(std::function<void()> done) {
    auto& layer = beast::get_lowest_layer(ws_);
    layer.expires_after(std::chrono::seconds(30));
    layer.async_connect(tcp::endpoint{net::ip::make_address(st_.host), st_.port},
                        [self = shared_from_this(), done](beast::error_code ec) {
                          if (ec) {
                            ++self->st_.connect_failures;
                            return done();
                          }
                          beast::get_lowest_layer(self->ws_).expires_never();
                          self->ws_.set_option(
                              websocket::stream_base::timeout::suggested(beast::role_type::client));
                          self->ws_.async_handshake(self->st_.host, "/ws",
                                                    [self, done](beast::error_code e) {
                                                      if (e) {
                                                        ++self->st_.connect_failures;
                                                      } else {
                                                        self->open_ = true;
                                                        ++self->st_.open;
                                                        self->read();
                                                      }
                                                      done();
                                                    });
                        });
  }

  // Closes the socket without the closing handshake: the run is over.
  void drop() {
    dropping_ = true;
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

 private:
  // A pending read notices when the server closes the connection (and answers its pings).
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        if (!self->dropping_ && self->open_) {
          self->open_ = false;
          --self->st_.open;
          ++self->st_.closed_by_server;
        }
        return;
      }
      ++self->st_.frames;
      self->buffer_.clear();
      self->read();
    });
  }

  idle_state& st_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  bool open_ = false, dropping_ = false;
};

}  // namespace

json run_idle(const std::string& host, std::uint16_t port, unsigned count, double seconds,
              const std::function<void(unsigned open)>& on_held) {
  idle_state st;
  st.host = host;
  st.port = port;
  std::vector<std::shared_ptr<idle_connection>> connections;
  for (unsigned i = 0; i < count; ++i) connections.push_back(std::make_shared<idle_connection>(st));
  net::steady_timer timer(st.ioc);
  auto began = steady::now();
  steady::time_point hold_start;
  unsigned connected = 0;
  timer.expires_after(connect_phase_limit);
  timer.async_wait([&](beast::error_code ec) {
    if (!ec) st.ioc.stop();
  });
  run_bounded(
      count, connect_concurrency,
      [&](unsigned i, std::function<void()> done) { connections[i]->connect(done); },
      [&] {
        hold_start = steady::now();
        connected = st.open;
        on_held(st.open);
        timer.expires_at(hold_start + to_duration(seconds));
        timer.async_wait([&](beast::error_code ec) {
          if (ec) return;
          st.holding = true;
          st.ioc.stop();
        });
      });
  st.ioc.run();
  unsigned held = st.open;
  for (auto& c : connections) c->drop();
  st.ioc.restart();
  st.ioc.poll();
  json out = {
      {"mode", "idle"},
      {"connections", count},
      {"connected", connected},
      {"held", st.holding ? held : 0},
      {"closed_by_server", st.closed_by_server},
      {"connect_failures", st.connect_failures},
      {"connect_seconds",
       hold_start == steady::time_point{} ? 0.0 : round_to(seconds_between(began, hold_start), 2)},
      {"seconds", st.holding ? round_to(seconds, 2) : 0.0},
      {"unexpected_frames", st.frames}};
  out["errors"] = st.connect_failures + st.closed_by_server + (st.holding ? 0 : 1);
  return out;
}

}  // namespace bench
