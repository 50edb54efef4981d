// `advisor serve` as an operator runs and watches it: /metrics as Prometheus reads it (checked
// by promtool), typed JSON logs with a line for every refused Origin and signature and no
// secret in any, sd_notify readiness for systemd, and `cmake --install` giving a binary that
// runs on its installed files.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "process.hpp"
#include "support.hpp"

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using nlohmann::json;
using namespace advisor::test;

namespace {

constexpr const char* slack_secret = "slack-signing-secret-not-for-logs";
constexpr const char* slack_token = "xoxb-bot-token-not-for-logs";
constexpr const char* discord_token = "discord-bot-token-not-for-logs";
// RFC 8032, 7.1, test 1: a well-formed Ed25519 public key.
constexpr const char* discord_key =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const std::string slack_signature = "v0=" + std::string(64, 'e');
const std::string discord_signature = std::string(126, 'f') + "0f";

std::uint16_t listening_port(process& p) {
  for (int i = 0; i < 20; ++i) {
    auto line = p.read_line(std::chrono::seconds(30));
    if (!line) break;
    std::smatch m;
    if (std::regex_search(*line, m, std::regex(R"(listening on http://127\.0\.0\.1:(\d+))")))
      return static_cast<std::uint16_t>(std::stoi(m[1]));
  }
  FAIL("advisor serve did not say where it listens");
  return 0;
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

http::response<http::string_body> request(std::uint16_t port, http::verb verb,
                                          const std::string& target,
                                          std::vector<std::pair<std::string, std::string>> headers,
                                          const std::string& body = {}) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect({net::ip::make_address("127.0.0.1"), port});
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return res;
}

std::string metrics_text(std::uint16_t port) {
  auto res = request(port, http::verb::get, "/metrics", {});
  REQUIRE(res.result_int() == 200);
  return res.body();
}

// The value of one series in Prometheus text, or -1 when it is not there.
double series(const std::string& text, const std::string& name_and_labels) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with(name_and_labels + " ")) return std::stod(line.substr(line.rfind(' ') + 1));
  return -1;
}

// promtool's verdict on a metrics page: its exit status and what it printed.
std::pair<int, std::string> promtool_check(const std::string& text) {
  process p({ADVISOR_PROMTOOL, "check", "metrics"});
  p.write(text);
  p.close_stdin();
  std::string out = p.read_all() + p.read_all_err();
  return {p.wait(), out};
}

std::vector<json> json_lines(const std::string& text) {
  std::vector<json> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    auto j = json::parse(line, nullptr, false);
    CHECK(j.is_object());  // every stderr line of `serve` is one JSON object
    if (j.is_object()) out.push_back(j);
  }
  return out;
}

const json* find_event(const std::vector<json>& logs, const std::string& event) {
  for (const auto& j : logs)
    if (j.value("event", "") == event) return &j;
  return nullptr;
}

}  // namespace

TEST_SUITE("operations") {
  TEST_CASE(
      "/metrics passes promtool - with every channel's series from the start - process_* and "
      "build info - logs are typed JSON - refusals are logged - secrets never") {
    temp_dir dir;
    std::ofstream(dir.file("advisor.json")) << R"({"allowed_origins": ["https://ok.example"]})";
    process p({ADVISOR_BINARY, "serve", "--port", "0", "--config", dir.file("advisor.json"),
               "--data-dir", dir.file("data")},
              {std::string("ADVISOR_SLACK_SIGNING_SECRET=") + slack_secret,
               std::string("ADVISOR_SLACK_BOT_TOKEN=") + slack_token,
               "ADVISOR_SLACK_API_URL=http://127.0.0.1:9/api",
               std::string("ADVISOR_DISCORD_PUBLIC_KEY=") + discord_key,
               std::string("ADVISOR_DISCORD_BOT_TOKEN=") + discord_token,
               "ADVISOR_DISCORD_API_URL=http://127.0.0.1:9/api"});
    std::uint16_t port = listening_port(p);

    // Before any turn: every channel has its counter and histogram, at zero.
    std::string fresh = metrics_text(port);
    for (const char* channel : {"web", "slack", "discord", "terminal"}) {
      std::string c = std::string("{channel=\"") + channel + "\"";
      CHECK_MESSAGE(series(fresh, "advisor_turns_total" + c + "}") == 0, channel);
      CHECK_MESSAGE(series(fresh, "advisor_turn_seconds_count" + c + "}") == 0, channel);
      CHECK_MESSAGE(series(fresh, "advisor_turn_seconds_bucket" + c + ",le=\"0.0005\"}") == 0,
                    channel);
      CHECK_MESSAGE(series(fresh, "advisor_turn_seconds_bucket" + c + ",le=\"+Inf\"}") == 0,
                    channel);
    }
    auto [fresh_code, fresh_lint] = promtool_check(fresh);
    CHECK_MESSAGE(fresh_code == 0, fresh_lint);
    CHECK_MESSAGE(fresh_lint.empty(), fresh_lint);

    // A conversation over the WebSocket, from an allowed page.
    {
      net::io_context ioc;
      websocket::stream<tcp::socket> ws(ioc);
      ws.next_layer().connect({net::ip::make_address("127.0.0.1"), port});
      ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
        req.set(http::field::origin, "https://ok.example");
      }));
      ws.handshake("127.0.0.1:" + std::to_string(port), "/ws");
      ws.write(net::buffer(std::string(R"({"type":"start"})")));
      for (int frames = 0; frames < 2; ++frames) {  // the session, then the first question
        beast::flat_buffer buffer;
        ws.read(buffer);
      }
      ws.write(net::buffer(std::string(R"({"type":"choose","option":"enterprise"})")));
      beast::flat_buffer buffer;
      ws.read(buffer);
      CHECK(json::parse(beast::buffers_to_string(buffer.data()))["question"] == "enterprise_focus");
      ws.close(websocket::close_code::normal);
    }

    // Refused: a page from elsewhere, a mis-signed Slack request, a mis-signed Discord one.
    auto origin = request(port, http::verb::get, "/ws",
                          {{"Connection", "Upgrade"},
                           {"Upgrade", "websocket"},
                           {"Sec-WebSocket-Version", "13"},
                           {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                           {"Origin", "https://evil.example"}});
    CHECK(origin.result_int() == 403);
    auto slack = request(port, http::verb::post, "/slack/commands",
                         {{"Content-Type", "application/x-www-form-urlencoded"},
                          {"X-Slack-Request-Timestamp", std::to_string(now_seconds())},
                          {"X-Slack-Signature", slack_signature}},
                         "team_id=T1&channel_id=C1&user_id=U1&text=hello");
    CHECK(slack.result_int() == 401);
    auto discord = request(port, http::verb::post, "/discord/interactions",
                           {{"Content-Type", "application/json"},
                            {"X-Signature-Ed25519", discord_signature},
                            {"X-Signature-Timestamp", std::to_string(now_seconds())}},
                           R"({"type":1})");
    CHECK(discord.result_int() == 401);

    std::string text = metrics_text(port);
    CHECK(series(text, "advisor_turns_total{channel=\"web\"}") == 2);
    CHECK(series(text, "advisor_turn_seconds_count{channel=\"web\"}") == 2);
    CHECK(series(text, "advisor_turn_seconds_bucket{channel=\"web\",le=\"+Inf\"}") == 2);
    CHECK(series(text, "advisor_turn_seconds_sum{channel=\"web\"}") > 0);
    CHECK(series(text, "advisor_turn_seconds_count{channel=\"slack\"}") == 0);
    CHECK(series(text, "advisor_origins_refused_total") == 1);
    // Bucket bounds as people write them: 0.0005, 0.1, 1, 2.5.
    std::vector<std::string> bounds;
    std::regex le(R"re(advisor_turn_seconds_bucket\{channel="web",le="([^"]+)"\})re");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), le); it != std::sregex_iterator();
         ++it)
      bounds.push_back((*it)[1]);
    CHECK(bounds == std::vector<std::string>{"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025",
                                             "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"});
    // The process and the build.
    CHECK(series(text, "process_cpu_seconds_total") >= 0);
    CHECK(series(text, "process_resident_memory_bytes") > 0);
    CHECK(series(text, "process_virtual_memory_bytes") > 0);
    CHECK(series(text, "process_open_fds") > 2);
    CHECK(series(text, "process_max_fds") > 0);
    CHECK(series(text, "process_start_time_seconds") > 1.6e9);
    CHECK(std::regex_search(text, std::regex(std::string(R"(\nadvisor_build_info\{version=")") +
                                             ADVISOR_VERSION + R"(",compiler="[^"]+"\} 1\n)")));
    auto [code, lint] = promtool_check(text);
    CHECK_MESSAGE(code == 0, lint);
    CHECK_MESSAGE(lint.empty(), lint);

    p.kill(SIGTERM);
    CHECK(p.wait() == 0);
    std::string err = p.read_all_err(std::chrono::seconds(5));
    auto logs = json_lines(err);

    const json* listening = find_event(logs, "listening");
    REQUIRE(listening);
    CHECK((*listening)["port"].is_number_unsigned());
    CHECK((*listening)["port"] == port);
    const json* stopped = find_event(logs, "writer_stopped");
    REQUIRE(stopped);
    CHECK((*stopped)["turns"].is_number());
    const json* refused_origin = find_event(logs, "origin_refused");
    REQUIRE(refused_origin);
    CHECK((*refused_origin)["origin"] == "https://evil.example");
    CHECK((*refused_origin)["remote"] == "127.0.0.1");
    CHECK((*refused_origin)["level"] == "warn");
    const json* refused_slack = find_event(logs, "slack_request_rejected");
    REQUIRE(refused_slack);
    CHECK((*refused_slack)["route"] == "commands");
    const json* refused_discord = find_event(logs, "discord_bad_signature");
    REQUIRE(refused_discord);
    for (const std::string& secret :
         {std::string(slack_secret), std::string(slack_token), std::string(discord_token),
          slack_signature.substr(3), discord_signature})
      CHECK_MESSAGE(err.find(secret) == std::string::npos, secret);
  }

  TEST_CASE("sd_notify: READY=1 once the port listens - STOPPING=1 when it stops") {
    temp_dir dir;
    std::string path = dir.file("notify.sock");
    int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    REQUIRE(path.size() < sizeof addr.sun_path);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    auto receive = [fd]() -> std::string {
      pollfd pfd{fd, POLLIN, 0};
      if (::poll(&pfd, 1, 60000) <= 0) return {};  // a bound, not a timed assertion
      char buf[4096];
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string{};
    };

    process p({ADVISOR_BINARY, "serve", "--port", "0", "--data-dir", dir.file("data")},
              {"NOTIFY_SOCKET=" + path});
    std::string ready = receive();
    INFO(ready);
    CHECK(ready.find("READY=1") != std::string::npos);
    std::smatch m;
    REQUIRE(std::regex_search(ready, m, std::regex(R"(STATUS=listening on 127\.0\.0\.1:(\d+))")));
    auto port = static_cast<std::uint16_t>(std::stoi(m[1]));
    // Ready means ready: the port answers at once.
    CHECK(request(port, http::verb::get, "/healthz", {}).result_int() == 200);
    CHECK(listening_port(p) == port);
    p.kill(SIGTERM);
    CHECK(receive().find("STOPPING=1") != std::string::npos);
    CHECK(p.wait() == 0);
    ::close(fd);
  }

  TEST_CASE(
      "cmake --install: the installed advisor runs on its installed framework and knowledge") {
    temp_dir dir;
    std::string prefix = dir.file("prefix");
    process install({ADVISOR_CMAKE, "--install", ADVISOR_BUILD_DIR, "--prefix", prefix});
    std::string said = install.read_all();
    REQUIRE_MESSAGE(install.wait() == 0, said);
    namespace fs = std::filesystem;
    for (const char* file :
         {"bin/advisor", "share/advisor/config/framework.json",
          "share/advisor/config/knowledge.json", "share/advisor/config/frameworks/python-web.json",
          "share/advisor/advisor.example.json", "share/advisor/slack-manifest.json",
          "lib/systemd/system/advisor.service"})
      CHECK_MESSAGE(fs::exists(fs::path(prefix) / file), file);

    // A fact added to the installed knowledge is found: the binary reads its installed files,
    // not the source tree it was built from.
    std::string kb_file = prefix + "/share/advisor/config/knowledge.json";
    json kb = json::parse(advisor::bot::read_file(kb_file));
    json fact = kb["facts"][0];
    fact["id"] = "installed-marker";
    fact["claim"] = "Quokkas appear only in the installed copy of the knowledge.";
    kb["facts"].push_back(fact);
    std::ofstream(kb_file) << kb.dump(2);
    process search({prefix + "/bin/advisor", "knowledge", "search", "quokkas", "--json",
                    "--data-dir", dir.file("data"), "--config",
                    prefix + "/share/advisor/advisor.example.json"});
    std::string found = search.read_all();
    CHECK(search.wait() == 0);
    CHECK(found.find("installed-marker") != std::string::npos);
  }
  TEST_CASE("the Slack manifest asks for chat:write.public and an incoming webhook") {
    json manifest = json::parse(advisor::bot::read_file(source_path("config/slack-manifest.json")));
    json scopes = manifest["oauth_config"]["scopes"]["bot"];
    for (const char* scope : {"chat:write", "chat:write.public", "commands", "app_mentions:read",
                              "im:history", "incoming-webhook"})
      CHECK_MESSAGE(std::find(scopes.begin(), scopes.end(), scope) != scopes.end(), scope);
    CHECK(manifest["settings"]["incoming_webhooks"]["incoming_webhooks_enabled"] == true);
    // Its request URLs are the routes advisor serve adds.
    CHECK(manifest["features"]["slash_commands"][0]["url"].get<std::string>().ends_with(
        "/slack/commands"));
    CHECK(manifest["settings"]["event_subscriptions"]["request_url"].get<std::string>().ends_with(
        "/slack/events"));
    CHECK(manifest["settings"]["interactivity"]["request_url"].get<std::string>().ends_with(
        "/slack/interactions"));
  }

  TEST_CASE("docs/slack.md's local development recipe: a request signed by hand is answered") {
    // The shell block under "sign a request yourself", run as written against a server on a
    // free port (the only change: 8080 becomes that port).
    std::istringstream doc(advisor::bot::read_file(source_path("docs/slack.md")));
    std::string script, line;
    bool after = false, in_block = false;
    while (std::getline(doc, line)) {
      if (line.find("sign a request yourself") != std::string::npos) after = true;
      std::string code = line.substr(std::min(line.find_first_not_of(' '), line.size()));
      if (after && !in_block && code == "```sh") {
        in_block = true;
      } else if (in_block && code == "```") {
        break;
      } else if (in_block) {
        script += code + "\n";
      }
    }
    REQUIRE(script.find("openssl dgst -sha256 -hmac") != std::string::npos);
    std::smatch secret;
    REQUIRE(std::regex_search(script, secret, std::regex(R"(secret=(\S+))")));

    temp_dir dir;
    process p(
        {ADVISOR_BINARY, "serve", "--port", "0", "--data-dir", dir.file("data")},
        {"ADVISOR_SLACK_SIGNING_SECRET=" + secret[1].str(), "ADVISOR_SLACK_BOT_TOKEN=xoxb-local",
         "ADVISOR_SLACK_API_URL=http://127.0.0.1:9/api"});
    std::uint16_t port = listening_port(p);
    script = std::regex_replace(script, std::regex(":8080/"), ":" + std::to_string(port) + "/");
    process sh({ADVISOR_BASH, "-c", script});
    std::string answer = sh.read_all();
    CHECK(sh.wait() == 0);
    INFO(answer);
    json reply = json::parse(answer, nullptr, false);
    REQUIRE(reply.is_object());
    CHECK(reply["response_type"] == "ephemeral");
    CHECK(reply["text"].get<std::string>().find("/advisor") != std::string::npos);
    p.kill(SIGTERM);
    CHECK(p.wait() == 0);
  }
}
