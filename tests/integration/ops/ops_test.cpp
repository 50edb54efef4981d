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
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "fake_chat_api.hpp"
#include "process.hpp"
#include "request_signing.hpp"
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
const std::string bad_slack_signature = "v0=" + std::string(64, 'e');
const std::string bad_discord_signature = std::string(126, 'f') + "0f";

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

// The first fenced block opened by `fence` (e.g. "```sh") after the line containing `marker`
// in a Markdown file, each line with its indentation removed.
std::string code_block(const std::string& markdown_file, const std::string& marker,
                       const std::string& fence) {
  std::istringstream doc(advisor::bot::read_file(markdown_file));
  std::string block, line;
  bool after = false, in_block = false;
  while (std::getline(doc, line)) {
    if (line.find(marker) != std::string::npos) after = true;
    std::string code = line.substr(std::min(line.find_first_not_of(' '), line.size()));
    if (after && !in_block && code == fence) {
      in_block = true;
    } else if (in_block && code == "```") {
      return block;
    } else if (in_block) {
      block += code + "\n";
    }
  }
  return block;
}

// A datagram socket standing in for systemd's NOTIFY_SOCKET.
class notify_socket {
 public:
  explicit notify_socket(std::string path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    REQUIRE(path_.size() < sizeof addr.sun_path);
    std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~notify_socket() { ::close(fd_); }
  notify_socket(const notify_socket&) = delete;
  notify_socket& operator=(const notify_socket&) = delete;

  std::string env() const { return "NOTIFY_SOCKET=" + path_; }
  // The next message, or "" after a minute (a bound, not a timed assertion).
  std::string receive() const {
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, 60000) <= 0) return {};
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string{};
  }

 private:
  std::string path_;
  int fd_ = -1;
};

// A loopback port nothing listens on now (the kernel's pick, released at once).
std::uint16_t free_port() {
  net::io_context ioc;
  tcp::acceptor a(ioc, {net::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

// The port in a READY=1 message's "STATUS=listening on 127.0.0.1:PORT", or 0.
std::uint16_t ready_port(const std::string& message) {
  std::smatch m;
  if (message.find("READY=1") == std::string::npos ||
      !std::regex_search(message, m, std::regex(R"(STATUS=listening on 127\.0\.0\.1:(\d+))")))
    return 0;
  return static_cast<std::uint16_t>(std::stoi(m[1]));
}

// The next frame a WebSocket (plain, or through TLS) sends, parsed.
template <class Stream>
json next_frame(websocket::stream<Stream>& ws) {
  beast::flat_buffer buffer;
  ws.read(buffer);
  return json::parse(beast::buffers_to_string(buffer.data()));
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
    // So has every other series an alert may watch: each outcome of each framework (the
    // default one's and python-web's), the connections, and the refusals and errors by kind.
    CHECK(series(fresh, "advisor_conversations_completed_total") == 0);
    for (const char* choice : {"python", "nodejs", "hybrid", "django", "flask"})
      CHECK_MESSAGE(series(fresh, std::string("advisor_recommendations_total{choice=\"") + choice +
                                      "\"}") == 0,
                    choice);
    CHECK(series(fresh, "advisor_connections") == 0);
    CHECK(series(fresh, "advisor_origins_refused_total") == 0);
    CHECK(series(fresh, "advisor_connections_refused_total{reason=\"total\"}") == 0);
    CHECK(series(fresh, "advisor_connections_refused_total{reason=\"per_ip\"}") == 0);
    for (const char* code : {"rate_limited", "too_large", "slow_reader"})
      CHECK_MESSAGE(series(fresh, std::string("advisor_errors_total{code=\"") + code + "\"}") == 0,
                    code);
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
                          {"X-Slack-Signature", bad_slack_signature}},
                         "team_id=T1&channel_id=C1&user_id=U1&text=hello");
    CHECK(slack.result_int() == 401);
    auto discord = request(port, http::verb::post, "/discord/interactions",
                           {{"Content-Type", "application/json"},
                            {"X-Signature-Ed25519", bad_discord_signature},
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
          bad_slack_signature.substr(3), bad_discord_signature})
      CHECK_MESSAGE(err.find(secret) == std::string::npos, secret);
  }

  TEST_CASE(
      "a Slack turn and a Discord turn through the running server count in their own "
      "channel's series - a web conversation to its recommendation counts as completed - and "
      "/metrics still passes promtool") {
    temp_dir dir;
    ed25519_key discord_signer;  // RFC 8032, 7.1, test 1: discord_key is its public half
    REQUIRE(discord_signer.public_hex() == discord_key);
    // Slack's Web API, for the thread's root and the first question.
    fake_slack_api slack_api;
    process p({ADVISOR_BINARY, "serve", "--port", "0", "--data-dir", dir.file("data")},
              {std::string("ADVISOR_SLACK_SIGNING_SECRET=") + slack_secret,
               std::string("ADVISOR_SLACK_BOT_TOKEN=") + slack_token,
               "ADVISOR_SLACK_API_URL=" + slack_api.url() + "/api",
               std::string("ADVISOR_DISCORD_PUBLIC_KEY=") + discord_key,
               std::string("ADVISOR_DISCORD_BOT_TOKEN=") + discord_token,
               "ADVISOR_DISCORD_API_URL=http://127.0.0.1:9/api"});
    std::uint16_t port = listening_port(p);

    // /advisor in Slack, signed as Slack signs: acknowledged at once, the turn runs on a worker.
    std::string slack_body = form({{"team_id", "T1"},
                                   {"channel_id", "C1"},
                                   {"user_id", "U1"},
                                   {"command", "/advisor"},
                                   {"text", ""},
                                   {"trigger_id", "1.2.3"}});
    std::string ts = std::to_string(now_seconds());
    auto slack = request(port, http::verb::post, "/slack/commands",
                         {{"Content-Type", "application/x-www-form-urlencoded"},
                          {"X-Slack-Request-Timestamp", ts},
                          {"X-Slack-Signature", slack_signature(slack_secret, ts, slack_body)}},
                         slack_body);
    CHECK(slack.result_int() == 200);

    // /advisor in Discord, signed with Ed25519: answered inline with the first question.
    json command = {{"id", "2000000000000000001"},
                    {"application_id", "1000000000000000001"},
                    {"type", 2},
                    {"token", "interaction-token-1"},
                    {"version", 1},
                    {"channel_id", "C1"},
                    {"guild_id", "G1"},
                    {"member", {{"user", {{"id", "U1"}, {"username", "ann"}}}}},
                    {"data", {{"id", "1100000000000000001"}, {"name", "advisor"}, {"type", 1}}}};
    std::string body = command.dump();
    ts = std::to_string(now_seconds());
    auto discord = request(port, http::verb::post, "/discord/interactions",
                           {{"Content-Type", "application/json"},
                            {"X-Signature-Ed25519", discord_signer.sign(ts + body)},
                            {"X-Signature-Timestamp", ts}},
                           body);
    CHECK(discord.result_int() == 200);
    CHECK(json::parse(discord.body())["type"] == 4);

    // The Slack turn ends on its worker after the acknowledgement: the thread's root and the
    // first question are posted once it has.
    REQUIRE(slack_api.wait_for(2));
    std::string text = metrics_text(port);
    // No conversation has ended yet.
    CHECK(series(text, "advisor_conversations_completed_total") == 0);
    for (std::string channel : {"slack", "discord"}) {
      INFO(channel);
      std::string c = std::string("{channel=\"") + channel + "\"";
      CHECK(series(text, "advisor_turns_total" + c + "}") == 1);
      CHECK(series(text, "advisor_turn_seconds_count" + c + "}") == 1);
      CHECK(series(text, "advisor_turn_seconds_bucket" + c + ",le=\"+Inf\"}") == 1);
      CHECK(series(text, "advisor_turn_seconds_sum" + c + "}") > 0);
    }
    // And in no other channel's.
    for (std::string channel : {"web", "terminal"}) {
      INFO(channel);
      std::string c = std::string("{channel=\"") + channel + "\"";
      CHECK(series(text, "advisor_turns_total" + c + "}") == 0);
      CHECK(series(text, "advisor_turn_seconds_count" + c + "}") == 0);
    }

    // A whole conversation in the widget's protocol, one button after another.
    std::string choice;
    int web_turns = 0;
    {
      net::io_context ioc;
      websocket::stream<tcp::socket> ws(ioc);
      ws.next_layer().connect({net::ip::make_address("127.0.0.1"), port});
      ws.handshake("127.0.0.1:" + std::to_string(port), "/ws");
      auto next = [&ws] { return next_frame(ws); };
      ws.write(net::buffer(std::string(R"({"type":"start"})")));
      CHECK(next()["type"] == "session");
      json reply = next();
      ++web_turns;
      for (int turn = 0; turn < 40 && !reply.value("finished", false); ++turn) {
        REQUIRE(reply["type"] == "reply");
        std::string pick;
        for (const auto& o : reply["options"])
          if (o["id"] == "confirm" || (pick.empty() && o["id"] != "not_sure")) pick = o["id"];
        REQUIRE_MESSAGE(!pick.empty(), reply.dump());
        ws.write(net::buffer(
            json({{"type", "choose"}, {"option", pick}, {"question", reply["question"]}}).dump()));
        reply = next();
        ++web_turns;
      }
      REQUIRE(reply.value("finished", false));
      choice = reply["recommendation"]["choice"];
      ws.close(websocket::close_code::normal);
    }
    text = metrics_text(port);
    CHECK(series(text, "advisor_turns_total{channel=\"web\"}") == web_turns);
    CHECK(series(text, "advisor_turn_seconds_count{channel=\"web\"}") == web_turns);
    CHECK(series(text, "advisor_conversations_completed_total") == 1);
    CHECK(series(text, "advisor_recommendations_total{choice=\"" + choice + "\"}") == 1);
    auto [code, lint] = promtool_check(text);
    CHECK_MESSAGE(code == 0, lint);
    CHECK_MESSAGE(lint.empty(), lint);
    p.kill(SIGTERM);
    CHECK(p.wait() == 0);
  }

  TEST_CASE(
      "a Slack /advisor whose thread cannot be posted still counts as a turn - in "
      "advisor_turns_total and advisor_turn_seconds alike") {
    temp_dir dir;
    fake_slack_api slack_api;
    process p({ADVISOR_BINARY, "serve", "--port", "0", "--data-dir", dir.file("data")},
              {std::string("ADVISOR_SLACK_SIGNING_SECRET=") + slack_secret,
               std::string("ADVISOR_SLACK_BOT_TOKEN=") + slack_token,
               "ADVISOR_SLACK_API_URL=" + slack_api.url() + "/api"});
    std::uint16_t port = listening_port(p);

    // The bot is not in the channel: Slack refuses the thread's root, and the user is told
    // through the command's response_url instead.
    slack_api.respond_next({200, R"({"ok":false,"error":"not_in_channel"})", {}});
    std::string body = form({{"team_id", "T1"},
                             {"channel_id", "C1"},
                             {"user_id", "U1"},
                             {"command", "/advisor"},
                             {"text", ""},
                             {"trigger_id", "1.2.3"},
                             {"response_url", slack_api.url() + "/commands/T1/1/response-secret"}});
    std::string ts = std::to_string(now_seconds());
    auto ack = request(port, http::verb::post, "/slack/commands",
                       {{"Content-Type", "application/x-www-form-urlencoded"},
                        {"X-Slack-Request-Timestamp", ts},
                        {"X-Slack-Signature", slack_signature(slack_secret, ts, body)}},
                       body);
    CHECK(ack.result_int() == 200);
    REQUIRE(slack_api.wait_for(2));  // the refused root, then the private word
    auto told = slack_api.calls_to("/commands/T1/1/response-secret");
    REQUIRE(told.size() == 1);
    CHECK(told[0].json()["text"].get<std::string>().find("/invite @Advisor") != std::string::npos);

    // Answered, though not as planned: one Slack turn, the same in both series (counted when
    // the turn was done, before the private word was sent).
    std::string text = metrics_text(port);
    CHECK(series(text, "advisor_turns_total{channel=\"slack\"}") == 1);
    CHECK(series(text, "advisor_turn_seconds_count{channel=\"slack\"}") == 1);
    for (std::string channel : {"web", "discord", "terminal"})
      CHECK_MESSAGE(series(text, "advisor_turns_total{channel=\"" + channel + "\"}") == 0, channel);
    auto [code, lint] = promtool_check(text);
    CHECK_MESSAGE(code == 0, lint);
    CHECK_MESSAGE(lint.empty(), lint);
    p.kill(SIGTERM);
    CHECK(p.wait() == 0);
  }

  TEST_CASE("sd_notify: READY=1 once the port listens - STOPPING=1 when it stops") {
    temp_dir dir;
    notify_socket systemd(dir.file("notify.sock"));
    process p({ADVISOR_BINARY, "serve", "--port", "0", "--data-dir", dir.file("data")},
              {systemd.env()});
    std::string ready = systemd.receive();
    INFO(ready);
    std::uint16_t port = ready_port(ready);
    REQUIRE(port != 0);
    // Ready means ready: the port answers at once.
    CHECK(request(port, http::verb::get, "/healthz", {}).result_int() == 200);
    CHECK(listening_port(p) == port);
    p.kill(SIGTERM);
    CHECK(systemd.receive().find("STOPPING=1") != std::string::npos);
    CHECK(p.wait() == 0);
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
  TEST_CASE(
      "docs/operations.md's install steps create the config file the unit's ExecStart reads - "
      "and that command line starts a server that says it is ready") {
    namespace fs = std::filesystem;
    temp_dir dir;
    // The filesystem of a fresh machine, under a directory: /usr/local from cmake --install,
    // /etc and /var/lib empty.
    std::string root = dir.file("root");
    std::string prefix = root + "/usr/local";
    process install({ADVISOR_CMAKE, "--install", ADVISOR_BUILD_DIR, "--prefix", prefix});
    std::string said = install.read_all();
    REQUIRE_MESSAGE(install.wait() == 0, said);
    auto rooted = [&](std::string text) {
      for (const char* path : {"/usr/local/", "/etc/advisor", "/var/lib/advisor"})
        text = std::regex_replace(text, std::regex(std::string("(^|[\\s=])") + path),
                                  "$1" + root + path);
      return text;
    };

    // The steps as written, as root, with every path under that directory. Left out: the
    // editor (sudoedit) and systemctl, which need a person and a running systemd.
    std::istringstream steps(code_block(source_path("docs/operations.md"),
                                        "Then create the configuration file", "```sh"));
    std::string script = "set -e\n", line;
    int installs = 0;
    while (std::getline(steps, line)) {
      if (line.starts_with("sudoedit ") || line.find("systemctl ") != std::string::npos) continue;
      if (line.starts_with("sudo ")) line = line.substr(5);
      installs += line.starts_with("install ");
      script += rooted(line) + "\n";
    }
    CHECK(installs == 3);
    process sh({ADVISOR_BASH, "-c", script});
    std::string out = sh.read_all() + sh.read_all_err();
    REQUIRE_MESSAGE(sh.wait() == 0, (script + out));

    // The files the unit needs, readable by whom they must be.
    std::string config = root + "/etc/advisor/advisor.json";
    REQUIRE(fs::exists(config));
    CHECK((fs::status(config).permissions() & fs::perms::others_read) != fs::perms::none);
    CHECK((fs::status(root + "/etc/advisor").permissions() & fs::perms::others_exec) !=
          fs::perms::none);
    REQUIRE(fs::exists(root + "/etc/advisor/env"));
    CHECK((fs::status(root + "/etc/advisor/env").permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write));

    // The unit's ExecStart and Environment, as systemd would run them (the state directory
    // made as StateDirectory= makes it). One change: ADVISOR_PORT=0, a free port instead of
    // the example's 8080.
    std::istringstream unit(advisor::bot::read_file(source_path("config/advisor.service")));
    std::vector<std::string> argv, env;
    while (std::getline(unit, line)) {
      if (line.starts_with("ExecStart=")) {
        std::istringstream words(rooted(line.substr(10)));
        for (std::string w; words >> w;) argv.push_back(w);
      } else if (line.starts_with("Environment=")) {
        env.push_back(rooted(line.substr(12)));
      }
    }
    REQUIRE(argv.size() >= 2);
    CHECK(argv[0] == prefix + "/bin/advisor");
    CHECK(std::find(argv.begin(), argv.end(), config) != argv.end());
    CHECK(env == std::vector<std::string>{"ADVISOR_DATA_DIR=" + root + "/var/lib/advisor"});
    fs::create_directories(root + "/var/lib/advisor");
    notify_socket systemd(dir.file("notify.sock"));
    env.push_back(systemd.env());
    env.push_back("ADVISOR_PORT=0");
    process service(argv, env);
    std::string ready = systemd.receive();
    INFO(ready);
    std::uint16_t port = ready_port(ready);
    REQUIRE(port != 0);
    CHECK(request(port, http::verb::get, "/healthz", {}).result_int() == 200);
    CHECK(fs::exists(root + "/var/lib/advisor/advisor.db"));
    service.kill(SIGTERM);
    CHECK(service.wait() == 0);
  }

  TEST_CASE(
      "docs/operations.md's nginx example in front of advisor serve: the widget - a WebSocket "
      "conversation over TLS - and /metrics kept private") {
    temp_dir dir;
    std::ofstream(dir.file("advisor.json"))
        << R"({"allowed_origins": ["https://advisor.example.com"]})";
    process advisor({ADVISOR_BINARY, "serve", "--port", "0", "--config", dir.file("advisor.json"),
                     "--data-dir", dir.file("data")});
    std::uint16_t upstream = listening_port(advisor);

    // A certificate for advisor.example.com, made here.
    process cert({ADVISOR_OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                  "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
                  "/CN=advisor.example.com", "-keyout", dir.file("privkey.pem"), "-out",
                  dir.file("fullchain.pem")});
    std::string made = cert.read_all() + cert.read_all_err();
    REQUIRE_MESSAGE(cert.wait() == 0, made);

    // The example as written, but for where it listens, the certificate's files and the
    // advisor's port; inside the smallest nginx.conf that runs as this user in `dir`.
    std::uint16_t port = free_port();
    std::string site =
        code_block(source_path("docs/operations.md"), "Behind a reverse proxy", "```nginx");
    REQUIRE(site.find("listen 443 ssl http2;") != std::string::npos);
    site = std::regex_replace(site, std::regex("listen 443 "),
                              "listen 127.0.0.1:" + std::to_string(port) + " ");
    site = std::regex_replace(site, std::regex("/etc/letsencrypt/live/advisor\\.example\\.com/"),
                              dir.str() + "/");
    site = std::regex_replace(site, std::regex("127\\.0\\.0\\.1:8080"),
                              "127.0.0.1:" + std::to_string(upstream));
    std::string temp = dir.file("nginx-temp");
    std::filesystem::create_directories(temp);
    std::ofstream(dir.file("nginx.conf"))
        << "pid " << dir.file("nginx.pid") << ";\nerror_log " << dir.file("error.log")
        << " warn;\nevents {}\nhttp {\n  access_log off;\n  client_body_temp_path " << temp
        << "/body;\n  proxy_temp_path " << temp << "/proxy;\n  fastcgi_temp_path " << temp
        << "/fastcgi;\n  uwsgi_temp_path " << temp << "/uwsgi;\n  scgi_temp_path " << temp
        << "/scgi;\n"
        << site << "}\n";
    process nginx({ADVISOR_NGINX, "-p", dir.str(), "-c", dir.file("nginx.conf"), "-e",
                   dir.file("error.log"), "-g", "daemon off; master_process off;"});
    bool up = false;
    for (int i = 0; i < 200 && !up; ++i) {  // until nginx listens (bounded)
      net::io_context ioc;
      tcp::socket probe(ioc);
      beast::error_code ec;
      probe.connect({net::ip::make_address("127.0.0.1"), port}, ec);
      up = !ec;
      if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE_MESSAGE(up, advisor::bot::read_file(dir.file("error.log")));

    net::io_context ioc;
    net::ssl::context tls(net::ssl::context::tls_client);
    tls.set_verify_mode(net::ssl::verify_peer);
    tls.load_verify_file(dir.file("fullchain.pem"));
    auto connect = [&](beast::ssl_stream<beast::tcp_stream>& stream) {
      REQUIRE(SSL_set_tlsext_host_name(stream.native_handle(), "advisor.example.com"));
      stream.set_verify_callback(net::ssl::host_name_verification("advisor.example.com"));
      beast::get_lowest_layer(stream).connect({net::ip::make_address("127.0.0.1"), port});
      stream.handshake(net::ssl::stream_base::client);
    };
    auto get = [&](const std::string& target) {
      beast::ssl_stream<beast::tcp_stream> stream(ioc, tls);
      connect(stream);
      http::request<http::empty_body> req{http::verb::get, target, 11};
      req.set(http::field::host, "advisor.example.com");
      http::write(stream, req);
      beast::flat_buffer buffer;
      http::response<http::string_body> res;
      http::read(stream, buffer, res);
      return res;
    };

    auto page = get("/");
    CHECK(page.result_int() == 200);
    CHECK(page.body().find("widget.js") != std::string::npos);
    CHECK(get("/widget.js").result_int() == 200);
    CHECK(get("/healthz").result_int() == 200);
    // Prometheus' addresses only (10.0.0.0/8 in the example): refused by nginx itself.
    auto metrics = get("/metrics");
    CHECK(metrics.result_int() == 403);
    CHECK(metrics.body().find("advisor_") == std::string::npos);

    // The widget's WebSocket, upgraded through nginx, from the allowed page.
    websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ioc, tls);
    connect(ws.next_layer());
    ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
      req.set(http::field::origin, "https://advisor.example.com");
    }));
    ws.handshake("advisor.example.com", "/ws");
    auto next = [&ws] { return next_frame(ws); };
    ws.write(net::buffer(std::string(R"({"type":"start"})")));
    CHECK(next()["type"] == "session");
    CHECK(next()["question"] == "context");
    ws.write(net::buffer(std::string(R"({"type":"choose","option":"enterprise"})")));
    CHECK(next()["question"] == "enterprise_focus");
    // The close handshake goes through; nginx may then drop the TLS connection without a TLS
    // close_notify of its own, which OpenSSL reports as a truncated stream.
    beast::error_code closed;
    ws.close(websocket::close_code::normal, closed);
    CHECK_MESSAGE((!closed || closed == net::ssl::error::stream_truncated), closed.message());

    nginx.kill(SIGTERM);
    nginx.wait();
    advisor.kill(SIGTERM);
    CHECK(advisor.wait() == 0);
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
    std::string script =
        code_block(source_path("docs/slack.md"), "sign a request yourself", "```sh");
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
