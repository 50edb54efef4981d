// advisor serve's WebSocket endpoint and HTTP routes, in process, on 127.0.0.1 with a real
// SQLite data directory, driven by a real Beast WebSocket client and raw HTTP.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <sqlite3.h>
#include <sys/resource.h>

#include <thread>

#include "adapters/web/server.hpp"
#include "knowledge/sqlite/session_store.hpp"
#include "support.hpp"

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using nlohmann::json;
using namespace advisor;

namespace {

// A server on a free port, running on its own thread for the length of a test.
struct running_server {
  test::temp_dir dir;
  bot::config cfg;
  std::unique_ptr<bot::app> app;
  std::unique_ptr<web::server> srv;
  std::uint16_t port = 0;
  std::thread thread;
  int exit_code = -1;

  explicit running_server(std::function<void(bot::config&)> tweak = {}) {
    cfg = test::test_config(dir.str());
    cfg.port = 0;
    if (tweak) tweak(cfg);
    app = bot::open_app(cfg);
    srv = std::make_unique<web::server>(app->cfg, *app->service, [this] { return app->sessions->writable(); });
    port = srv->listen();
    thread = std::thread([this] { exit_code = srv->run(); });
  }
  ~running_server() { stop(); }
  void stop() {
    if (!thread.joinable()) return;
    srv->stop();
    thread.join();
  }
};

struct client {
  net::io_context ioc;
  websocket::stream<tcp::socket> ws{ioc};

  explicit client(std::uint16_t port, const std::string& origin = {}) {
    ws.next_layer().connect({net::ip::make_address("127.0.0.1"), port});
    ws.set_option(websocket::stream_base::decorator([origin](websocket::request_type& req) {
      if (!origin.empty()) req.set(http::field::origin, origin);
    }));
    ws.handshake("127.0.0.1:" + std::to_string(port), "/ws");
  }
  void send(const std::string& text) { ws.write(net::buffer(text)); }
  void send(const json& j) { send(j.dump()); }
  json receive() {
    beast::flat_buffer buffer;
    ws.read(buffer);
    return json::parse(beast::buffers_to_string(buffer.data()));
  }
  // Sends a message and returns the frame that ends the turn (a reply or an error).
  json turn(const json& j) {
    send(j);
    return receive();
  }
};

struct http_result {
  unsigned status = 0;
  std::string body;
  std::string content_type;
};

http_result get(std::uint16_t port, const std::string& target, http::verb verb = http::verb::get) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect({net::ip::make_address("127.0.0.1"), port});
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return {res.result_int(), res.body(), std::string(res[http::field::content_type])};
}

// Sends raw bytes and returns everything the server answers before it closes (or 5 s pass).
// `write_error`, when given, gets how the write of `bytes` ended.
std::string raw(std::uint16_t port, const std::string& bytes, beast::error_code* write_error = nullptr) {
  net::io_context ioc;
  tcp::socket s(ioc);
  s.connect({net::ip::make_address("127.0.0.1"), port});
  beast::error_code written;  // the server may answer (and close) before reading it all
  net::write(s, net::buffer(bytes), written);
  if (write_error) *write_error = written;
  std::string out;
  s.non_blocking(false);
  struct timeval tv{5, 0};
  setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[4096];
  for (;;) {
    beast::error_code ec;
    std::size_t n = s.read_some(net::buffer(buf), ec);
    if (ec || n == 0) break;
    out.append(buf, n);
  }
  return out;
}

// Reads until the server ends the connection; returns why (interrupted reads are retried).
beast::error_code read_until_closed(websocket::stream<tcp::socket>& ws) {
  for (;;) {
    beast::flat_buffer b;
    beast::error_code ec;
    ws.read(b, ec);
    if (ec == beast::errc::interrupted) continue;
    if (ec) return ec;
  }
}

json finish_conversation(client& c, json reply) {
  for (int i = 0; i < 20 && !reply.contains("recommendation"); ++i) {
    std::string q = reply["question"];
    std::string option = q == "review" ? "confirm" : reply["options"][0]["id"].get<std::string>();
    reply = c.turn({{"type", "choose"}, {"option", option}});
    REQUIRE(reply["type"] == "reply");
  }
  return reply;
}

}  // namespace

TEST_CASE("a whole conversation over the WebSocket, then resume with the token") {
  running_server s;
  std::string token;
  std::string question;
  {
    client c(s.port);
    c.send(json{{"type", "start"}});
    json session = c.receive();
    CHECK(session["type"] == "session");
    CHECK(session["resumed"] == false);
    token = session["session"];
    json reply = c.receive();
    CHECK(reply["type"] == "reply");
    CHECK(reply["question"] == "context");
    CHECK(reply["progress"]["step"] == 1);
    reply = c.turn({{"type", "message"}, {"text", "we're an enterprise"}});
    question = reply["question"];
    CHECK(question == "enterprise_focus");
  }
  client c(s.port);
  c.send(json{{"type", "start"}, {"session", token}});
  CHECK(c.receive()["resumed"] == true);
  json reply = c.receive();
  CHECK(reply["question"] == question);
  reply = finish_conversation(c, reply);
  REQUIRE(reply.contains("recommendation"));
  auto rec = reply["recommendation"];
  CHECK((rec["choice"] == "nodejs" || rec["choice"] == "python" || rec["choice"] == "hybrid"));
  CHECK(!rec["reasons"].empty());
  CHECK(reply["finished"] == true);
}

TEST_CASE("bad input gets an error frame and the socket and session stay") {
  running_server s;
  client c(s.port);
  c.send(json{{"type", "start"}});
  c.receive();
  c.receive();
  CHECK(c.turn(json{{"type", "dance"}})["code"] == "unknown_type");
  c.send(std::string("{oops"));
  CHECK(c.receive()["code"] == "invalid_json");
  c.send(std::string(R"({"type":"message","text":"\ud800"})"));  // a lone surrogate: not text
  CHECK(c.receive()["code"] == "invalid_json");
  CHECK(c.turn({{"type", "choose"}, {"option", "nope"}})["code"] == "unknown_option");
  CHECK(c.turn({{"type", "start"}, {"session", "ffffffffffffffffffffffffffffffff"}})["code"] == "bad_session");
  c.ws.binary(true);
  c.send(std::string("\x01\x02"));
  CHECK(c.receive()["code"] == "invalid_json");
  c.ws.text(true);
  // Still the same conversation, at the same question.
  json reply = c.turn({{"type", "choose"}, {"option", "startup"}});
  CHECK(reply["type"] == "reply");
  CHECK(reply["question"] == "startup_goal");
}

TEST_CASE("a frame over 64 KiB closes the connection with 1009, others go on") {
  running_server s;
  client other(s.port);
  client c(s.port);
  c.send(std::string(70 * 1024, 'x'));
  auto ec = read_until_closed(c.ws);
  MESSAGE("closed with: " << ec.message() << ", code " << c.ws.reason().code);
  CHECK(c.ws.reason().code == websocket::close_code::too_big);
  other.send(json{{"type", "start"}});
  CHECK(other.receive()["type"] == "session");
}

TEST_CASE("raw invalid UTF-8 in a text frame is refused as RFC 6455 requires (1007); others go on") {
  running_server s;
  client other(s.port);
  client c(s.port);
  c.send(std::string("{\"type\":\"message\",\"text\":\"\xc3\x28\"}"));
  read_until_closed(c.ws);
  CHECK(c.ws.reason().code == websocket::close_code::bad_payload);
  other.send(json{{"type", "start"}});
  CHECK(other.receive()["type"] == "session");
}

TEST_CASE("a flood from one connection is rate limited; another connection is unaffected") {
  running_server s([](bot::config& cfg) {
    cfg.messages_per_second = 1;
    cfg.message_burst = 5;
  });
  client flood(s.port);
  client calm(s.port);
  for (int i = 0; i < 30; ++i) flood.send(json{{"type", "message"}, {"text", "help"}});
  int limited = 0, replies = 0;
  for (int i = 0; i < 30 + 1; ++i) {  // one extra: the first message also sends a session frame
    json f = flood.receive();
    if (f["type"] == "error" && f["code"] == "rate_limited") ++limited;
    if (f["type"] == "reply") ++replies;
    if (limited + replies == 30) break;
  }
  CHECK(limited >= 20);
  CHECK(replies >= 1);
  calm.send(json{{"type", "start"}});
  CHECK(calm.receive()["type"] == "session");
  CHECK(calm.receive()["type"] == "reply");
}

TEST_CASE("an Origin allow-list refuses other pages") {
  running_server s([](bot::config& cfg) { cfg.allowed_origins = {"https://portal.example"}; });
  CHECK_NOTHROW(client(s.port, "https://portal.example"));
  CHECK_THROWS(client(s.port, "https://evil.example"));
}

TEST_CASE("an idle WebSocket is closed after the idle timeout") {
  running_server s([](bot::config& cfg) { cfg.idle_timeout_seconds = 1; });
  client c(s.port);
  beast::flat_buffer b;
  beast::error_code ec;
  auto t0 = std::chrono::steady_clock::now();
  c.ws.read(b, ec);  // returns when the server drops the silent connection
  CHECK(ec);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(30));
}

TEST_CASE("health, metrics, the widget, and clear errors for the rest") {
  running_server s;
  auto h = get(s.port, "/healthz");
  CHECK(h.status == 200);
  json health = json::parse(h.body);
  CHECK(health["status"] == "ok");
  CHECK(health["database"] == "ok");
  CHECK(health["version"] == ADVISOR_VERSION);
  CHECK(health.contains("uptime_seconds"));

  {
    client c(s.port);
    c.send(std::string("not json"));
    c.receive();
  }
  auto m = get(s.port, "/metrics");
  CHECK(m.status == 200);
  CHECK(m.content_type.find("text/plain") == 0);
  CHECK(m.body.find("advisor_errors_total{code=\"invalid_json\"}") != std::string::npos);
  CHECK(m.body.find("advisor_turn_seconds_count") != std::string::npos);
  CHECK(m.body.find("advisor_connections") != std::string::npos);

  auto nf = get(s.port, "/nope");
  CHECK(nf.status == 404);
  CHECK(json::parse(nf.body)["error"] == "not_found");
  CHECK(get(s.port, "/metrics", http::verb::post).status == 405);
  CHECK(get(s.port, "/../../etc/passwd").status == 404);
}

TEST_CASE("malformed and oversized HTTP requests get 4xx and the server goes on") {
  running_server s([](bot::config& cfg) { cfg.request_timeout_seconds = 1; });
  std::string smuggle =
      "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n";
  CHECK(raw(s.port, smuggle).rfind("HTTP/1.1 400", 0) == 0);
  std::string two_lengths = "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab";
  CHECK(raw(s.port, two_lengths).rfind("HTTP/1.1 400", 0) == 0);
  std::string huge_header = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n";
  CHECK(raw(s.port, huge_header).rfind("HTTP/1.1 431", 0) == 0);
  CHECK(raw(s.port, "GARBAGE\r\n\r\n").rfind("HTTP/1.1 400", 0) == 0);
  // Headers far over the limit: the client can finish sending them and still gets the 431
  // (the server reads and drops what comes after its answer, for a moment, before closing).
  beast::error_code write_error;
  std::string far_too_big = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(600 * 1024, 'a') + "\r\n\r\n";
  CHECK(raw(s.port, far_too_big, &write_error).rfind("HTTP/1.1 431", 0) == 0);
  CHECK_MESSAGE(!write_error, write_error.message());
  // A client that sends half a header and stalls is dropped after the request timeout.
  auto t0 = std::chrono::steady_clock::now();
  CHECK(raw(s.port, "GET / HTTP/1.1\r\nHost: x\r\n").empty());
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
  CHECK(get(s.port, "/healthz").status == 200);
}

TEST_CASE("stopping closes WebSockets with 1001 and run() returns 0") {
  running_server s;
  client c(s.port);
  c.send(json{{"type", "start"}});
  c.receive();
  c.receive();
  // The client keeps reading, as a browser does, so it answers the server's close.
  std::thread reader([&] { read_until_closed(c.ws); });
  s.stop();
  reader.join();
  CHECK(s.exit_code == 0);
  CHECK(c.ws.reason().code == websocket::close_code::going_away);
}

TEST_CASE("/healthz turns unhealthy while the database cannot be written, and recovers") {
  running_server s;
  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open((s.dir.str() + "/advisor.db").c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);  // another writer holds it
  auto h = get(s.port, "/healthz");
  CHECK(h.status == 503);
  CHECK(json::parse(h.body)["status"] == "unhealthy");
  sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  CHECK(get(s.port, "/healthz").status == 200);
}

TEST_CASE("a thousand idle connections do not stop others being served") {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;  // the test holds both ends of every connection
  setrlimit(RLIMIT_NOFILE, &lim);
  const int idle = lim.rlim_cur >= 4096 ? 1000 : static_cast<int>(lim.rlim_cur / 4);
  running_server s;
  net::io_context ioc;
  std::vector<std::unique_ptr<websocket::stream<tcp::socket>>> held;
  for (int i = 0; i < idle; ++i) {
    auto ws = std::make_unique<websocket::stream<tcp::socket>>(ioc);
    ws->next_layer().connect({net::ip::make_address("127.0.0.1"), s.port});
    ws->handshake("127.0.0.1", "/ws");
    held.push_back(std::move(ws));
  }
  client active(s.port);
  active.send(json{{"type", "start"}});
  CHECK(active.receive()["type"] == "session");
  CHECK(active.receive()["question"] == "context");
  auto m = get(s.port, "/metrics");
  CHECK(m.body.find("advisor_connections " + std::to_string(idle + 1)) != std::string::npos);
  MESSAGE("idle connections held: " << idle);
}

TEST_CASE("with several I/O threads, parallel conversations each finish with every turn stored") {
  // One loop thread is the default; more run each connection's handlers on a strand, and
  // the commits on whichever thread is free.
  running_server s([](bot::config& c) { c.threads = 3; });
  constexpr int clients = 8;
  std::vector<std::string> tokens(clients);
  std::vector<std::string> errors(clients);
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i)
    threads.emplace_back([&, i] {
      try {
        client c(s.port);
        c.send(json{{"type", "start"}});
        tokens[i] = c.receive()["session"];
        json reply = finish_conversation(c, c.receive());
        if (!reply.contains("recommendation")) errors[i] = "no recommendation";
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  for (auto& t : threads) t.join();
  for (const auto& e : errors) CHECK(e.empty());
  auto stats = s.app->service->stats();
  CHECK(stats.commits >= 1);
  CHECK(stats.commits <= stats.turns);
  // A new service on the same database (a restarted process) finds each conversation at its
  // recommendation.
  s.stop();
  storage::sqlite_session_store reopened(s.app->db_path);
  bot::service again(s.app->framework, *s.app->knowledge, reopened);
  for (const auto& token : tokens) {
    auto now = again.current({"web", token});
    REQUIRE(now);
    CHECK(now->out.recommendation.has_value());
  }
}
