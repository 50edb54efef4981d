// advisor serve's WebSocket endpoint and HTTP routes, in process, on 127.0.0.1 with a real
// SQLite data directory, driven by a real Beast WebSocket client and raw HTTP.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <zlib.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "adapters/web/routes.hpp"
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

  // `setup` runs before the server listens (hooks on the service, extra routes).
  explicit running_server(std::function<void(bot::config&)> tweak = {},
                          std::function<void(bot::app&, web::server&)> setup = {}) {
    cfg = test::test_config(dir.str());
    cfg.port = 0;
    if (tweak) tweak(cfg);
    app = bot::open_app(cfg);
    srv = std::make_unique<web::server>(app->cfg, *app->service,
                                        [this] { return app->sessions->writable(); });
    if (setup) setup(*app, *srv);
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

  // `from`: the local address to connect from (another loopback address is another client
  // to the server's per-address limits).
  explicit client(std::uint16_t port, const std::string& origin = {},
                  const std::string& from = {}) {
    if (!from.empty()) {
      ws.next_layer().open(tcp::v4());
      ws.next_layer().bind({net::ip::make_address(from), 0});
    }
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
  std::map<std::string, std::string> headers;  // names in lower case
};

http_result get(std::uint16_t port, const std::string& target, http::verb verb = http::verb::get,
                const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect({net::ip::make_address("127.0.0.1"), port});
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  http_result out{res.result_int(), res.body(), std::string(res[http::field::content_type]), {}};
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(f.value());
  }
  return out;
}

// Sends raw bytes and returns everything the server answers before it closes (or 5 s pass).
// `write_error`, when given, gets how the write of `bytes` ended.
std::string raw(std::uint16_t port, const std::string& bytes,
                beast::error_code* write_error = nullptr) {
  net::io_context ioc;
  tcp::socket s(ioc);
  s.connect({net::ip::make_address("127.0.0.1"), port});
  beast::error_code written;  // the server may answer (and close) before reading it all
  net::write(s, net::buffer(bytes), written);
  if (write_error) *write_error = written;
  std::string out;
  s.non_blocking(false);
  struct timeval tv {
    5, 0
  };
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

TEST_CASE("a whole conversation over the WebSocket - then resume with the token") {
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
  CHECK(c.turn({{"type", "start"}, {"session", "ffffffffffffffffffffffffffffffff"}})["code"] ==
        "bad_session");
  c.ws.binary(true);
  c.send(std::string("\x01\x02"));
  CHECK(c.receive()["code"] == "invalid_json");
  c.ws.text(true);
  // Still the same conversation, at the same question.
  json reply = c.turn({{"type", "choose"}, {"option", "startup"}});
  CHECK(reply["type"] == "reply");
  CHECK(reply["question"] == "startup_goal");
}

TEST_CASE("a frame over 64 KiB closes the connection with 1009 - others go on") {
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

TEST_CASE(
    "raw invalid UTF-8 in a text frame is refused as RFC 6455 requires (1007) - others go on") {
  running_server s;
  client other(s.port);
  client c(s.port);
  c.send(std::string("{\"type\":\"message\",\"text\":\"\xc3\x28\"}"));
  read_until_closed(c.ws);
  CHECK(c.ws.reason().code == websocket::close_code::bad_payload);
  other.send(json{{"type", "start"}});
  CHECK(other.receive()["type"] == "session");
}

TEST_CASE("a flood from one connection is rate limited - another connection is unaffected") {
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

TEST_CASE("health - metrics - the widget - and clear errors for the rest") {
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
      "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: "
      "chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n";
  CHECK(raw(s.port, smuggle).rfind("HTTP/1.1 400", 0) == 0);
  std::string two_lengths =
      "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab";
  CHECK(raw(s.port, two_lengths).rfind("HTTP/1.1 400", 0) == 0);
  std::string huge_header =
      "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n";
  CHECK(raw(s.port, huge_header).rfind("HTTP/1.1 431", 0) == 0);
  CHECK(raw(s.port, "GARBAGE\r\n\r\n").rfind("HTTP/1.1 400", 0) == 0);
  // Headers far over the limit: the client can finish sending them and still gets the 431
  // (the server reads and drops what comes after its answer, for a moment, before closing).
  beast::error_code write_error;
  std::string far_too_big =
      "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(600 * 1024, 'a') + "\r\n\r\n";
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

TEST_CASE("/healthz turns unhealthy while the database cannot be written - and recovers") {
  running_server s;
  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open((s.dir.str() + "/advisor.db").c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) ==
          SQLITE_OK);  // another writer holds it
  auto h = get(s.port, "/healthz");
  CHECK(h.status == 503);
  CHECK(json::parse(h.body)["status"] == "unhealthy");
  sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  CHECK(get(s.port, "/healthz").status == 200);
}

// One party must not slow everyone: while another process holds the database's write lock, a
// commit waits for it, but nothing else does. The I/O loop answers pings, bad frames, new
// connections and pages; a turn that writes nothing on another conversation is answered from
// the record read beside the blocked commit (WAL lets reads go on during a write); once the
// lock goes, the blocked turn commits and nothing is lost.
TEST_CASE(
    "while another process holds the write lock - reads and the I/O loop go on - the "
    "blocked turn commits after") {
  test::temp_dir data;  // one database for both servers below
  auto on_data = [&data](bot::config& cfg) { cfg.data_dir = data.str(); };
  std::string x_token, y_token;
  json y_at;  // where Y stands before the lock is taken
  {
    running_server first(on_data);
    client cx(first.port);
    cx.send(json{{"type", "start"}});
    x_token = cx.receive()["session"];
    REQUIRE(cx.receive()["type"] == "reply");
    client cy(first.port);
    cy.send(json{{"type", "start"}});
    y_token = cy.receive()["session"];
    json reply = cy.receive();
    y_at = cy.turn({{"type", "choose"}, {"option", reply["options"][0]["id"]}});
    REQUIRE(y_at["type"] == "reply");
    REQUIRE(y_at["question"] != reply["question"]);
  }
  // A new server: Y's record is not in its memory, so Y's next turn reads the database.
  running_server s(on_data);
  client cx(s.port);
  cx.send(json{{"type", "start"}, {"session", x_token}});
  REQUIRE(cx.receive()["resumed"] == true);
  json x_at = cx.receive();
  REQUIRE(x_at["type"] == "reply");

  // The other process: a second connection to the file, which takes the write lock.
  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open((data.str() + "/advisor.db").c_str(), &other) == SQLITE_OK);
  auto stored_seq = [other](const std::string& token) {  // events stored for a session
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(other,
                       "SELECT c.seq FROM conversations c JOIN bindings b ON b.conversation_id = "
                       "c.id WHERE b.channel = 'web' AND b.key = ?1",
                       -1, &st, nullptr);
    sqlite3_bind_text(st, 1, token.c_str(), -1, SQLITE_TRANSIENT);
    std::int64_t seq = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return seq;
  };
  const auto x_seq = stored_seq(x_token), y_seq = stored_seq(y_token);
  REQUIRE(x_seq >= 0);
  REQUIRE(y_seq > 0);
  REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  // X's answer has an event to store: its commit waits for the lock.
  cx.send(json{
      {"type", "choose"}, {"option", x_at["options"][0]["id"]}, {"question", x_at["question"]}});

  // The I/O loop is free: a ping is answered, a bad frame gets its error, pages are served.
  client probe(s.port);
  bool ponged = false;
  probe.ws.control_callback([&ponged](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::pong) ponged = true;
  });
  probe.ws.ping({});
  probe.send(std::string("{oops"));
  CHECK(probe.receive()["code"] == "invalid_json");
  CHECK(ponged);  // the pong came before the error frame
  auto page = get(s.port, "/");
  CHECK(page.status == 200);
  CHECK(page.content_type.find("text/html") == 0);

  // Y, on a new connection, is resumed where it stood and gets help: nothing to write.
  client cy(s.port);
  cy.send(json{{"type", "start"}, {"session", y_token}});
  json session = cy.receive();
  CHECK(session["type"] == "session");
  CHECK(session["resumed"] == true);
  json y_now = cy.receive();
  CHECK(y_now["type"] == "reply");
  CHECK(y_now["question"] == y_at["question"]);
  CHECK(y_now["progress"] == y_at["progress"]);
  json help = cy.turn({{"type", "message"}, {"text", "help"}});
  CHECK(help["type"] == "reply");
  CHECK(help["question"] == y_at["question"]);
  // Every reply above came while the lock was still held: only now is it let go.
  REQUIRE(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);

  // X's turn, blocked until now, is committed and answered: the next question.
  json x_after = cx.receive();
  REQUIRE(x_after["type"] == "reply");
  CHECK(x_after["question"] != x_at["question"]);
  // Nothing lost: a new connection finds X at that question, and Y where it was.
  client cx2(s.port);
  cx2.send(json{{"type", "start"}, {"session", x_token}});
  CHECK(cx2.receive()["resumed"] == true);
  CHECK(cx2.receive()["question"] == x_after["question"]);
  CHECK(stored_seq(x_token) > x_seq);   // X's answer is stored
  CHECK(stored_seq(y_token) == y_seq);  // Y's turns wrote nothing
  sqlite3_close(other);
}

TEST_CASE("a thousand idle connections do not stop others being served") {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;  // the test holds both ends of every connection
  setrlimit(RLIMIT_NOFILE, &lim);
  const int idle = lim.rlim_cur >= 4096 ? 1000 : static_cast<int>(lim.rlim_cur / 4);
  running_server s([](bot::config& c) { c.max_connections_per_ip = 2000; });  // all from 127.0.0.1
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

// The turns were committed in groups, and a new service on the same database (a restarted
// process) finds each of these web conversations at its recommendation. Stops the server.
void check_stored_at_recommendation(running_server& s, const std::vector<std::string>& tokens) {
  auto stats = s.app->service->stats();
  CHECK(stats.commits >= 1);
  CHECK(stats.commits <= stats.turns);
  s.stop();
  storage::sqlite_session_store reopened(s.app->db_path);
  bot::service again(s.app->framework, *s.app->knowledge, reopened);
  for (const auto& token : tokens) {
    auto now = again.current({"web", token});
    REQUIRE(now);
    CHECK(now->out.recommendation != nullptr);
  }
}

TEST_CASE("with several I/O threads - parallel conversations each finish with every turn stored") {
  // One loop thread is the default; with more, each thread runs its own loop and each
  // connection stays on one of them; the commits run on the turn threads, one at a time.
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
  check_stored_at_recommendation(s, tokens);
}

namespace {

// What one client saw: its conversation's token and every frame it received, in order, the
// token taken out (it is random; everything else follows from the answers).
struct script_result {
  std::string token;
  std::vector<json> frames;
  std::string error;
};

// Client `i`'s script: start and answer two questions on one connection; close it, then resume
// on two connections at once and answer on them in turn (each answer names its question); when
// the recommendation comes, resume once more on a new connection. The options chosen depend on
// `i`, so the clients take different paths through the framework.
script_result run_script(std::uint16_t port, int i) {
  script_result r;
  auto keep = [&](json j) {
    json kept = j;
    kept.erase("session");
    r.frames.push_back(std::move(kept));
    return j;
  };
  auto answer = [](const json& reply, int k) {
    std::string q = reply.at("question");
    const auto& options = reply.at("options");
    std::string option =
        q == "review"
            ? "confirm"
            : options.at(static_cast<std::size_t>(k) % options.size()).at("id").get<std::string>();
    return json{{"type", "choose"}, {"option", option}, {"question", q}};
  };
  try {
    json reply;
    {
      client c(port);
      c.send(json{{"type", "start"}});
      r.token = keep(c.receive()).at("session");
      reply = keep(c.receive());
      for (int step = 0; step < 2; ++step) reply = keep(c.turn(answer(reply, i + step)));
    }
    json resume{{"type", "start"}, {"session", r.token}};
    client a(port);
    client b(port);
    a.send(resume);
    keep(a.receive());
    reply = keep(a.receive());
    b.send(resume);
    keep(b.receive());
    reply = keep(b.receive());
    for (int step = 2; step < 40 && !reply.contains("recommendation"); ++step)
      reply = keep((step % 2 ? a : b).turn(answer(reply, i + step)));
    if (!reply.contains("recommendation")) r.error = "no recommendation after 40 turns";
    client last(port);
    last.send(resume);
    keep(last.receive());
    keep(last.receive());
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}

}  // namespace

TEST_CASE(
    "with four I/O threads - many clients run and resume conversations at once and every reply is "
    "the one a single thread gives") {
  constexpr int clients = 24;
  // Every connection comes from 127.0.0.1: the address's shared byte budget is raised out of
  // the way (it is not what this test is about).
  auto roomy = [](bot::config& c) {
    c.bytes_per_second_per_ip = 1024 * 1024;
    c.byte_burst_per_ip = 1024 * 1024;
  };
  // The reference: the same scripts one after another on a server with one I/O thread.
  std::vector<script_result> expected;
  {
    running_server one(roomy);
    for (int i = 0; i < clients; ++i) expected.push_back(run_script(one.port, i));
  }
  for (const auto& e : expected) REQUIRE(e.error.empty());

  running_server s([&](bot::config& c) {
    roomy(c);
    c.threads = 4;
  });
  // About 4 connections a client, 96 in all, handed to the four loops in turn: the two open at
  // once on one conversation are mostly on different loops.
  std::vector<script_result> got(clients);
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i)
    threads.emplace_back([&, i] { got[static_cast<std::size_t>(i)] = run_script(s.port, i); });
  for (auto& t : threads) t.join();
  for (int i = 0; i < clients; ++i) {
    const auto& g = got[static_cast<std::size_t>(i)];
    const auto& e = expected[static_cast<std::size_t>(i)];
    INFO("client " << i);
    CHECK(g.error.empty());
    REQUIRE(g.frames.size() == e.frames.size());
    for (std::size_t f = 0; f < g.frames.size(); ++f)
      CHECK(g.frames[f].dump() == e.frames[f].dump());
  }
  // Every turn was stored: a new service on the same database finds each conversation at its
  // recommendation.
  std::vector<std::string> tokens;
  for (const auto& g : got) tokens.push_back(g.token);
  check_stored_at_recommendation(s, tokens);
}

// --- Hard to break: one client cannot slow or bloat the server for everyone (issue 19) ---

namespace {

// Holds every turn whose text carries `marker` on the turn thread deciding it, until released.
struct turn_gate {
  std::mutex m;
  std::condition_variable cv;
  int held = 0;
  bool open = false;
  void hold() {
    std::unique_lock lock(m);
    ++held;
    cv.notify_all();
    cv.wait(lock, [this] { return open; });
  }
  void wait_held(int n) {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return held >= n; });
  }
  void release() {
    std::lock_guard lock(m);
    open = true;
    cv.notify_all();
  }
};

std::size_t rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoul(line.substr(6));
  return 0;
}

long open_connections(std::uint16_t port) {
  auto body = get(port, "/metrics").body;
  auto at = body.find("\nadvisor_connections ");
  if (at == std::string::npos) return -1;
  return std::stol(body.substr(at + 21));
}

}  // namespace

TEST_CASE(
    "while an attacker's maximum-size turns are being worked on - a victim's conversation and "
    "/healthz are served") {
  static constexpr const char* marker = "ATTACK";
  turn_gate gate;
  running_server s({}, [&](bot::app& a, web::server&) {
    a.service->set_decide_hook([&](const dialogue::channel_key&, const bot::request& r) {
      if (r.text.find(marker) != std::string::npos) gate.hold();
    });
  });
  REQUIRE(s.cfg.turn_threads >= 2);
  client attacker(s.port, {}, "127.0.0.2");  // another address than the victim's
  attacker.send(json{{"type", "start"}});
  attacker.receive();
  attacker.receive();
  // The longest text the advisor reads, within the message and byte budgets.
  std::string longest = std::string(marker) + " ";
  while (longest.size() + 12 <= 2000) longest += "zqxwvjkpfh ";
  REQUIRE(longest.size() <= 2000);
  attacker.send(json{{"type", "message"}, {"text", longest}});
  gate.wait_held(1);  // a turn thread is now inside the attacker's turn, and stays there

  // The victim goes from start to the recommendation, and /healthz answers, meanwhile.
  client victim(s.port);
  victim.send(json{{"type", "start"}});
  CHECK(victim.receive()["type"] == "session");
  json reply = finish_conversation(victim, victim.receive());
  CHECK(reply.contains("recommendation"));
  CHECK(get(s.port, "/healthz").status == 200);

  gate.release();
  json held = attacker.receive();
  CHECK(held["type"] == "reply");
  // Longer than the advisor reads: a clear reply, not an error.
  json too_long = attacker.turn({{"type", "message"}, {"text", std::string(2500, 'a')}});
  CHECK(too_long["notice"] == "too_long");
  CHECK(too_long["text"].get<std::string>().find("2000 characters") != std::string::npos);
}

TEST_CASE(
    "one address holds at most all turn threads but one: its other connections wait - others do "
    "not") {
  static constexpr const char* marker = "HOLD";
  turn_gate gate;
  running_server s(
      [](bot::config& c) { c.turn_threads = 3; },
      [&](bot::app& a, web::server&) {
        a.service->set_decide_hook([&](const dialogue::channel_key&, const bot::request& r) {
          if (r.text.find(marker) != std::string::npos) gate.hold();
        });
      });
  std::vector<std::unique_ptr<client>> attackers;
  for (int i = 0; i < 3; ++i) {
    attackers.push_back(std::make_unique<client>(s.port, "", "127.0.0.2"));
    attackers.back()->send(json{{"type", "message"}, {"text", std::string(marker) + " one"}});
  }
  gate.wait_held(2);  // two of the three turn threads; the third attacker's turn waits
  client victim(s.port);
  victim.send(json{{"type", "start"}});
  CHECK(victim.receive()["type"] == "session");
  CHECK(finish_conversation(victim, victim.receive()).contains("recommendation"));
  {
    std::lock_guard lock(gate.m);
    CHECK(gate.held == 2);
  }
  gate.release();
  for (auto& a : attackers) {
    CHECK(a->receive()["type"] == "session");
    CHECK(a->receive()["type"] == "reply");
  }
}

TEST_CASE("one conversation's turns keep their order on the turn threads") {
  running_server s([](bot::config& c) { c.turn_threads = 4; });
  client c(s.port);
  c.send(json{{"type", "start"}});
  c.receive();
  json reply = c.receive();
  // Sent back to back, without waiting: each answer must land on the question it was meant for.
  c.send(json{{"type", "choose"}, {"option", "startup"}, {"question", "context"}});
  c.send(json{{"type", "message"}, {"text", "status"}});
  json first = c.receive();
  json second = c.receive();
  CHECK(first["type"] == "reply");
  CHECK(first["question"] == "startup_goal");
  CHECK(second["understood"] == "status");
}

TEST_CASE("a connection's bytes are budgeted beside its messages") {
  running_server s([](bot::config& c) {
    c.bytes_per_second = 100;
    c.byte_burst = 4500;
  });
  client c(s.port);
  std::string text(1900, 'q');
  json a = c.turn({{"type", "message"}, {"text", text}});  // session frame first
  CHECK(a["type"] == "session");
  c.receive();
  CHECK(c.turn({{"type", "message"}, {"text", text}})["type"] == "reply");
  json refused = c.turn({{"type", "message"}, {"text", text}});
  CHECK(refused["code"] == "rate_limited");
  CHECK(refused["message"].get<std::string>().find("Too much text") != std::string::npos);
  std::this_thread::sleep_for(std::chrono::seconds(1));  // 100 bytes come back
  // A short message still fits.
  CHECK(c.turn({{"type", "message"}, {"text", "help"}})["type"] == "reply");
  // One larger than the whole budget can never be read: it is refused as too large.
  CHECK(c.turn({{"type", "message"}, {"text", std::string(5000, 'q')}})["code"] == "too_large");
}

TEST_CASE(
    "the connections of one address share a byte budget: more connections buy no more turns") {
  running_server s([](bot::config& c) {
    c.bytes_per_second_per_ip = 100;
    c.byte_burst_per_ip = 4500;
  });
  client a(s.port);
  client b(s.port);
  std::string text(1900, 'q');
  CHECK(a.turn({{"type", "message"}, {"text", text}})["type"] == "session");
  a.receive();
  CHECK(b.turn({{"type", "message"}, {"text", text}})["type"] == "session");
  b.receive();
  json refused = a.turn({{"type", "message"}, {"text", text}});
  CHECK(refused["code"] == "rate_limited");
  // The budget refills with time.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  CHECK(b.turn({{"type", "message"}, {"text", "help"}})["type"] == "reply");
}

TEST_CASE("error frames quote at most 100 characters of what the user sent") {
  running_server s;
  client c(s.port);
  c.send(json{{"type", "start"}});
  c.receive();
  c.receive();
  json e = c.turn({{"type", "choose"}, {"option", std::string(1500, 'o')}});
  CHECK(e["code"] == "unknown_option");
  CHECK(e["message"].get<std::string>().size() < 200);
  json t = c.turn({{"type", std::string(5000, 't')}});
  CHECK(t["code"] == "unknown_type");
  CHECK(t["message"].get<std::string>().size() < 200);
}

TEST_CASE("twenty clients that never read are cut off and memory stays bounded") {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);
  running_server s([](bot::config& c) {
    // Only the outgoing limit is tested: the rate limits would slow the clients down first.
    c.messages_per_second = 1e9;
    c.message_burst = 1e9;
    c.bytes_per_second = 1e12;
    c.byte_burst = 1e12;
    c.bytes_per_second_per_ip = 1e12;
    c.byte_burst_per_ip = 1e12;
  });
  const std::size_t before = rss_kib();
  std::atomic<std::size_t> peak{before};
  std::atomic<bool> sampling{true};
  std::thread sampler([&] {
    while (sampling) {
      std::size_t now = rss_kib();
      if (now > peak) peak = now;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  constexpr int clients = 20;
  std::vector<std::thread> senders;
  std::atomic<int> cut_off{0};
  for (int i = 0; i < clients; ++i)
    senders.emplace_back([&] {
      net::io_context ioc;
      websocket::stream<tcp::socket> ws(ioc);
      ws.next_layer().open(tcp::v4());
      ws.next_layer().set_option(
          net::socket_base::receive_buffer_size(4096));  // reads nothing anyway
      ws.next_layer().connect({net::ip::make_address("127.0.0.1"), s.port});
      ws.handshake("127.0.0.1", "/ws");
      std::string help = json{{"type", "message"}, {"text", "help"}}.dump();
      for (int n = 0; n < 200000; ++n) {
        beast::error_code ec;
        ws.write(net::buffer(help), ec);
        if (ec) {
          ++cut_off;
          return;
        }
      }
    });
  for (auto& t : senders) t.join();
  CHECK(cut_off == clients);
  // Every connection is gone soon after (the sockets are closed, not waiting on a close
  // handshake the clients would never answer).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (open_connections(s.port) != 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(open_connections(s.port) == 0);
  sampling = false;
  sampler.join();
  MESSAGE("VmRSS before " << before << " KiB, peak " << peak.load() << " KiB");
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
  // Sanitizers shadow every byte and keep freed memory in quarantine: RSS is theirs to say.
  MESSAGE("under a sanitizer: the memory bound is not checked");
#else
  CHECK(peak.load() - before < 50 * 1024);
#endif
  CHECK(get(s.port, "/metrics").body.find("advisor_errors_total{code=\"slow_reader\"} 20") !=
        std::string::npos);
  // Others are still served.
  client c(s.port);
  c.send(json{{"type", "start"}});
  CHECK(c.receive()["type"] == "session");
}

TEST_CASE("connections are capped in all and per address") {
  running_server s([](bot::config& c) { c.max_connections_per_ip = 3; });
  {
    std::vector<std::unique_ptr<client>> held;
    for (int i = 0; i < 3; ++i) held.push_back(std::make_unique<client>(s.port));
    CHECK_THROWS(client(s.port));  // the fourth from 127.0.0.1 is closed at once
    raw(s.port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");  // also refused: nothing to check but
                                                              // that it returns
  }
  // Their places come back once they are closed.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  bool served = false;
  while (!served && std::chrono::steady_clock::now() < deadline) {
    try {
      served = get(s.port, "/healthz").status == 200;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  CHECK(served);
  CHECK(get(s.port, "/metrics").body.find("advisor_connections_refused_total{reason=\"per_ip\"}") !=
        std::string::npos);

  running_server total([](bot::config& c) { c.max_connections = 2; });
  client a(total.port);
  client b(total.port);
  CHECK_THROWS(client(total.port));
}

TEST_CASE("HTTP is strict: Transfer-Encoding other than chunked - and bodies where none belong") {
  running_server s({}, [](bot::app&, web::server& srv) {
    auto echo_size = [](const adapters::http_request& r) {
      adapters::http_response res;
      res.body = json{{"bytes", r.body.size()}}.dump();
      return res;
    };
    srv.routes().add("POST", "/slack/commands", echo_size);
    srv.routes().add("POST", "/discord/interactions", echo_size);
  });
  auto status_of = [](const std::string& answer) { return answer.substr(0, 12); };
  for (std::string te : {"gzip", "xchunked", "chunked, chunked", "gzip, chunked",
                         "chunked\r\nTransfer-Encoding: chunked"}) {
    CAPTURE(te);
    std::string req = "POST /slack/commands HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + te +
                      "\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    std::string answer = raw(s.port, req);
    CHECK(status_of(answer) == "HTTP/1.1 400");
    CHECK(answer.find("HTTP/1.1", 1) == std::string::npos);  // the body was not served as a request
  }
  // Plain chunked is read.
  std::string chunked =
      "POST /slack/commands HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\nConnection: "
      "close\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
  std::string answer = raw(s.port, chunked);
  CHECK(status_of(answer) == "HTTP/1.1 200");
  CHECK(answer.find("{\"bytes\":5}") != std::string::npos);

  // Routes without a body refuse one, by length or chunked.
  CHECK(status_of(
            raw(s.port, "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")) ==
        "HTTP/1.1 413");
  CHECK(status_of(raw(s.port,
                      "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                      "chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")) == "HTTP/1.1 413");
  CHECK(
      status_of(raw(s.port, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")) ==
      "HTTP/1.1 413");
  // Slack and Discord take what their platforms send, not more.
  auto post = [&](const std::string& path, std::size_t size) {
    return status_of(raw(
        s.port, "POST " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " +
                    std::to_string(size) + "\r\n\r\n" + std::string(size, 'a')));
  };
  CHECK(post("/slack/commands", 100 * 1024) == "HTTP/1.1 200");
  CHECK(post("/slack/commands", web::slack_body_limit + 1) == "HTTP/1.1 413");
  CHECK(post("/discord/interactions", 100 * 1024) == "HTTP/1.1 200");
  CHECK(post("/discord/interactions", web::discord_body_limit + 1) == "HTTP/1.1 413");
  CHECK(get(s.port, "/healthz").status == 200);
}

TEST_CASE("every HTML and JSON response carries the security headers") {
  running_server s([](bot::config& c) { c.frame_ancestors = "https://portal.example"; });
  for (std::string target : {"/", "/healthz", "/nope", "/widget.js", "/metrics"}) {
    CAPTURE(target);
    auto r = get(s.port, target);
    CHECK(r.headers["x-content-type-options"] == "nosniff");
    CHECK(r.headers["referrer-policy"] == "no-referrer");
    CHECK(r.headers["content-security-policy"].find("frame-ancestors") != std::string::npos);
  }
  auto page = get(s.port, "/");
  std::string csp = page.headers["content-security-policy"];
  CHECK(csp.find("frame-ancestors https://portal.example") != std::string::npos);
  CHECK(csp.find("script-src 'self'") != std::string::npos);
  CHECK(csp.find("'unsafe-inline'") == std::string::npos);
  CHECK(csp.find("'sha256-") != std::string::npos);  // the page's own inline style, by hash
  CHECK(get(s.port, "/healthz").headers["content-security-policy"] ==
        "default-src 'none'; frame-ancestors 'none'");
}

namespace {

std::string gunzip(const std::string& bytes) {
  z_stream z{};
  REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);
  std::string out;
  char chunk[16384];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - z.avail_out);
  }
  inflateEnd(&z);
  CHECK(rc == Z_STREAM_END);
  return out;
}

}  // namespace

TEST_CASE("the widget's files: entity tags - 304 Not Modified - gzip when accepted - a favicon") {
  running_server s;
  for (std::string target : {"/", "/widget.js", "/widget.css", "/favicon.svg"}) {
    CAPTURE(target);
    auto plain = get(s.port, target);
    REQUIRE(plain.status == 200);
    std::string etag = plain.headers["etag"];
    CHECK(etag.size() == 34);
    CHECK(etag.front() == '"');
    CHECK(plain.headers["cache-control"] == "no-cache");
    CHECK(plain.headers.count("content-encoding") == 0);
    // The same tag again: nothing changed, no body.
    auto again = get(s.port, target, http::verb::get, {{"If-None-Match", etag}});
    CHECK(again.status == 304);
    CHECK(again.body.empty());
    CHECK(again.headers["etag"] == etag);
    CHECK(
        get(s.port, target, http::verb::get, {{"If-None-Match", "W/" + etag + ", \"x\""}}).status ==
        304);
    CHECK(get(s.port, target, http::verb::get, {{"If-None-Match", "\"other\""}}).status == 200);
    // gzip when the client takes it: smaller, the same bytes once inflated, its own tag.
    auto zipped = get(s.port, target, http::verb::get, {{"Accept-Encoding", "gzip, deflate, br"}});
    REQUIRE(zipped.status == 200);
    CHECK(zipped.headers["content-encoding"] == "gzip");
    CHECK(zipped.headers["vary"] == "Accept-Encoding");
    CHECK(zipped.body.size() < plain.body.size());
    CHECK(gunzip(zipped.body) == plain.body);
    CHECK(zipped.headers["etag"] != etag);
    CHECK(get(s.port, target, http::verb::get,
              {{"Accept-Encoding", "gzip"}, {"If-None-Match", zipped.headers["etag"]}})
              .status == 304);
    // q=0 refuses it.
    CHECK(get(s.port, target, http::verb::get, {{"Accept-Encoding", "gzip;q=0, identity"}})
              .headers.count("content-encoding") == 0);
  }
  auto icon = get(s.port, "/favicon.ico");
  CHECK(icon.status == 200);
  CHECK(icon.content_type == "image/svg+xml");
  CHECK(icon.body.find("<svg") != std::string::npos);
  CHECK(get(s.port, "/").body.find("rel=\"icon\"") != std::string::npos);
}

TEST_CASE("a plain GET /ws tells a page whether its origin may open the WebSocket") {
  running_server s([](bot::config& cfg) {
    cfg.allowed_origins = {"https://portal.example", "http://127.0.0.1"};
  });
  auto ok = get(s.port, "/ws", http::verb::get, {{"Origin", "https://portal.example"}});
  CHECK(ok.status == 200);
  CHECK(json::parse(ok.body)["origin_allowed"] == true);
  CHECK(ok.headers["access-control-allow-origin"] == "https://portal.example");
  auto refused = get(s.port, "/ws", http::verb::get, {{"Origin", "https://evil.example"}});
  CHECK(refused.status == 403);
  CHECK(json::parse(refused.body)["error"] == "origin_not_allowed");
  // Readable by the refused page, so the widget there can say why it cannot connect.
  CHECK(refused.headers["access-control-allow-origin"] == "https://evil.example");
  // No Origin (a same-origin GET): the page is on the Host it asked.
  CHECK(get(s.port, "/ws").status == 200);

  running_server open_to_all;
  CHECK(get(open_to_all.port, "/ws", http::verb::get, {{"Origin", "https://any.example"}}).status ==
        200);
}
