#include "ws.hpp"

#include <pthread.h>
#include <time.h>

#include <boost/beast/websocket.hpp>
#include <iostream>
#include <memory>
#include <thread>

#include "reply_scan.hpp"

namespace bench {

namespace websocket = beast::websocket;

namespace {

constexpr unsigned connect_concurrency = 200;  // handshakes in flight at once
constexpr auto connect_phase_limit = std::chrono::seconds(120);

const std::string start_frame = R"({"type":"start"})";

// State shared by the conversations of one run; everything runs on the one thread of `ioc`.
struct ws_run {
  explicit ws_run(const ws_options& opts)
      : o(opts), budget(opts.max_turns), guard(ioc), window(ioc) {}
  net::io_context ioc;
  const ws_options& o;
  ws_results r;
  std::uint64_t budget;
  steady::time_point started, deadline;
  steady::duration interval{};  // rate mode: between two turns of one connection
  std::size_t active = 0;       // conversations still running
  net::steady_timer guard;      // ends the run when answers stop coming
  net::steady_timer window;     // ends the CPU window at the deadline
  double bench_cpu0 = 0, server_cpu0 = 0;
  bool window_open = false;
  void finished_one() {
    if (--active == 0) {
      close_window();
      guard.cancel();
    }
  }
  void open_window() {
    bench_cpu0 = thread_cpu_seconds();
    server_cpu0 = o.server_cpu ? o.server_cpu() : -1;
    window_open = true;
    window.expires_at(deadline);
    window.async_wait([this](beast::error_code ec) {
      if (!ec) close_window();
    });
  }
  void close_window() {
    if (!window_open) return;
    window_open = false;
    window.cancel();
    r.window_seconds = seconds_between(started, steady::now());
    r.window_turns = r.turns;
    double b = thread_cpu_seconds();
    if (bench_cpu0 >= 0 && b >= 0) r.bench_cpu = b - bench_cpu0;
    double s = o.server_cpu ? o.server_cpu() : -1;
    if (server_cpu0 >= 0 && s >= 0) r.server_cpu = s - server_cpu0;
  }
};

// `s` as a JSON string literal, appended to `out`.
void append_quoted(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += "\\u00";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  out += '"';
}

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
    std::string_view frame(static_cast<const char*>(buffer_.cdata().data()), buffer_.size());
    if (run_.o.full_parse)
      parse_fully(frame);
    else
      scan_reply(frame, fields_);
    if (fields_.type == "session") return read();
    auto now = steady::now();
    run_.r.latencies.add(now - scheduled_);
    ++run_.r.turns;
    next_frame();
    if (run_.o.rate > 0) {
      next_at_ += run_.interval;
      late_ = now > next_at_;
    }
    go();
  }

  // The same fields through a full parse (--full-parse), into fields_'s own storage.
  void parse_fully(std::string_view frame) {
    json f = json::parse(frame, nullptr, false);
    auto keep = [&](std::string_view& field, std::size_t slot, const json& v) {
      fields_.decoded_[slot] = v.is_string() ? v.get<std::string>() : std::string();
      field = fields_.decoded_[slot];
    };
    fields_.valid = f.is_object();
    if (!fields_.valid) f = json::object();
    keep(fields_.type, 0, f.value("type", json()));
    keep(fields_.question, 1, f.value("question", json()));
    keep(fields_.code, 2, f.value("code", json()));
    fields_.finished = f.value("finished", json()) == true;
    fields_.recommendation = f.contains("recommendation");
    const json& options = f.value("options", json());
    fields_.has_options = options.is_array();
    fields_.options = fields_.has_options ? options.size() : 0;
    keep(fields_.first_option, 3,
         fields_.options > 0 && options[0].is_object() ? options[0].value("id", json()) : json());
  }

  // The answer to the reply in fields_: the first option, confirm at the review, restart at the
  // recommendation; a start after anything else (counted as an error).
  void next_frame() {
    std::string_view option;
    if (fields_.type != "reply") {
      ++run_.r.errors;
      frame_ = start_frame;
      return;
    }
    if (fields_.recommendation || fields_.finished) {
      ++run_.r.conversations;
      option = "restart";
    } else if (fields_.question == "review") {
      option = "confirm";
    } else {
      option = fields_.first_option;
    }
    if (option.empty()) {
      ++run_.r.errors;
      frame_ = start_frame;
      return;
    }
    frame_.assign(R"({"type":"choose","option":)");
    append_quoted(frame_, option);
    frame_ += R"(,"question":)";
    append_quoted(frame_, fields_.question);
    frame_ += '}';
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
  reply_fields fields_;
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
        run.open_window();
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
  out["reader"] = o.full_parse ? "full_parse" : "scan";
  // CPU per turn and busy cores (CPU seconds over wall seconds), each side, over the window.
  if (r.window_turns > 0 && r.window_seconds > 0) {
    double turns = static_cast<double>(r.window_turns);
    out["cpu_window_s"] = round_to(r.window_seconds, 3);
    out["cpu_window_turns"] = r.window_turns;
    if (r.bench_cpu >= 0) {
      out["bench_cpu_us_per_turn"] = round_to(r.bench_cpu * 1e6 / turns, 2);
      out["bench_cpu_cores"] = round_to(r.bench_cpu / r.window_seconds, 3);
    }
    if (r.server_cpu >= 0) {
      out["server_cpu_us_per_turn"] = round_to(r.server_cpu * 1e6 / turns, 2);
      out["server_cpu_cores"] = round_to(r.server_cpu / r.window_seconds, 3);
    }
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

double responder::cpu_seconds() const {
  clockid_t clock;
  timespec ts{};
  if (pthread_getcpuclockid(impl_->threads.front().native_handle(), &clock) != 0 ||
      clock_gettime(clock, &ts) != 0)
    return -1;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

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
              const std::function<void(unsigned open)>& on_held,
              const std::function<double()>& server_cpu) {
  idle_state st;
  st.host = host;
  st.port = port;
  std::vector<std::shared_ptr<idle_connection>> connections;
  for (unsigned i = 0; i < count; ++i) connections.push_back(std::make_shared<idle_connection>(st));
  net::steady_timer timer(st.ioc);
  auto began = steady::now();
  steady::time_point hold_start;
  unsigned connected = 0;
  double bench_cpu0 = -1, server_cpu0 = -1, bench_used = -1, server_used = -1;
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
        bench_cpu0 = thread_cpu_seconds();
        server_cpu0 = server_cpu ? server_cpu() : -1;
        timer.expires_at(hold_start + to_duration(seconds));
        timer.async_wait([&](beast::error_code ec) {
          if (ec) return;
          double b = thread_cpu_seconds(), s = server_cpu ? server_cpu() : -1;
          if (bench_cpu0 >= 0 && b >= 0) bench_used = b - bench_cpu0;
          if (server_cpu0 >= 0 && s >= 0) server_used = s - server_cpu0;
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
  // Busy cores while the connections sat silent (pings, timers): there are no turns here.
  if (st.holding && seconds > 0) {
    if (bench_used >= 0) out["bench_cpu_cores_hold"] = round_to(bench_used / seconds, 4);
    if (server_used >= 0) out["server_cpu_cores_hold"] = round_to(server_used / seconds, 4);
  }
  return out;
}

}  // namespace bench
