// advisor-bench: a load generator for the advisor's WebSocket endpoint (loopback only).
// Runs whole conversations over N connections (start, choose an option at every question,
// confirm the review, restart at the recommendation, repeat) for a bounded time and number
// of turns, and prints one JSON line. With --responder it first measures a no-work
// WebSocket responder under the same load, and reports the advisor's rate as a ratio of it.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using nlohmann::json;
using steady = std::chrono::steady_clock;

namespace {

struct options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  unsigned connections = 50;
  double seconds = 10;
  std::uint64_t max_turns = 10'000'000;
  unsigned threads = 1;
  bool responder = false;
};

struct results {
  std::uint64_t turns = 0;
  std::uint64_t conversations = 0;
  std::uint64_t errors = 0;
  std::uint64_t connect_failures = 0;
  std::vector<double> latencies_ms;
  double seconds = 0;
};

bool loopback(const std::string& host) {
  beast::error_code ec;
  auto a = net::ip::make_address(host, ec);
  return !ec && a.is_loopback();
}

// One connection's endless conversation. Every frame it sends ends in exactly one reply or
// error frame; session frames are skipped.
class conversation : public std::enable_shared_from_this<conversation> {
 public:
  conversation(net::io_context& ioc, const options& o, results& r, std::uint64_t& budget,
               steady::time_point deadline)
      : ws_(net::make_strand(ioc)), opts_(o), res_(r), budget_(budget), deadline_(deadline) {}

  void start() {
    beast::get_lowest_layer(ws_).async_connect(
        tcp::endpoint{net::ip::make_address(opts_.host), opts_.port},
        [self = shared_from_this()](beast::error_code ec) {
          if (ec) {
            ++self->res_.connect_failures;
            return;
          }
          self->ws_.async_handshake(self->opts_.host, "/ws", [self](beast::error_code e) {
            if (e) {
              ++self->res_.connect_failures;
              return;
            }
            self->send(R"({"type":"start"})");
          });
        });
  }

 private:
  void send(std::string frame) {
    if (steady::now() >= deadline_ || budget_ == 0) return close();
    --budget_;
    out_ = std::move(frame);
    sent_ = steady::now();
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        ++self->res_.errors;
        return;
      }
      self->read();
    });
  }

  void read() {
    buffer_.clear();
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        ++self->res_.errors;
        return;
      }
      self->on_frame();
    });
  }

  void on_frame() {
    std::string text = beast::buffers_to_string(buffer_.data());
    json f = json::parse(text, nullptr, false);
    std::string type = f.is_object() ? f.value("type", "") : "";
    if (type == "session") return read();
    res_.latencies_ms.push_back(std::chrono::duration<double, std::milli>(steady::now() - sent_).count());
    ++res_.turns;
    if (type != "reply") {
      ++res_.errors;
      return send(R"({"type":"start"})");
    }
    std::string question = f.value("question", "");
    std::string option;
    if (f.contains("recommendation") || f.value("finished", false)) {
      ++res_.conversations;
      option = "restart";
    } else if (question == "review") {
      option = "confirm";
    } else if (f.contains("options") && !f["options"].empty()) {
      option = f["options"][0].value("id", "");
    }
    if (option.empty()) {
      ++res_.errors;
      return send(R"({"type":"start"})");
    }
    send(json{{"type", "choose"}, {"option", option}}.dump());
  }

  void close() {
    ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  const options& opts_;
  results& res_;
  std::uint64_t& budget_;
  steady::time_point deadline_;
  beast::flat_buffer buffer_;
  std::string out_;
  steady::time_point sent_;
};

results run_load(const options& o) {
  net::io_context ioc;
  results r;
  std::uint64_t budget = o.max_turns;
  auto started = steady::now();
  auto deadline = started + std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(o.seconds));
  for (unsigned i = 0; i < o.connections; ++i)
    std::make_shared<conversation>(ioc, o, r, budget, deadline)->start();
  // Single-threaded client: results need no locks, and the client's own cost stays steady.
  net::steady_timer guard(ioc, deadline + std::chrono::seconds(5));
  guard.async_wait([&](beast::error_code) { ioc.stop(); });
  ioc.run();
  r.seconds = std::chrono::duration<double>(std::min(steady::now(), deadline) - started).count();
  return r;
}

// A WebSocket server that answers every frame with one fixed reply of the advisor's shape
// and typical size: no parsing, no storage. It is the ceiling the advisor is compared with.
class responder {
 public:
  explicit responder(std::string reply) : reply_(std::move(reply)), acceptor_(ioc_, {net::ip::make_address("127.0.0.1"), 0}) {
    accept();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }
  ~responder() {
    ioc_.stop();
    for (auto& t : threads_) t.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  struct session : std::enable_shared_from_this<session> {
    websocket::stream<beast::tcp_stream> ws;
    beast::flat_buffer buffer;
    const std::string& reply;
    session(tcp::socket s, const std::string& r) : ws(std::move(s)), reply(r) {}
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
  void accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<session>(std::move(s), reply_)->run();
      accept();
    });
  }
  std::string reply_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
};

// A typical reply frame (a question with five options), the size the advisor sends.
const char* typical_reply =
    R"json({"type":"reply","text":"What will the backend spend most of its time doing?","options":[{"id":"realtime","label":"Real-time features: chat, live updates, streaming"},{"id":"api","label":"APIs and microservices"},{"id":"data","label":"Data processing, analytics or machine learning"},{"id":"compute","label":"Heavy computation (CPU-bound work)"},{"id":"web","label":"A classic web app: pages, forms and a database"},{"id":"not_sure","label":"Not sure"}],"progress":{"step":3,"total":9},"question":"workload","finished":false})json";

json summarize(const options& o, results& r) {
  std::sort(r.latencies_ms.begin(), r.latencies_ms.end());
  auto pct = [&](double p) {
    if (r.latencies_ms.empty()) return 0.0;
    std::size_t i = std::min(r.latencies_ms.size() - 1, static_cast<std::size_t>(p * static_cast<double>(r.latencies_ms.size())));
    return std::round(r.latencies_ms[i] * 1000) / 1000;
  };
  double tps = r.seconds > 0 ? static_cast<double>(r.turns) / r.seconds : 0;
  return {{"connections", o.connections},
          {"seconds", std::round(r.seconds * 100) / 100},
          {"turns", r.turns},
          {"turns_per_s", std::round(tps * 10) / 10},
          {"conversations", r.conversations},
          {"p50_ms", pct(0.50)},
          {"p99_ms", pct(0.99)},
          {"max_ms", r.latencies_ms.empty() ? 0.0 : std::round(r.latencies_ms.back() * 1000) / 1000},
          {"errors", r.errors + r.connect_failures}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"advisor-bench: whole conversations over N WebSocket connections to a loopback advisor"};
  options o;
  cli.add_option("--host", o.host, "loopback address of the advisor (default 127.0.0.1)");
  cli.add_option("--port", o.port, "the advisor's port")->required();
  cli.add_option("-c,--connections", o.connections, "concurrent connections")->check(CLI::Range(1, 20000));
  cli.add_option("-s,--seconds", o.seconds, "how long to run")->check(CLI::Range(0.1, 600.0));
  cli.add_option("--max-turns", o.max_turns, "stop after this many turns in all");
  cli.add_flag("--responder", o.responder, "also measure a no-work responder and report the ratio");
  CLI11_PARSE(cli, argc, argv);
  if (!loopback(o.host)) {
    std::cerr << "advisor-bench: only loopback targets are allowed (got " << o.host << ")\n";
    return 2;
  }
  json out;
  if (o.responder) {
    responder ceiling(typical_reply);
    options ro = o;
    ro.host = "127.0.0.1";
    ro.port = ceiling.port();
    results rr = run_load(ro);
    out["responder"] = summarize(ro, rr);
  }
  results r = run_load(o);
  json advisor = summarize(o, r);
  for (auto& [k, v] : advisor.items()) out[k] = v;
  if (o.responder && out["responder"]["turns_per_s"].get<double>() > 0)
    out["ratio_to_responder"] =
        std::round(advisor["turns_per_s"].get<double>() / out["responder"]["turns_per_s"].get<double>() * 1000) / 1000;
  std::cout << out.dump() << std::endl;
  return (r.errors + r.connect_failures) == 0 && r.turns > 0 ? 0 : 1;
}
