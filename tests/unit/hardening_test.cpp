// Pure pieces of the server's limits (issue 19): echo truncation, Transfer-Encoding, per-route
// body limits, security headers, connection caps, the open-origins warning, their config.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <fstream>
#include <functional>
#include <memory>
#include <thread>

#include "adapters/common/protocol.hpp"
#include "adapters/common/worker_pool.hpp"
#include "adapters/web/connection_limits.hpp"
#include "adapters/web/routes.hpp"
#include "adapters/web/server.hpp"
#include "adapters/web/turn_queue.hpp"
#include "bot/infra/config.hpp"
#include "support.hpp"

using namespace advisor;

namespace {

std::string header(const adapters::http_response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

}  // namespace

TEST_CASE("echo: at most 100 characters of a user's text - cut between characters") {
  CHECK(bot::echo("short") == "short");
  CHECK(bot::echo(std::string(100, 'a')) == std::string(100, 'a'));
  CHECK(bot::echo(std::string(101, 'a')) == std::string(100, 'a') + "...");
  std::string accents;
  for (int i = 0; i < 150; ++i) accents += "\xc3\xa9";  // é, two bytes each
  std::string cut = bot::echo(accents);
  CHECK(cut.size() == 200 + 3);  // 100 characters, never half of one
  CHECK(bot::echo(std::string(1 << 20, 'x')).size() == 103);
}

TEST_CASE("Transfer-Encoding: only chunked") {
  CHECK(web::transfer_encoding_ok("chunked"));
  CHECK(web::transfer_encoding_ok(" Chunked\t"));
  CHECK_FALSE(web::transfer_encoding_ok("gzip"));
  CHECK_FALSE(web::transfer_encoding_ok("xchunked"));
  CHECK_FALSE(web::transfer_encoding_ok("chunked, chunked"));
  CHECK_FALSE(web::transfer_encoding_ok("gzip, chunked"));
  CHECK_FALSE(web::transfer_encoding_ok("identity"));
  CHECK_FALSE(web::transfer_encoding_ok(""));
}

TEST_CASE("request bodies: only the Slack and Discord routes take one") {
  adapters::router routes;
  auto ok = [](const adapters::http_request&) { return adapters::http_response{}; };
  routes.add("POST", "/slack/commands", ok);
  routes.add("POST", "/discord/interactions", ok);
  routes.add("POST", "/other", ok);
  CHECK(web::body_limit_for("POST", "/slack/commands", routes) == web::slack_body_limit);
  CHECK(web::body_limit_for("POST", "/discord/interactions", routes) == web::discord_body_limit);
  CHECK(web::body_limit_for("GET", "/slack/commands", routes) == 0);
  CHECK(web::body_limit_for("POST", "/other", routes) == 0);
  CHECK(web::body_limit_for("GET", "/healthz", routes) == 0);
  CHECK(web::body_limit_for("GET", "/ws", routes) == 0);
  CHECK(web::body_limit_for("POST", "/slack/unknown", routes) == 0);
}

TEST_CASE("security headers: HTML gets the page's policy - everything else a closed one") {
  adapters::http_response page;
  page.content_type = "text/html; charset=utf-8";
  web::add_security_headers(page, "'none'", "advisor.example:8080");
  CHECK(header(page, "X-Content-Type-Options") == "nosniff");
  CHECK(header(page, "Referrer-Policy") == "no-referrer");
  std::string csp = header(page, "Content-Security-Policy");
  CHECK(csp.find("default-src 'none'") != std::string::npos);
  CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
  CHECK(csp.find("connect-src 'self' ws://advisor.example:8080 wss://advisor.example:8080") !=
        std::string::npos);

  adapters::http_response framed;
  framed.content_type = "text/html";
  web::add_security_headers(framed, "https://portal.example",
                            "evil; script-src *");  // a Host that is not a host
  csp = header(framed, "Content-Security-Policy");
  CHECK(csp.find("frame-ancestors https://portal.example") != std::string::npos);
  CHECK(csp.find("evil") == std::string::npos);

  adapters::http_response api;  // JSON
  web::add_security_headers(api, "https://portal.example", "x");
  CHECK(header(api, "Content-Security-Policy") == "default-src 'none'; frame-ancestors 'none'");
  CHECK(header(api, "X-Content-Type-Options") == "nosniff");
}

TEST_CASE("connection caps: in all and per address - places come back") {
  web::connection_limits limits(3, 2);
  auto a1 = limits.admit("10.0.0.1");
  auto a2 = limits.admit("10.0.0.1");
  REQUIRE(a1);
  REQUIRE(a2);
  web::connection_limits::refusal why{};
  CHECK_FALSE(limits.admit("10.0.0.1", &why));
  CHECK(why == web::connection_limits::refusal::per_address);
  auto b1 = limits.admit("10.0.0.2");
  REQUIRE(b1);
  CHECK_FALSE(limits.admit("10.0.0.3", &why));
  CHECK(why == web::connection_limits::refusal::total);
  CHECK(limits.open() == 3);
  a1.reset();
  CHECK(limits.open_from("10.0.0.1") == 1);
  auto moved = std::move(*b1);  // a ticket moves (from the HTTP session to the WebSocket one)
  b1.reset();
  CHECK(limits.open() == 2);
  CHECK(limits.admit("10.0.0.1"));  // taken and given back at once
  CHECK(limits.open() == 2);
}

TEST_CASE("connection caps: an address's connections share one byte budget") {
  web::connection_limits limits(10, 10, /*bytes_per_second=*/0.001, /*byte_burst=*/1000);
  auto a = limits.admit("10.0.0.1");
  auto b = limits.admit("10.0.0.1");
  auto other = limits.admit("10.0.0.2");
  CHECK(a->take_bytes(600));
  CHECK_FALSE(b->take_bytes(600));  // 400 left: refused, and the budget is spent
  CHECK_FALSE(a->take_bytes(1));
  CHECK(other->take_bytes(1000));  // another address has its own
}

TEST_CASE("the open-origins warning: empty allowed_origins beyond loopback") {
  bot::config c;
  c.host = "127.0.0.1";
  CHECK_FALSE(web::origins_open_to_all(c));
  c.host = "::1";
  CHECK_FALSE(web::origins_open_to_all(c));
  c.host = "0.0.0.0";
  CHECK(web::origins_open_to_all(c));
  c.allowed_origins = {"https://portal.example"};
  CHECK_FALSE(web::origins_open_to_all(c));
}

TEST_CASE("config: the limits are read and checked") {
  test::temp_dir dir;
  auto load = [&](const std::string& text) {
    std::string file = dir.str() + "/c.json";
    std::ofstream(file) << text;
    return bot::load_config(file);
  };
  auto c = load(
      R"({"turn_threads": 4, "bytes_per_second": 1000, "byte_burst": 5000, "max_outgoing_bytes": 65536,
                    "max_connections": 10, "max_connections_per_ip": 5, "frame_ancestors": "'self' https://portal.example"})");
  CHECK(c.turn_threads == 4);
  CHECK(c.bytes_per_second == 1000);
  CHECK(c.byte_burst == 5000);
  CHECK(c.max_outgoing_bytes == 65536);
  CHECK(c.max_connections == 10);
  CHECK(c.max_connections_per_ip == 5);
  CHECK(c.frame_ancestors == "'self' https://portal.example");
  CHECK_THROWS(load(R"({"turn_threads": 0})"));
  CHECK_THROWS(load(R"({"bytes_per_second": 0})"));
  CHECK_THROWS(load(R"({"max_connections": 0})"));
  CHECK_THROWS(load(R"({"frame_ancestors": "'none'; script-src *"})"));
  bot::config defaults;
  CHECK(defaults.max_outgoing_bytes == 1024 * 1024);
  CHECK(defaults.turn_threads >= 2);
}

TEST_CASE("turn queue: addresses take turns - and one never holds more than its share of threads") {
  std::deque<std::function<void()>> posted;  // a turn thread, pumped by hand
  auto pump = [&] {
    auto f = std::move(posted.front());
    posted.pop_front();
    f();
  };
  web::turn_queue q([&](web::turn_queue::job j) { posted.push_back(std::move(j)); }, 1);
  std::vector<std::string> ran;
  q.post("a", [&] {
    ran.push_back("a1");
    // While a1 runs (one thread busy with "a"), another thread takes "b"'s job, not a2.
    while (!posted.empty() && ran.size() < 2) pump();
  });
  q.post("a", [&] { ran.push_back("a2"); });
  q.post("a", [&] { ran.push_back("a3"); });
  q.post("b", [&] { ran.push_back("b1"); });
  while (!posted.empty()) pump();
  CHECK(ran == std::vector<std::string>{"a1", "b1", "a2", "a3"});
  CHECK(q.waiting() == 0);
}

TEST_CASE("worker pool: drain returns only once a finished job's captures are released") {
  // A request's job holds its connection; the server tears its I/O loops down once the pool is
  // drained, so the connection must not be released on a worker thread after that (ASan saw a
  // socket closed on a freed reactor at shutdown).
  struct holder {
    explicit holder(std::atomic<bool>& f) : released(f) {}
    holder(const holder&) = delete;
    holder& operator=(const holder&) = delete;
    ~holder() {
      // Slow to let go, as closing a socket may be: the race drain() must not lose.
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      released = true;
    }
    std::atomic<bool>& released;
  };
  for (int round = 0; round < 3; ++round) {
    adapters::worker_pool pool(2);
    std::atomic<bool> released{false};
    pool.post([h = std::make_shared<holder>(released)] {});
    pool.drain();
    CHECK(released);
    std::atomic<bool> keyed_released{false};
    pool.post("conversation", [h = std::make_shared<holder>(keyed_released)] {});
    pool.drain();
    CHECK(keyed_released);
  }
}
