// The libcurl client against a local fake API: retries of 5xx and transport errors, 429 with
// Retry-After, no retry of other 4xx, headers and body sent as given.
#include "adapters/common/outbound.hpp"

#include <doctest/doctest.h>

#include <boost/asio.hpp>
#include <utility>

#include "fake_chat_api.hpp"

using namespace advisor;
using namespace std::chrono_literals;

namespace {

adapters::retry_policy quick() {
  adapters::retry_policy p;
  p.max_attempts = 3;
  p.first_backoff = 10ms;
  p.max_wait = 5s;
  p.timeout = 5s;
  return p;
}

adapters::outbound_request post(const test::fake_slack_api& api, const std::string& path,
                                const std::string& body) {
  adapters::outbound_request r;
  r.url = api.url() + path;
  r.headers = {{"Authorization", "Bearer xoxb-test"}};
  r.body = body;
  return r;
}

}  // namespace

TEST_SUITE("outbound") {
  TEST_CASE("a successful call sends the method - headers and body as given") {
    test::fake_slack_api api;
    adapters::http_client client(quick());
    auto res = client.send(post(api, "/api/chat.postMessage", R"({"channel":"C1","text":"hi"})"));
    CHECK(res.ok());
    CHECK(res.status == 200);
    CHECK(res.attempts == 1);
    CHECK(res.error.empty());
    CHECK(nlohmann::json::parse(res.body)["ts"].is_string());
    auto calls = api.calls();
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].method == "POST");
    CHECK(calls[0].target == "/api/chat.postMessage");
    CHECK(calls[0].header("authorization") == "Bearer xoxb-test");
    CHECK(calls[0].header("content-type") == "application/json; charset=utf-8");
    CHECK(calls[0].body == R"({"channel":"C1","text":"hi"})");
  }

  TEST_CASE("5xx is retried with backoff until it succeeds") {
    test::fake_slack_api api;
    api.respond_next({500, "oops", {}}, 2);
    adapters::http_client client(quick());
    auto res = client.send(post(api, "/api/chat.update", "{}"));
    CHECK(res.ok());
    CHECK(res.attempts == 3);
    CHECK(api.count() == 3);
  }

  TEST_CASE("5xx every time gives up after max_attempts with the last status") {
    test::fake_slack_api api;
    api.respond_next({503, "down", {}}, 10);
    adapters::http_client client(quick());
    auto res = client.send(post(api, "/api/chat.update", "{}"));
    CHECK_FALSE(res.ok());
    CHECK(res.status == 503);
    CHECK(res.body == "down");
    CHECK(res.attempts == 3);
    CHECK(api.count() == 3);
  }

  TEST_CASE("429 waits for Retry-After - then the call goes through") {
    test::fake_slack_api api;
    api.respond_next({429, R"({"ok":false,"error":"ratelimited"})", {{"Retry-After", "1"}}});
    adapters::http_client client(quick());
    auto res = client.send(post(api, "/api/chat.postMessage", "{}"));
    CHECK(res.ok());
    CHECK(res.attempts == 2);
    auto calls = api.calls();
    REQUIRE(calls.size() == 2);
    CHECK(calls[1].at - calls[0].at >= 900ms);  // it waited as told (a lower bound, not a speed)
  }

  TEST_CASE("a Retry-After longer than max_wait returns the 429 instead of holding the worker") {
    test::fake_slack_api api;
    api.respond_next({429, "slow down", {{"Retry-After", "120"}}});
    adapters::http_client client(quick());
    auto res = client.send(post(api, "/api/chat.postMessage", "{}"));
    CHECK(res.status == 429);
    CHECK(res.attempts == 1);
    CHECK(api.count() == 1);
  }

  TEST_CASE("other 4xx are not retried") {
    test::fake_slack_api api;
    api.respond_next({400, "bad", {}}, 3);
    adapters::http_client client(quick());
    auto res = client.send(post(api, "/api/chat.postMessage", "{}"));
    CHECK(res.status == 400);
    CHECK(res.attempts == 1);
  }

  TEST_CASE("a refused connection is a transport error - retried - never an exception") {
    std::uint16_t port = 0;
    {
      boost::asio::io_context ioc;
      boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
      port = a.local_endpoint().port();
    }  // closed again: nothing listens there now
    adapters::http_client client(quick());
    adapters::outbound_request r;
    r.url = "http://127.0.0.1:" + std::to_string(port) + "/api/chat.postMessage";
    auto res = client.send(r);
    CHECK(res.status == 0);
    CHECK_FALSE(res.error.empty());
    CHECK(res.attempts == 3);
  }

  TEST_CASE("a non-HTTP URL is refused") {
    adapters::http_client client(quick());
    adapters::outbound_request r;
    r.url = "file:///etc/passwd";
    auto res = client.send(r);
    CHECK_FALSE(res.ok());
    CHECK(res.body.empty());
    CHECK_FALSE(res.error.empty());
  }
}
