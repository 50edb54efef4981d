// The Slack adapter's request handling. An input is a sequence of requests, one a line; a
// line's first character picks the route and the rest is the body:
//   c  POST /slack/commands       (form: team_id, channel_id, user_id, text, ...)
//   e  POST /slack/events         (JSON: url_verification, event_callback, ...)
//   i  POST /slack/interactions   (form with payload=<JSON>)
// and every body also goes to the form decoder (adapters/slack/form.hpp) directly. Each request
// carries a valid signature over its body (HMAC-SHA256 with OpenSSL, in
// tests/request_signing.hpp, not the adapter's code), so what gets fuzzed is what lies behind
// the signature check. Every input starts on an empty session store, and each request's queued
// turns run before the next request. The Slack Web API is a loopback port that refuses
// connections (see common.hpp); a worker job that throws fails the run.
#include <nlohmann/json.hpp>

#include "adapters/slack/form.hpp"
#include "adapters/slack/slack.hpp"
#include "common.hpp"
#include "request_signing.hpp"

using nlohmann::json;
using namespace advisor;

namespace {

constexpr std::size_t max_requests = 24;
constexpr const char* secret = "8f742231b10e8888abcd99yyyzzz85a5";
constexpr std::int64_t start_time = 1700000000;

void check_response(const adapters::http_response& r, std::string_view body) {
  if (r.status == 401) fuzz::fail("a correctly signed request was refused", r.body);
  if (r.status != 200 && r.status != 400)
    fuzz::fail("unexpected HTTP status", std::to_string(r.status) + " for " + std::string(body));
  if (r.content_type == "application/json" && json::parse(r.body, nullptr, false).is_discarded())
    fuzz::fail("a JSON response is not JSON", r.body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bot::slack_config cfg = [] {
    fuzz::fixture::get();
    bot::slack_config c;
    c.signing_secret = secret;
    c.bot_token = "xoxb-fuzz";
    c.api_url = fuzz::dead_end_url() + "/api";
    c.webhook_url = fuzz::dead_end_url() + "/webhook";
    return c;
  }();

  std::int64_t now = start_time;
  slack::options opts;
  opts.now = [&now] { return now; };
  opts.retry = fuzz::one_attempt;
  fuzz::fresh_service fresh;
  slack::adapter adapter(cfg, fresh.service(), fuzz::worker_pool(), opts);

  for (std::string_view line : fuzz::split(fuzz::as_text(data, size), '\n', max_requests)) {
    ++now;  // a new timestamp, so that a repeated body is not a replay
    if (line.empty()) continue;
    std::string_view body = line.substr(1);
    slack::parse_form(body);
    slack::form_decode(body);
    adapters::http_response (slack::adapter::*route)(const adapters::http_request&) = nullptr;
    adapters::http_request req;
    req.method = "POST";
    req.headers["content-type"] = "application/x-www-form-urlencoded";
    switch (line.front()) {
      case 'c':
        req.path = "/slack/commands";
        route = &slack::adapter::on_command;
        break;
      case 'e':
        req.path = "/slack/events";
        req.headers["content-type"] = "application/json";
        route = &slack::adapter::on_event;
        break;
      case 'i':
        req.path = "/slack/interactions";
        route = &slack::adapter::on_interaction;
        break;
      default:
        continue;
    }
    req.body = std::string(body);
    req.remote = "127.0.0.1";
    std::string ts = std::to_string(now);
    req.headers["x-slack-request-timestamp"] = ts;
    req.headers["x-slack-signature"] = test::slack_signature(secret, ts, body);
    check_response((adapter.*route)(req), body);
    fuzz::worker_pool().drain();
  }
  return 0;
}
