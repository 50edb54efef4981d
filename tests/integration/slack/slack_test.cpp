// The Slack endpoints on the real advisor server (web::server on 127.0.0.1, an ephemeral port,
// a real bot::service over a temporary SQLite data directory), driven by requests built and
// signed the way Slack builds them, with every outbound call landing in a fake Slack Web API.
#include "adapters/slack/slack.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>

#include "adapters/common/worker_pool.hpp"
#include "adapters/slack/signing.hpp"
#include "adapters/web/server.hpp"
#include "bot/infra/metrics.hpp"
#include "fake_chat_api.hpp"
#include "live_markup.hpp"
#include "process.hpp"
#include "request_signing.hpp"
#include "slack_block_kit_check.hpp"
#include "support.hpp"

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using nlohmann::json;
using namespace advisor;
using namespace std::chrono_literals;

namespace {

constexpr const char* secret = "8f742231b10e8888abcd99yyyzzz85a5";
constexpr const char* bot_token = "xoxb-test-token-never-logged";
constexpr const char* bot_user = "UBOT";

std::int64_t now_seconds() { return slack::system_now(); }

struct reply {
  unsigned status = 0;
  std::string body;
  std::string retry_after;  // the Retry-After header, if any
  json json_body() const { return json::parse(body); }
};

struct headers {
  std::string timestamp;
  std::string signature;
  std::vector<std::pair<std::string, std::string>> extra;
};

// Headers as Slack sends them, signed `skew` seconds from now.
headers signed_for(const std::string& body, std::int64_t skew = 0,
                   const std::string& key = secret) {
  std::string ts = std::to_string(now_seconds() + skew);
  return {ts, test::slack_signature(key, ts, body), {}};
}

// One request, as Slack sends it, on a fresh connection.
reply http_post(std::uint16_t port, const std::string& path, const std::string& body,
                const headers& h,
                const std::string& content_type = "application/x-www-form-urlencoded") {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{http::verb::post, path, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::user_agent, "Slackbot 1.0 (+https://api.slack.com/robots)");
  req.set(http::field::content_type, content_type);
  if (!h.timestamp.empty()) req.set("X-Slack-Request-Timestamp", h.timestamp);
  if (!h.signature.empty()) req.set("X-Slack-Signature", h.signature);
  for (const auto& [k, v] : h.extra) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return {res.result_int(), res.body(), std::string(res[http::field::retry_after])};
}

struct running {
  test::fake_slack_api api;
  test::temp_dir dir;
  bot::config cfg;
  std::unique_ptr<bot::app> app;
  adapters::worker_pool pool{2};
  std::unique_ptr<web::server> srv;
  std::unique_ptr<slack::adapter> slack;
  std::uint16_t port = 0;
  std::thread thread;
  int trigger = 0;
  // Added to the adapter's clock and to the timestamps the helpers sign: time travel.
  std::atomic<std::int64_t> clock_skew{0};

  explicit running(bool webhook = true,
                   std::size_t replay_capacity = adapters::replay_window::default_capacity) {
    cfg = test::test_config(dir.str());
    cfg.port = 0;
    cfg.slack.signing_secret = secret;
    cfg.slack.bot_token = bot_token;
    cfg.slack.api_url = api.url() + "/api";
    if (webhook) cfg.slack.webhook_url = api.url() + "/webhook/T1/B1/secretpath";
    app = bot::open_app(cfg);
    srv = std::make_unique<web::server>(app->cfg, *app->service,
                                        [this] { return app->sessions->writable(); });
    slack::options opts;
    opts.retry = {4, 20ms, 5s, 5s};
    opts.now = [this] { return now_seconds() + clock_skew; };
    opts.replay_capacity = replay_capacity;
    slack = slack::register_routes(srv->routes(), app->cfg.slack, *app->service, pool, opts);
    port = srv->listen();
    thread = std::thread([this] { srv->run(); });
  }
  ~running() {
    srv->stop();
    thread.join();
    slack.reset();  // waits for queued turns
  }

  reply post(const std::string& path, const std::string& body, const headers& h,
             const std::string& content_type = "application/x-www-form-urlencoded") {
    return http_post(port, path, body, h, content_type);
  }

  // Each posts a signed request and waits until every turn it queued has run.
  reply command(const std::string& text, const std::string& user = "U1",
                const std::string& channel = "C1") {
    std::string body = test::form(
        {{"token", "gIkuvaNzQIHg97ATvDxqgjtO"},
         {"team_id", "T1"},
         {"team_domain", "example"},
         {"channel_id", channel},
         {"channel_name", "general"},
         {"user_id", user},
         {"user_name", "ann"},
         {"command", "/advisor"},
         {"text", text},
         {"api_app_id", "A1"},
         {"is_enterprise_install", "false"},
         {"response_url", api.url() + "/commands/T1/1234/response-secret"},
         {"trigger_id", "13345224609.738474920.8088930838d88f008e0." + std::to_string(++trigger)}});
    auto r = post("/slack/commands", body, signed_for(body, clock_skew));
    pool.drain();
    return r;
  }
  reply event(const json& envelope, std::int64_t skew = 0,
              std::vector<std::pair<std::string, std::string>> extra = {}) {
    std::string body = envelope.dump();
    auto h = signed_for(body, clock_skew + skew);
    h.extra = std::move(extra);
    auto r = post("/slack/events", body, h, "application/json");
    pool.drain();
    return r;
  }
  reply interaction(const json& payload) {
    std::string body = test::form({{"payload", payload.dump()}});
    auto r = post("/slack/interactions", body, signed_for(body, clock_skew));
    pool.drain();
    return r;
  }

  std::optional<bot::turn> current(const std::string& key) {
    return app->service->current({"slack", key});
  }
};

json envelope(const std::string& event_id, json event) {
  return {{"token", "gIkuvaNzQIHg97ATvDxqgjtO"},
          {"team_id", "T1"},
          {"api_app_id", "A1"},
          {"event", std::move(event)},
          {"type", "event_callback"},
          {"event_id", event_id},
          {"event_time", now_seconds()},
          {"authorizations", json::array({{{"enterprise_id", nullptr},
                                           {"team_id", "T1"},
                                           {"user_id", bot_user},
                                           {"is_bot", true},
                                           {"is_enterprise_install", false}}})},
          {"is_ext_shared_channel", false},
          {"event_context", "4-eyJldCI6ImFwcF9tZW50aW9uIn0"}};
}

json mention(const std::string& text, const std::string& user, const std::string& ts,
             const std::string& thread_ts = {}) {
  json e = {{"type", "app_mention"},
            {"user", user},
            {"text", "<@" + std::string(bot_user) + "> " + text},
            {"ts", ts},
            {"team", "T1"},
            {"channel", "C1"},
            {"event_ts", ts}};
  if (!thread_ts.empty()) e["thread_ts"] = thread_ts;
  return e;
}

json direct(const std::string& text, const std::string& user, const std::string& ts) {
  return {{"type", "message"}, {"user", user},    {"text", text},   {"ts", ts},
          {"team", "T1"},      {"channel", "D1"}, {"event_ts", ts}, {"channel_type", "im"}};
}

bool has_actions(const json& blocks) {
  for (const auto& b : blocks)
    if (b["type"] == "actions") return true;
  return false;
}

// The block_actions payload Slack sends when `user` clicks the button with this option id
// (or the first button when empty) on the message that the fake recorded in `call`.
json click(const test::fake_slack_api::call& call, const std::string& user,
           const std::string& option = {}, int nth_click = 1) {
  json message = call.json();
  json posted = json::parse(call.response);
  json button, block;
  for (const auto& b : message["blocks"]) {
    if (b["type"] != "actions") continue;
    for (const auto& e : b["elements"]) {
      auto v = json::parse(e["value"].get<std::string>());
      if (button.is_null() && (option.empty() || v["o"] == option)) {
        button = e;
        block = b;
      }
    }
  }
  REQUIRE_MESSAGE(!button.is_null(), "no button for option " << option);
  std::string ts = posted["ts"];
  json container = {{"type", "message"},
                    {"message_ts", ts},
                    {"channel_id", message["channel"]},
                    {"is_ephemeral", false}};
  if (message.contains("thread_ts")) container["thread_ts"] = message["thread_ts"];
  json msg = {{"type", "message"}, {"subtype", "bot_message"}, {"text", message["text"]},
              {"ts", ts},          {"bot_id", "B1"},           {"blocks", message["blocks"]}};
  if (message.contains("thread_ts")) msg["thread_ts"] = message["thread_ts"];
  return {
      {"type", "block_actions"},
      {"user", {{"id", user}, {"username", "ann"}, {"name", "ann"}, {"team_id", "T1"}}},
      {"api_app_id", "A1"},
      {"token", "gIkuvaNzQIHg97ATvDxqgjtO"},
      {"container", container},
      {"trigger_id", "123." + std::to_string(nth_click)},
      {"team", {{"id", "T1"}, {"domain", "example"}}},
      {"enterprise", nullptr},
      {"is_enterprise_install", false},
      {"channel", {{"id", message["channel"]}, {"name", "general"}}},
      {"message", msg},
      {"state", {{"values", json::object()}}},
      {"response_url", "https://hooks.slack.com/actions/T1/1/secret"},
      {"actions", json::array({{{"action_id", button["action_id"]},
                                {"block_id", block["block_id"]},
                                {"text", button["text"]},
                                {"value", button["value"]},
                                {"type", "button"},
                                {"action_ts", "1700000100.00000" + std::to_string(nth_click)}}})}};
}

std::vector<test::fake_slack_api::call> posts(const test::fake_slack_api& api) {
  return api.calls_to("/api/chat.postMessage");
}
std::vector<test::fake_slack_api::call> updates(const test::fake_slack_api& api) {
  return api.calls_to("/api/chat.update");
}

double metric(const std::string& name, const adapters::metrics::labels& l) {
  return adapters::metrics::global().value(name, l);
}

// Captures what the process writes to stderr (the JSON logs) while it lives.
class stderr_capture {
 public:
  explicit stderr_capture(std::string path) : path_(std::move(path)) {
    std::fflush(stderr);
    saved_ = ::dup(2);
    std::FILE* f = std::fopen(path_.c_str(), "w");
    ::dup2(::fileno(f), 2);
    std::fclose(f);
  }
  ~stderr_capture() { restore(); }
  std::string restore() {
    if (saved_ >= 0) {
      std::fflush(stderr);
      ::dup2(saved_, 2);
      ::close(saved_);
      saved_ = -1;
    }
    std::ifstream in(path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  std::string path_;
  int saved_ = -1;
};

}  // namespace

TEST_SUITE("slack endpoints") {
  TEST_CASE("unsigned - mis-signed - stale and tampered requests get 401 and touch nothing") {
    running s;
    json ev = envelope("Ev401", mention("startup", "U9", "1700000001.000100"));
    std::string body = ev.dump();
    for (const char* path : {"/slack/events", "/slack/commands", "/slack/interactions"}) {
      CAPTURE(path);
      auto missing = s.post(path, body, {});
      CHECK(missing.status == 401);
      CHECK(missing.json_body() ==
            json({{"ok", false},
                  {"error", "missing_signature"},
                  {"message",
                   "The X-Slack-Request-Timestamp and X-Slack-Signature headers are required."}}));

      auto wrong = s.post(path, body, signed_for(body, 0, "not-the-secret"));
      CHECK(wrong.status == 401);
      CHECK(wrong.json_body()["error"] == "invalid_signature");

      auto old = s.post(path, body,
                        signed_for(body, -(5 * 60 + 30)));  // signed correctly, 5.5 minutes ago
      CHECK(old.status == 401);
      CHECK(old.json_body()["error"] == "stale_timestamp");
      auto future = s.post(path, body, signed_for(body, 5 * 60 + 30));
      CHECK(future.status == 401);
      CHECK(future.json_body()["error"] == "stale_timestamp");
      // Inside the window but signed before this server started: it may have been served
      // before a restart, whose memory of signatures is gone.
      auto before_start = s.post(path, body, signed_for(body, -120));
      CHECK(before_start.status == 401);

      auto h = signed_for(body);
      std::string tampered = body;
      tampered.replace(tampered.find("startup"), 7, "enterpr");
      auto changed = s.post(path, tampered, h);
      CHECK(changed.status == 401);
      CHECK(changed.json_body()["error"] == "invalid_signature");

      auto malformed = s.post(path, body, {h.timestamp, "v0=" + std::string(64, 'z'), {}});
      CHECK(malformed.status == 401);
      CHECK(malformed.json_body()["error"] == "malformed_signature");
    }
    s.pool.drain();
    CHECK(s.api.count() == 0);
    CHECK_FALSE(s.current("T1/C1/1700000001.000100/U9"));
    CHECK(metric("advisor_slack_rejected_total", {{"reason", "stale_timestamp"}}) >= 6);
  }

  TEST_CASE("a replayed request (same timestamp and signature) gets 401 and no second reply") {
    running s;
    std::string body = envelope("EvReplay", mention("startup", "U1", "1700000002.000100")).dump();
    auto h = signed_for(body);
    auto first = s.post("/slack/events", body, h, "application/json");
    auto again = s.post("/slack/events", body, h, "application/json");
    s.pool.drain();
    CHECK(first.status == 200);
    CHECK(again.status == 401);
    CHECK(again.json_body()["error"] == "replayed_request");
    CHECK(posts(s.api).size() == 1);
  }

  TEST_CASE(
      "a replay of an early request after more requests than the old memory held (100000) is "
      "still refused") {
    running s;
    std::string body = envelope("EvEarly", mention("startup", "U1", "1700000003.000100")).dump();
    auto h = signed_for(body);
    REQUIRE(s.post("/slack/events", body, h, "application/json").status == 200);
    s.pool.drain();
    REQUIRE(posts(s.api).size() == 1);
    // 100,000 more signed requests, straight to the handler (url_verification: no turn).
    for (int i = 0; i < 100000; ++i) {
      adapters::http_request req;
      req.method = "POST";
      req.path = "/slack/events";
      req.body = json({{"type", "url_verification"}, {"challenge", std::to_string(i)}}).dump();
      auto signed_h = signed_for(req.body);
      req.headers = {{"x-slack-request-timestamp", signed_h.timestamp},
                     {"x-slack-signature", signed_h.signature}};
      REQUIRE(s.slack->on_event(req).status == 200);
    }
    auto again = s.post("/slack/events", body, h, "application/json");
    s.pool.drain();
    CHECK(again.status == 401);
    CHECK(again.json_body()["error"] == "replayed_request");
    CHECK(posts(s.api).size() == 1);
  }

  TEST_CASE("with the replay memory full - a signed request gets 503 busy with Retry-After") {
    running s(true, 1);
    s.command("");
    auto question = posts(s.api).back();
    auto key = "T1/C1/" + json::parse(posts(s.api)[0].response)["ts"].get<std::string>() + "/U1";
    auto seq = s.current(key)->seq;
    auto calls = s.api.count();
    double busy = metric("advisor_slack_rejected_total", {{"reason", "busy"}});

    auto refused = s.interaction(click(question, "U1"));
    CHECK(refused.status == 503);
    std::string message = "Too many signed requests to check for replays right now. Try again in " +
                          refused.retry_after + " seconds.";
    CHECK(refused.json_body() == json({{"ok", false}, {"error", "busy"}, {"message", message}}));
    REQUIRE_FALSE(refused.retry_after.empty());
    int wait = std::stoi(refused.retry_after);
    CHECK(wait >= 1);
    CHECK(wait <= 301);
    CHECK(s.current(key)->seq == seq);  // the answer was not taken
    CHECK(s.api.count() == calls);      // and nothing was said
    CHECK(metric("advisor_slack_rejected_total", {{"reason", "busy"}}) == busy + 1);

    // Once the command's timestamp has left the window, there is room again.
    s.clock_skew = wait;
    auto served = s.interaction(click(question, "U1"));
    CHECK(served.status == 200);
    CHECK(s.current(key)->seq == seq + 1);
  }

  TEST_CASE("url_verification echoes the challenge - only when signed") {
    running s;
    json body = {{"token", "Jhj5dZrVaK7ZwHHjRyZWjbDl"},
                 {"challenge", "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"},
                 {"type", "url_verification"}};
    auto ok = s.event(body);
    CHECK(ok.status == 200);
    CHECK(ok.json_body() ==
          json({{"challenge", "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}}));
    CHECK(s.post("/slack/events", body.dump(), {}, "application/json").status == 401);
  }

  TEST_CASE(
      "Slack's retries of an event (same event_id - X-Slack-Retry-Num) give exactly one reply") {
    running s;
    json ev = envelope("Ev0RETRY", mention("we are a startup", "U1", "1700000003.000100"));
    double before = metric("advisor_slack_duplicates_total", {{"kind", "event"}});
    CHECK(s.event(ev).status == 200);
    // A retry is a new request: a later timestamp, a new signature, the same event.
    CHECK(s.event(ev, 1, {{"X-Slack-Retry-Num", "1"}, {"X-Slack-Retry-Reason", "http_timeout"}})
              .status == 200);
    CHECK(s.event(ev, 2, {{"X-Slack-Retry-Num", "2"}, {"X-Slack-Retry-Reason", "http_error"}})
              .status == 200);
    CHECK(posts(s.api).size() == 1);
    CHECK(metric("advisor_slack_duplicates_total", {{"kind", "event"}}) == before + 2);
    auto t = s.current("T1/C1/1700000003.000100/U1");
    REQUIRE(t);
    CHECK(t->seq == 1);  // one turn stored, not three
  }

  TEST_CASE(
      "the bot's own messages - other bots - edits - deletions and channel chatter are ignored") {
    running s;
    json own = direct("hello", bot_user, "1700000004.000100");
    json other_bot = direct("hello", "U2", "1700000004.000200");
    other_bot["bot_id"] = "B2";
    json bot_message = direct("hello", "U2", "1700000004.000300");
    bot_message["subtype"] = "bot_message";
    json edited = {
        {"type", "message"},
        {"subtype", "message_changed"},
        {"channel", "D1"},
        {"channel_type", "im"},
        {"ts", "1700000004.000400"},
        {"message",
         {{"type", "message"}, {"user", "U1"}, {"text", "startup"}, {"ts", "1700000004.000050"}}}};
    json deleted = {{"type", "message"},         {"subtype", "message_deleted"},
                    {"channel", "D1"},           {"channel_type", "im"},
                    {"ts", "1700000004.000500"}, {"deleted_ts", "1700000004.000050"}};
    json in_channel = direct("startup", "U1", "1700000004.000600");
    in_channel["channel"] = "C1";
    in_channel["channel_type"] = "channel";
    json mention_in_dm = mention("startup", "U1", "1700000004.000700");
    mention_in_dm["channel"] = "D1";
    json reaction = {{"type", "reaction_added"}, {"user", "U1"}, {"reaction", "thumbsup"}};
    int n = 0;
    for (const auto& e :
         {own, other_bot, bot_message, edited, deleted, in_channel, mention_in_dm, reaction})
      CHECK(s.event(envelope("EvIgnored" + std::to_string(++n), e)).status == 200);
    CHECK(s.api.count() == 0);
    CHECK_FALSE(s.current("T1/D1//U1"));
    CHECK_FALSE(s.current("T1/D1//UBOT"));
  }

  TEST_CASE("429 with Retry-After: the message is sent again after the wait - once") {
    running s;
    s.api.respond_next({429, R"({"ok":false,"error":"ratelimited"})", {{"Retry-After", "1"}}});
    CHECK(s.event(envelope("Ev429", mention("startup", "U1", "1700000005.000100"))).status == 200);
    auto p = posts(s.api);
    REQUIRE(p.size() == 2);
    CHECK(p[0].body == p[1].body);
    CHECK(p[1].at - p[0].at >= 900ms);
    CHECK(json::parse(p[1].response)["ok"] == true);
  }

  TEST_CASE("transient 5xx are retried a bounded number of times: ok:false is logged and counted") {
    running s;
    s.api.respond_next({500, "oops", {}}, 2);
    s.event(envelope("Ev500", mention("startup", "U1", "1700000006.000100")));
    CHECK(posts(s.api).size() == 3);

    double before = metric("advisor_slack_api_errors_total",
                           {{"method", "chat.postMessage"}, {"error", "channel_not_found"}});
    s.api.respond_next({200, R"({"ok":false,"error":"channel_not_found"})", {}});
    s.event(envelope("EvNotOk", mention("startup", "U1", "1700000006.000200")));
    CHECK(metric("advisor_slack_api_errors_total",
                 {{"method", "chat.postMessage"}, {"error", "channel_not_found"}}) == before + 1);
    CHECK(posts(s.api).size() == 4);  // not retried: Slack gave a definite answer
  }

  TEST_CASE(
      "/advisor in a channel the bot is not in: the user is told privately - through "
      "response_url") {
    running s;
    s.api.respond_next({200, R"({"ok":false,"error":"not_in_channel"})", {}});
    auto ack = s.command("");
    CHECK(ack.status == 200);
    auto r = s.api.calls_to("/commands/T1/1234/response-secret");
    REQUIRE(r.size() == 1);
    CHECK(r[0].json()["response_type"] == "ephemeral");
    CHECK(r[0].json()["text"].get<std::string>().find("/invite @Advisor") != std::string::npos);
  }

  TEST_CASE("/advisor help answers privately and starts nothing") {
    running s;
    auto ack = s.command("help");
    CHECK(ack.status == 200);
    CHECK(ack.json_body()["response_type"] == "ephemeral");
    CHECK(ack.json_body()["text"].get<std::string>().find("/advisor") != std::string::npos);
    CHECK(s.api.count() == 0);
  }
}

TEST_SUITE("slack conversation") {
  TEST_CASE(
      "a whole conversation from /advisor to the recommendation card - through button clicks") {
    running s;
    stderr_capture logs(s.dir.file("stderr.log"));
    auto timed = adapters::metrics::global().turns_observed("slack");
    auto ack = s.command("");
    CHECK(ack.status == 200);
    CHECK(ack.json_body() ==
          json({{"response_type", "ephemeral"},
                {"text", "Starting the advisor in a thread in this channel. Answer there."}}));
    auto p = posts(s.api);
    REQUIRE(p.size() == 2);
    // The turn was timed, on the slack channel, before its question was posted.
    CHECK(adapters::metrics::global().turns_observed("slack") == timed + 1);
    // The thread's root, then the first question in the thread.
    json root = p[0].json();
    CHECK(p[0].header("authorization") == std::string("Bearer ") + bot_token);
    CHECK(p[0].header("content-type") == "application/json; charset=utf-8");
    CHECK(root["channel"] == "C1");
    CHECK_FALSE(root.contains("thread_ts"));
    CHECK(root["text"] ==
          "<@U1> started the advisor: *Python or Node.js for your backend?*\n"
          "The questions and the recommendation follow in this thread.");
    std::string thread = json::parse(p[0].response)["ts"];
    std::string key = "T1/C1/" + thread + "/U1";

    json first = p[1].json();
    CHECK(first["channel"] == "C1");
    CHECK(first["thread_ts"] == thread);
    CHECK(first["unfurl_links"] == false);
    auto now = s.current(key);
    REQUIRE(now);
    // The greeting and the first question (current() repeats only the question).
    std::string greeting = first["text"];
    CHECK(greeting.starts_with("Hi! I'm the stack advisor."));
    CHECK(greeting.ends_with("\n\nFirst, who is this decision for?"));
    const json& blocks = first["blocks"];
    CHECK(test::block_kit_problems(blocks).empty());
    CHECK(blocks[0] ==
          json({{"type", "section"},
                {"text", {{"type", "mrkdwn"}, {"text", greeting}, {"verbatim", true}}}}));
    CHECK(slack::to_mrkdwn(now->out.text) == "First, who is this decision for?");
    CHECK(blocks[1]["type"] == "context");
    CHECK(blocks[1]["elements"][0]["text"] ==
          "Step 1 of about " + std::to_string(now->out.progress.total));
    CHECK(blocks[1]["elements"][1]["text"] == "for <@U1>");
    CHECK(blocks[2]["type"] == "actions");
    CHECK(blocks[2]["block_id"] == "advisor:" + now->out.question + ":0");
    REQUIRE(blocks[2]["elements"].size() == now->out.options.size());
    for (std::size_t i = 0; i < now->out.options.size(); ++i) {
      const json& b = blocks[2]["elements"][i];
      CHECK(b["text"]["text"] == now->out.options[i].label);
      CHECK(json::parse(b["value"].get<std::string>()) == json({{"q", now->out.question},
                                                                {"o", now->out.options[i].id},
                                                                {"u", "U1"},
                                                                {"t", thread}}));
    }

    // Click the first button of every question, confirm at the review, until the card comes.
    std::optional<json> card;
    for (int turn = 0; turn < 30 && !card; ++turn) {
      auto before = posts(s.api);
      const auto& last = before.back();
      auto seq = s.current(key)->seq;
      json payload = click(last, "U1");
      std::string label = payload["actions"][0]["text"]["text"];
      CHECK(s.interaction(payload).status == 200);
      CHECK(s.current(key)->seq > seq);
      // The clicked message loses its buttons and shows the answer.
      auto u = updates(s.api);
      REQUIRE_FALSE(u.empty());
      json update = u.back().json();
      CHECK(update["ts"] == json::parse(last.response)["ts"]);
      CHECK(update["channel"] == "C1");
      CHECK_FALSE(has_actions(update["blocks"]));
      CHECK(update["blocks"].back()["elements"][0]["text"] ==
            "\xE2\x9C\x85 <@U1> chose *" + label + "*");
      CHECK(update["blocks"][0] == last.json()["blocks"][0]);
      // The next turn, in the thread.
      auto after = posts(s.api);
      REQUIRE(after.size() == before.size() + 1);
      json next = after.back().json();
      CHECK(next["thread_ts"] == thread);
      CHECK(test::block_kit_problems(next["blocks"]).empty());
      if (next["blocks"][0]["type"] == "header") card = next;
    }
    REQUIRE(card);
    auto done = s.current(key);
    REQUIRE(done);
    CHECK(done->out.finished);
    REQUIRE(done->out.recommendation);
    const auto& rec = *done->out.recommendation;
    const json& cb = (*card)["blocks"];
    CHECK((*card)["text"] ==
          "My recommendation: " + rec.choice_label + " (confidence " +
              std::to_string(static_cast<int>(std::lround(rec.confidence * 100))) + "%)");
    CHECK(cb[0]["text"]["text"] == "Recommendation: " + rec.choice_label);
    CHECK(cb[1]["fields"][0]["text"].get<std::string>().starts_with("*Confidence*\n"));
    CHECK(cb[1]["fields"][1]["text"].get<std::string>().starts_with("*Scores*\nNode.js: "));
    bool why = false, next_steps = false, sources = false;
    for (const auto& b : cb) {
      if (b["type"] != "section" || !b.contains("text")) continue;
      std::string t = b["text"]["text"];
      why |= t.starts_with("*Why*");
      sources |= t.find("_(Sources: ") != std::string::npos;
      next_steps |= t.starts_with("*Next steps*\n1. ");
    }
    CHECK(why);
    CHECK(sources);
    CHECK(next_steps);
    CHECK(cb.back()["type"] == "actions");  // why, decision record, start over

    // The summary went to the team's incoming webhook, without buttons.
    auto hook = s.api.calls_to("/webhook/T1/B1/secretpath");
    REQUIRE(hook.size() == 1);
    json summary = hook[0].json();
    CHECK(summary["text"] == (*card)["text"]);
    CHECK(summary["blocks"][0] == cb[0]);
    CHECK_FALSE(has_actions(summary["blocks"]));
    CHECK(summary["blocks"].back()["elements"][0]["text"] == "For <@U1> in <#C1>");
    CHECK(hook[0].header("authorization").empty());  // the bot token stays with the Web API

    // A follow-up button on the card works too: the decision record, in the thread.
    auto before = posts(s.api).size();
    s.interaction(click(posts(s.api).back(), "U1", "summary"));
    REQUIRE(posts(s.api).size() == before + 1);
    CHECK(posts(s.api).back().json()["blocks"][0]["type"] == "section");

    std::string written = logs.restore();
    CHECK(written.find(secret) == std::string::npos);
    CHECK(written.find(bot_token) == std::string::npos);
    CHECK(written.find("secretpath") == std::string::npos);
    CHECK(written.find("response-secret") == std::string::npos);
  }

  TEST_CASE(
      "/advisor with an opening sentence: quoted in the thread's root - and read for answers") {
    running s;
    auto ack = s.command("we are a startup & we build real-time chat");
    CHECK(ack.status == 200);
    auto p = posts(s.api);
    REQUIRE(p.size() == 2);
    CHECK(p[0].json()["text"] ==
          "<@U1> started the advisor: *Python or Node.js for your backend?*\n"
          ">we are a startup &amp; we build real-time chat\n"
          "The questions and the recommendation follow in this thread.");
    auto t = s.current("T1/C1/" + json::parse(p[0].response)["ts"].get<std::string>() + "/U1");
    REQUIRE(t);
    CHECK(t->out.question != "context");  // "startup" answered who is choosing
    CHECK(test::block_kit_problems(p[1].json()["blocks"]).empty());
  }

  TEST_CASE("a double click answers once") {
    running s;
    s.command("");
    auto question = posts(s.api).back();
    auto key = "T1/C1/" + json::parse(posts(s.api)[0].response)["ts"].get<std::string>() + "/U1";
    auto seq = s.current(key)->seq;
    double before = metric("advisor_slack_duplicates_total", {{"kind", "click"}});
    // Two clicks on the same message: two different requests (each its own action_ts).
    std::string first = test::form({{"payload", click(question, "U1", {}, 1).dump()}});
    std::string second = test::form({{"payload", click(question, "U1", {}, 2).dump()}});
    auto a = s.post("/slack/interactions", first, signed_for(first));
    auto b = s.post("/slack/interactions", second, signed_for(second));
    s.pool.drain();
    CHECK(a.status == 200);
    CHECK(b.status == 200);
    CHECK(s.current(key)->seq == seq + 1);
    CHECK(updates(s.api).size() == 1);
    CHECK(posts(s.api).size() == 3);  // root, first question, second question
    CHECK(metric("advisor_slack_duplicates_total", {{"kind", "click"}}) == before + 1);
  }

  TEST_CASE(
      "an answer in words moves on: the old buttons are retired and a late click on them is "
      "stale") {
    running s;
    s.command("");
    auto root = json::parse(posts(s.api)[0].response)["ts"].get<std::string>();
    auto key = "T1/C1/" + root + "/U1";
    auto old_question = posts(s.api).back();
    auto seq = s.current(key)->seq;
    s.event(
        envelope("EvWords", mention("an established company", "U1", "1700000007.000100", root)));
    CHECK(s.current(key)->seq > seq);
    CHECK(s.current(key)->out.question != "context");
    auto u = updates(s.api);
    REQUIRE(u.size() == 1);
    CHECK(u[0].json()["ts"] == json::parse(old_question.response)["ts"]);
    CHECK_FALSE(has_actions(u[0].json()["blocks"]));
    CHECK(u[0].json()["blocks"].back()["elements"][0]["text"] == "Answered in the thread.");
    CHECK(posts(s.api).back().json()["thread_ts"] == root);

    // A client that had not refreshed still shows the old buttons: the click changes nothing.
    seq = s.current(key)->seq;
    auto count = posts(s.api).size();
    s.interaction(click(old_question, "U1", "startup"));
    CHECK(s.current(key)->seq == seq);
    CHECK(posts(s.api).size() == count);
    // The stale notice in the words every channel uses (the core's presentation module).
    CHECK(updates(s.api).back().json()["blocks"].back()["elements"][0]["text"] ==
          "That button is out of date: its question was already answered, or the conversation "
          "started over, so nothing was changed.");
  }

  TEST_CASE(
      "two people in one thread have separate conversations: one cannot click the other's "
      "buttons") {
    running s;
    s.command("");
    auto root = json::parse(posts(s.api)[0].response)["ts"].get<std::string>();
    auto first_question = posts(s.api).back();
    auto seq = s.current("T1/C1/" + root + "/U1")->seq;

    s.interaction(click(first_question, "U2"));
    CHECK(s.current("T1/C1/" + root + "/U1")->seq == seq);
    CHECK_FALSE(s.current("T1/C1/" + root + "/U2"));
    auto e = s.api.calls_to("/api/chat.postEphemeral");
    REQUIRE(e.size() == 1);
    CHECK(e[0].json()["user"] == "U2");
    CHECK(e[0].json()["thread_ts"] == root);
    CHECK(updates(s.api).empty());

    // U2 asks in the same thread: their own conversation, their own buttons.
    s.event(envelope("EvU2", mention("", "U2", "1700000008.000100", root)));
    auto u2 = s.current("T1/C1/" + root + "/U2");
    REQUIRE(u2);
    json msg = posts(s.api).back().json();
    CHECK(msg["thread_ts"] == root);
    CHECK(msg["blocks"][1]["elements"][1]["text"] == "for <@U2>");
    CHECK(json::parse(msg["blocks"][2]["elements"][0]["value"].get<std::string>())["u"] == "U2");
    s.interaction(click(posts(s.api).back(), "U2"));
    CHECK(s.current("T1/C1/" + root + "/U2")->seq > u2->seq);
    CHECK(s.current("T1/C1/" + root + "/U1")->seq == seq);
  }

  TEST_CASE(
      "the same channel and user ids in two workspaces are two conversations - nothing crosses "
      "between them") {
    running s;
    auto in_team = [](json env, const std::string& team) {
      env["team_id"] = team;
      env["event"]["team"] = team;
      env["authorizations"][0]["team_id"] = team;
      return env;
    };
    s.event(envelope("EvTeam1", direct("hi", "U1", "1700000012.000100")));
    s.event(in_team(envelope("EvTeam2", direct("hi", "U1", "1700000012.000200")), "T2"));
    auto one = s.current("T1/D1//U1");
    auto two = s.current("T2/D1//U1");
    REQUIRE((one && two));
    CHECK(one->conversation != two->conversation);
    auto first_question = posts(s.api).front();  // T1's
    // T2's user answers in words: only T2's conversation moves.
    s.event(in_team(envelope("EvTeam2b", direct("a startup", "U1", "1700000012.000300")), "T2"));
    CHECK(s.current("T2/D1//U1")->seq > two->seq);
    CHECK(s.current("T1/D1//U1")->seq == one->seq);
    // T1's button clicked from workspace T2: T1's conversation does not move.
    json c = click(first_question, "U1");
    c["team"]["id"] = "T2";
    c["user"]["team_id"] = "T2";
    s.interaction(c);
    CHECK(s.current("T1/D1//U1")->seq == one->seq);
    CHECK(s.current("T1/D1//U1")->out.question == one->out.question);
  }

  TEST_CASE("a direct message conversation in words - without a thread") {
    running s;
    s.event(envelope("EvDm1", direct("hi", "U1", "1700000009.000100")));
    auto t = s.current("T1/D1//U1");
    REQUIRE(t);
    CHECK(t->out.question == "context");
    auto p = posts(s.api);
    REQUIRE(p.size() == 1);
    CHECK(p[0].json()["channel"] == "D1");
    CHECK_FALSE(p[0].json().contains("thread_ts"));
    s.event(envelope("EvDm2", direct("a startup", "U1", "1700000009.000200")));
    CHECK(s.current("T1/D1//U1")->out.question != "context");
    CHECK(posts(s.api).size() == 2);
    CHECK(updates(s.api).size() == 1);  // the first question's buttons retired
  }

  TEST_CASE("hostile text comes back inert: no link or mention of the user's in what is posted") {
    running s;
    // As Slack sends what a user typed: their links and mentions in <...>, a typed < as &lt;.
    const std::string hostile =
        "[click me](https://evil.example/x) <https://evil.example|y> <!channel> <@U999> "
        "&lt;!here&gt; &lt;@U123&gt; @everyone @channel ||spoiler|| *bold* _it_ ~strike~ `code`";
    // Every mrkdwn text and notification text posted holds no <...> but the advisor's own
    // mention of the user, no special mention and no bare link of the user's.
    auto check_posted = [](const json& body) {
      CAPTURE(body.dump());
      auto allowed = [](const std::vector<std::string>& live) {
        for (const auto& l : live)
          if (l != "<@U1>") return false;
        return true;
      };
      CHECK(allowed(test::slack_live(body.value("text", ""))));
      for (const auto& b : body.value("blocks", json::array())) {
        if (b.contains("text") && b["text"]["type"] == "mrkdwn") {
          CHECK(b["text"]["verbatim"] == true);
          CHECK(allowed(test::slack_live(b["text"]["text"].get<std::string>())));
        }
        for (const auto& e : b.value("elements", json::array()))
          if (e.value("type", "") == "mrkdwn")
            CHECK(allowed(test::slack_live(e["text"].get<std::string>())));
      }
    };
    // The opening sentence of /advisor, quoted in the thread's root.
    s.command(hostile + " we are a startup");  // "startup" answers the first question
    auto p = posts(s.api);
    REQUIRE(p.size() == 2);
    CHECK(p[0].json()["text"].get<std::string>().find("&lt;!here&gt;") != std::string::npos);
    for (const auto& c : p) check_posted(c.json());
    // A direct message that answers nothing: the re-prompt quotes it.
    s.event(envelope("EvHostile1", direct("hi", "U1", "1700000011.000100")));
    s.event(envelope("EvHostile2", direct(hostile, "U1", "1700000011.000200")));
    auto t = s.current("T1/D1//U1");
    REQUIRE(t);
    CHECK(t->out.question == "context");  // nothing answered
    p = posts(s.api);
    REQUIRE(p.size() == 4);
    std::string reprompt = p.back().json()["blocks"][0]["text"]["text"];
    CHECK(reprompt.find("Sorry, I couldn't match") != std::string::npos);
    CHECK(reprompt.find("&lt;!here&gt;") != std::string::npos);
    for (const auto& c : posts(s.api)) check_posted(c.json());
    for (const auto& c : updates(s.api)) check_posted(c.json());
  }

  TEST_CASE("a mention outside a thread opens a thread on it - with the opening sentence") {
    running s;
    s.event(envelope("EvOpen", mention("we are a startup building a real-time chat", "U1",
                                       "1700000010.000100")));
    auto t = s.current("T1/C1/1700000010.000100/U1");
    REQUIRE(t);
    CHECK(t->seq >= 1);
    CHECK(posts(s.api).back().json()["thread_ts"] == "1700000010.000100");
  }
}

TEST_SUITE("slack advisor serve") {
  TEST_CASE(
      "the advisor serve binary reads Slack's settings from the environment and runs a "
      "conversation") {
    test::fake_slack_api api;
    test::temp_dir dir;
    test::process p({ADVISOR_BINARY, "--data-dir", dir.file("data"), "serve", "--port", "0"},
                    {std::string("ADVISOR_SLACK_SIGNING_SECRET=") + secret,
                     std::string("ADVISOR_SLACK_BOT_TOKEN=") + bot_token,
                     "ADVISOR_SLACK_API_URL=" + api.url() + "/api",
                     "ADVISOR_SLACK_WEBHOOK_URL=" + api.url() + "/webhook/T1/B1/secretpath"});
    std::uint16_t port = 0;
    for (int i = 0; i < 20 && !port; ++i) {
      auto line = p.read_line(std::chrono::seconds(20));
      REQUIRE_MESSAGE(line.has_value(), "advisor serve did not say where it listens");
      if (line->starts_with("listening on http://"))
        port = static_cast<std::uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
    }
    REQUIRE(port != 0);

    std::string unsigned_body = envelope("EvBin0", mention("startup", "U1", "1.1")).dump();
    CHECK(http_post(port, "/slack/events", unsigned_body, {}, "application/json").status == 401);

    std::string body = test::form({{"team_id", "T1"},
                                   {"channel_id", "C1"},
                                   {"user_id", "U1"},
                                   {"command", "/advisor"},
                                   {"text", ""},
                                   {"trigger_id", "1.2.3"}});
    auto ack = http_post(port, "/slack/commands", body, signed_for(body));
    CHECK(ack.status == 200);
    CHECK(ack.json_body()["response_type"] == "ephemeral");
    REQUIRE(api.wait_for(2));  // the thread's root and the first question
    auto first = posts(api);
    REQUIRE(first.size() == 2);
    CHECK(first[1].header("authorization") == std::string("Bearer ") + bot_token);
    CHECK(has_actions(first[1].json()["blocks"]));

    std::string click_body = test::form({{"payload", click(first[1], "U1").dump()}});
    CHECK(http_post(port, "/slack/interactions", click_body, signed_for(click_body)).status == 200);
    REQUIRE(api.wait_for(4));  // the clicked question updated, the next question posted
    CHECK(updates(api).size() == 1);
    CHECK(posts(api).size() == 3);

    p.kill(SIGTERM);
    CHECK(p.wait() == 0);
    std::string logs = p.read_all_err();
    CHECK(logs.find("slack_enabled") != std::string::npos);
    CHECK(logs.find(secret) == std::string::npos);
    CHECK(logs.find(bot_token) == std::string::npos);
    CHECK(logs.find("secretpath") == std::string::npos);
  }
}
