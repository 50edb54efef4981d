// Two `advisor serve` processes on one PostgreSQL database (the throwaway test cluster), each
// with its own data directory for the read-only knowledge: (a) one conversation receiving turns
// on both instances at once keeps contiguous, strictly increasing steps, with no error; (b)
// SIGKILL of one instance during 12 live conversations loses no acknowledged turn, and the
// clients continue on the other instance; (c) a Slack event and its retry sent to different
// instances give exactly one reply; (d) a signed request replayed to the other instance gets
// 401; (e) the Quick Decision Guide personas, each turn on the other instance, end on the
// table's stack with every reason sourced; (f) a stalled database holds only the turns waiting
// for it, never the event loop (ping/pong, a static page, another connection's frames); (k) a
// rolling deploy: instances on framework versions 1 and 2, each conversation on its own; (i),
// (l), (m): an instance killed after acknowledging a Slack event, slash command or click, the
// other one finishing it once; (j), (n): the same on SQLite, one instance restarted; (o) an
// instance that dies while it records a Slack event, before its 200: Slack's retry to the
// other instance is answered once; (p), (q): 503 when a Slack event's or click's job cannot be
// written, and for a Discord interaction while the database cannot be reached; (r), (s): a
// Slack event or a Discord interaction answered 503 is not remembered: the byte-identical
// request sent again is served, once; (t) a Slack click and its retry sent to different
// instances: one update of the clicked message, one next question.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>
#include <tuple>

#include "fake_chat_api.hpp"
#include "knowledge/postgres/pg.hpp"
#include "knowledge/sqlite/database.hpp"
#include "personas.hpp"
#include "pg_support.hpp"
#include "process.hpp"
#include "request_signing.hpp"
#include "support.hpp"

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using nlohmann::json;
using namespace advisor;
using namespace advisor::test;

namespace {

constexpr const char* slack_secret = "multi-instance-test-secret";

struct server_process {
  std::unique_ptr<process> p;
  std::uint16_t port = 0;
  server_process(const std::string& data_dir, const std::string& database_url,
                 std::vector<std::string> env = {}) {
    env.push_back("ADVISOR_LOG_LEVEL=warn");
    env.push_back("ADVISOR_DATABASE_URL=" + database_url);
    p = std::make_unique<process>(
        std::vector<std::string>{ADVISOR_BINARY, "--data-dir", data_dir, "serve", "--port", "0"},
        env);
    auto line = p->read_line(std::chrono::seconds(30));
    REQUIRE_MESSAGE(line.has_value(), "advisor serve did not start");
    auto colon = line->rfind(':');
    port = static_cast<std::uint16_t>(std::stoi(line->substr(colon + 1)));
  }
};

struct ws_client {
  net::io_context ioc;
  websocket::stream<tcp::socket> ws{ioc};
  explicit ws_client(std::uint16_t port) {
    ws.next_layer().connect({net::ip::make_address("127.0.0.1"), port});
    ws.handshake("127.0.0.1", "/ws");
  }
  void send(const json& j) { ws.write(net::buffer(j.dump())); }
  json receive() {
    beast::flat_buffer b;
    ws.read(b);
    return json::parse(beast::buffers_to_string(b.data()));
  }
  // Starts (or resumes, with a token): the session frame, then the first reply.
  std::pair<json, json> start(const std::string& token = {}) {
    send(token.empty() ? json{{"type", "start"}} : json{{"type", "start"}, {"session", token}});
    json session = receive();
    return {session, receive()};
  }
};

// The option to click on a reply: confirm at the review, restart at the end, otherwise one
// of the options (never the last, "Not sure").
std::string pick(const json& reply, std::mt19937& rng) {
  if (reply.value("finished", false)) return "restart";
  if (reply["question"] == "review") return "confirm";
  const auto& opts = reply["options"];
  return opts[rng() % (opts.size() - 1)]["id"];
}

// The steps stored for the conversation bound to web key `token`: 1..n with no gap.
void check_contiguous(const pg_database& db, const std::string& token, std::int64_t& count) {
  storage::pg::connection c(db.url());
  auto r = c.query(
      "SELECT count(*), coalesce(min(e.seq), 0), coalesce(max(e.seq), 0), max(c.seq) FROM "
      "bindings b JOIN conversations c ON c.id = b.conversation_id JOIN events e ON "
      "e.conversation_id = c.id WHERE b.channel = 'web' AND b.key = $1",
      {token});
  count = r.integer(0, 0);
  CHECK(r.integer(0, 1) == 1);
  CHECK(r.integer(0, 2) == count);
  CHECK(r.integer(0, 3) == count);
}

std::vector<std::string> slack_env(const fake_slack_api& api) {
  return {std::string("ADVISOR_SLACK_SIGNING_SECRET=") + slack_secret,
          "ADVISOR_SLACK_BOT_TOKEN=xoxb-test", "ADVISOR_SLACK_API_URL=" + api.url() + "/api"};
}

std::vector<std::string> discord_env(const ed25519_key& key, const fake_discord& api) {
  return {"ADVISOR_DISCORD_PUBLIC_KEY=" + key.public_hex(), "ADVISOR_DISCORD_APP_ID=app-1",
          "ADVISOR_DISCORD_BOT_TOKEN=bot-token", "ADVISOR_DISCORD_API_URL=" + api.url()};
}

struct http_reply {
  unsigned status = 0;
  std::string body;
};

// One JSON request with the given headers, on a fresh connection.
http_reply signed_post(std::uint16_t port, const std::string& path, const std::string& body,
                       std::initializer_list<std::pair<const char*, std::string>> headers) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{http::verb::post, path, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return {res.result_int(), res.body()};
}

// One signed request as Slack sends it.
http_reply slack_post(std::uint16_t port, const std::string& path, const std::string& body,
                      const std::string& timestamp, const std::string& signature) {
  return signed_post(port, path, body,
                     {{"X-Slack-Request-Timestamp", timestamp}, {"X-Slack-Signature", signature}});
}

std::string now_stamp() {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count());
}

// A plain GET of `path` (the metrics), its body.
std::string http_get(std::uint16_t port, const std::string& path) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  http::request<http::empty_body> req{http::verb::get, path, 11};
  req.set(http::field::host, "127.0.0.1");
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return res.body();
}

// What persona `p` clicks on `reply`: its answer to the question asked, confirm at the review.
std::string persona_choice(const persona& p, const json& reply) {
  const std::string question = reply["question"];
  if (question == "review") return "confirm";
  auto it = p.given.find(question);
  REQUIRE_MESSAGE(it != p.given.end(), "unexpected question " << question);
  return it->second;
}

// Runs the client's pending asynchronous operations for at most `limit`: true when they all
// completed in time.
bool completes_within(net::io_context& ioc, std::chrono::milliseconds limit) {
  ioc.restart();
  ioc.run_for(limit);
  return ioc.stopped();
}

// A GET of `path` that gives up after `limit`: its status, or 0 when no answer came in time.
unsigned get_within(std::uint16_t port, const std::string& path, std::chrono::milliseconds limit) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  http::request<http::empty_body> req{http::verb::get, path, 11};
  req.set(http::field::host, "127.0.0.1");
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  unsigned status = 0;
  stream.expires_after(limit);
  stream.async_connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
      [&](beast::error_code connect_error) {
        if (connect_error) return;
        http::async_write(stream, req, [&](beast::error_code write_error, std::size_t) {
          if (write_error) return;
          http::async_read(stream, buffer, res, [&](beast::error_code read_error, std::size_t) {
            if (!read_error) status = res.result_int();
          });
        });
      });
  ioc.run();
  return status;
}

struct ledger {
  std::string token;
  std::string question;
  int step = 0;
  bool in_flight = false;
};

}  // namespace

TEST_CASE("(a) one conversation - turns on both instances at once: contiguous steps - no error") {
  temp_dir dir;
  pg_database db;
  server_process a(dir.file("a"), db.url());
  server_process b(dir.file("b"), db.url());
  ws_client first(a.port);
  auto [session, opening] = first.start();
  const std::string token = session["session"];
  ws_client second(b.port);
  auto [resumed, current] = second.start(token);
  CHECK(resumed["resumed"] == true);
  CHECK(current["question"] == opening["question"]);

  // Both clients click on what they last saw; the other may have moved the conversation on,
  // then the answer is stale_option (nothing changes), never an error of the store.
  constexpr int turns_each = 25;
  std::mutex m;
  std::vector<std::string> problems;
  std::atomic<int> moved{0}, stale{0};
  auto client = [&](ws_client& c, json reply, unsigned seed) {
    std::mt19937 rng(seed);
    for (int i = 0; i < turns_each; ++i) {
      const std::string option = pick(reply, rng);
      c.send({{"type", "choose"}, {"option", option}, {"question", reply["question"]}});
      json next = c.receive();
      if (next["type"] == "error") {
        if (next["code"] == "stale_option") {
          ++stale;
          next = c.receive();  // a reply with the current question follows
        } else {
          std::lock_guard lock(m);
          problems.push_back(next.dump());
          return;
        }
      } else {
        ++moved;
      }
      if (next["type"] != "reply") {
        std::lock_guard lock(m);
        problems.push_back(next.dump());
        return;
      }
      reply = next;
    }
  };
  std::thread t1(client, std::ref(first), opening, 1u);
  std::thread t2(client, std::ref(second), current, 2u);
  t1.join();
  t2.join();
  CHECK_MESSAGE(problems.empty(), (problems.empty() ? "" : problems.front()));
  std::int64_t stored = 0;
  check_contiguous(db, token, stored);
  CHECK(moved > 0);
  MESSAGE("turns that moved the conversation: " << moved.load() << ", stale clicks: "
                                                << stale.load() << ", events stored: " << stored);
  // Both instances now show the same question.
  ws_client x(a.port), y(b.port);
  auto [sx, rx] = x.start(token);
  auto [sy, ry] = y.start(token);
  CHECK(rx["question"] == ry["question"]);
  CHECK(rx["progress"] == ry["progress"]);
}

TEST_CASE("(b) SIGKILL of one instance during 12 conversations loses nothing acknowledged") {
  temp_dir dir;
  pg_database db;
  auto a = std::make_unique<server_process>(dir.file("a"), db.url());
  server_process b(dir.file("b"), db.url());
  constexpr int conversations = 12;
  std::vector<ledger> ledgers(conversations);
  std::mutex m;
  std::mt19937 seeds(20261201);
  auto drive = [&m](std::uint16_t port, ledger& l, unsigned seed) {
    std::mt19937 rng(seed);
    try {
      ws_client c(port);
      auto [session, reply] = c.start();
      {
        std::lock_guard lock(m);
        l.token = session["session"];
        l.question = reply["question"];
        l.step = reply["progress"]["step"];
      }
      for (;;) {
        const std::string option = pick(reply, rng);
        {
          std::lock_guard lock(m);
          l.in_flight = true;
        }
        c.send({{"type", "choose"}, {"option", option}, {"question", reply["question"]}});
        reply = c.receive();
        std::lock_guard lock(m);
        l.in_flight = false;
        l.question = reply["question"];
        l.step = reply["progress"]["step"];
      }
    } catch (const std::exception&) {
      // The server went away: what the ledger says is what was acknowledged.
    }
  };
  std::vector<std::thread> clients;
  for (auto& l : ledgers) clients.emplace_back(drive, a->port, std::ref(l), seeds());
  // Killed at a random moment under load (what is checked does not depend on when).
  std::this_thread::sleep_for(std::chrono::milliseconds(400 + seeds() % 600));
  a->p->kill(SIGKILL);
  CHECK(a->p->wait() == 128 + SIGKILL);
  for (auto& t : clients) t.join();

  int resumed = 0;
  for (auto& l : ledgers) {
    if (l.token.empty()) continue;  // killed before its session frame came back
    ws_client c(b.port);
    auto [session, reply] = c.start(l.token);
    REQUIRE(session["type"] == "session");
    CHECK(session["resumed"] == true);
    int step = reply["progress"]["step"];
    if (l.in_flight) {
      CHECK((step == l.step || step == l.step + 1 || step == 1));
    } else {
      CHECK(step == l.step);
      CHECK(reply["question"] == l.question);
    }
    // The client goes on on the other instance.
    std::mt19937 rng(static_cast<unsigned>(step));
    for (int i = 0; i < 3; ++i) {
      c.send({{"type", "choose"}, {"option", pick(reply, rng)}, {"question", reply["question"]}});
      reply = c.receive();
      REQUIRE(reply["type"] == "reply");
    }
    std::int64_t stored = 0;
    check_contiguous(db, l.token, stored);
    ++resumed;
  }
  MESSAGE("conversations resumed on the other instance: " << resumed);
  CHECK(resumed >= conversations / 2);
  b.p->kill(SIGTERM);
  CHECK(b.p->wait() == 0);
}

TEST_CASE("(c) a Slack event and its retry sent to different instances give exactly one reply") {
  temp_dir dir;
  pg_database db;
  fake_slack_api api;
  server_process a(dir.file("a"), db.url(), slack_env(api));
  server_process b(dir.file("b"), db.url(), slack_env(api));
  const std::string body = json{{"type", "event_callback"},
                                {"team_id", "T1"},
                                {"event_id", "Ev0MULTI1"},
                                {"event",
                                 {{"type", "app_mention"},
                                  {"user", "U1"},
                                  {"channel", "C1"},
                                  {"ts", "1700000000.000100"},
                                  {"text", "<@UBOT> we are a python shop"}}}}
                               .dump();
  // The event, then Slack's retry of it (a new timestamp and signature) to the other instance.
  const std::string ts1 = now_stamp();
  CHECK(slack_post(a.port, "/slack/events", body, ts1, slack_signature(slack_secret, ts1, body))
            .status == 200);
  const std::string ts2 = std::to_string(std::stoll(ts1) + 1);
  CHECK(slack_post(b.port, "/slack/events", body, ts2, slack_signature(slack_secret, ts2, body))
            .status == 200);
  // B answered its 200 after finding the event in the shared table: a duplicate, no job.
  const std::string metrics = http_get(b.port, "/metrics");
  CHECK(metrics.find("advisor_slack_duplicates_total{kind=\"event\"} 1") != std::string::npos);
  // A's reply arrives (bounded wait for the one reply; the count is what is checked).
  std::vector<fake_slack_api::call> posts;
  for (int i = 0; i < 300 && posts.empty(); ++i) {
    posts = api.calls_to("/api/chat.postMessage");
    if (posts.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].json()["channel"] == "C1");
  CHECK(posts[0].json()["thread_ts"] == "1700000000.000100");
  // Both instances have stopped handling requests: still exactly one reply.
  a.p->kill(SIGTERM);
  b.p->kill(SIGTERM);
  CHECK(a.p->wait() == 0);
  CHECK(b.p->wait() == 0);
  CHECK(api.calls_to("/api/chat.postMessage").size() == 1);
}

TEST_CASE("(d) a signed request replayed to the other instance gets 401") {
  temp_dir dir;
  pg_database db;
  fake_slack_api api;
  server_process a(dir.file("a"), db.url(), slack_env(api));
  server_process b(dir.file("b"), db.url(), slack_env(api));
  const std::string body = json{{"type", "url_verification"}, {"challenge", "c-1"}}.dump();
  const std::string ts = now_stamp();
  const std::string sig = slack_signature(slack_secret, ts, body);
  auto first = slack_post(a.port, "/slack/events", body, ts, sig);
  CHECK(first.status == 200);
  CHECK(first.body.find("c-1") != std::string::npos);
  auto replay = slack_post(b.port, "/slack/events", body, ts, sig);
  CHECK(replay.status == 401);
  CHECK(replay.body.find("already received") != std::string::npos);
  // And on the first instance too (its own memory).
  CHECK(slack_post(a.port, "/slack/events", body, ts, sig).status == 401);
}

TEST_CASE(
    "(e) the Quick Decision Guide personas - each turn on the other instance - end as the table "
    "says") {
  temp_dir dir;
  pg_database db;
  server_process a(dir.file("a"), db.url());
  server_process b(dir.file("b"), db.url());
  for (const auto& p : quick_decision_guide) {
    CAPTURE(p.cell);
    ws_client on_a(a.port);
    auto [session, reply] = on_a.start();
    const std::string token = session["session"];
    ws_client on_b(b.port);
    auto [resumed, current] = on_b.start(token);
    REQUIRE(resumed["resumed"] == true);
    CHECK(current["question"] == reply["question"]);
    // Turns alternate, so each instance decides on a record the other has since moved on: its
    // cached question is stale at every turn. A click on the current question must still be
    // taken (never refused as stale_option), and each answer land once.
    ws_client* clients[] = {&on_b, &on_a};
    int turns = 0;
    for (; turns < 30 && !reply.value("finished", false); ++turns) {
      ws_client& c = *clients[turns % 2];
      c.send({{"type", "choose"},
              {"option", persona_choice(p, reply)},
              {"question", reply["question"]}});
      json next = c.receive();
      REQUIRE_MESSAGE(next["type"] == "reply", next.dump());
      CHECK_MESSAGE(!next.contains("notice"), next.dump());
      reply = next;
    }
    REQUIRE(reply.value("finished", false));
    REQUIRE(reply.contains("recommendation"));
    const json& rec = reply["recommendation"];
    if (p.contested) {
      bool shown = false;
      for (const auto& c : rec["contested"]) shown = shown || c["id"] == p.contested;
      CHECK_MESSAGE(shown, rec["contested"].dump());
    }
    if (p.expected) {
      CHECK(rec["choice"] == p.expected);
      CHECK(rec["confidence"].get<double>() > 0.5);
    } else {
      CHECK(rec["scores"]["python"] == rec["scores"]["nodejs"]);
    }
    CHECK(!rec["reasons"].empty());
    for (const auto& r : rec["reasons"]) CHECK_MESSAGE(!r["sources"].empty(), r["text"].dump());
    CHECK(!rec["next_steps"].empty());
    // Either instance resumes it on the same recommendation.
    for (auto port : {a.port, b.port}) {
      ws_client again(port);
      auto [s, r] = again.start(token);
      CHECK(s["resumed"] == true);
      CHECK(r["finished"] == true);
      CHECK(r["recommendation"]["choice"] == rec["choice"]);
      CHECK(r["recommendation"]["scores"] == rec["scores"]);
    }
    // One stored event per state change, 1..n with no gap.
    std::int64_t stored = 0;
    check_contiguous(db, token, stored);
    CHECK(stored >= turns);
  }
}

TEST_CASE("(f) a stalled database holds the turns waiting for it - never the event loop") {
  temp_dir dir;
  pg_database db;
  server_process a(dir.file("a"), db.url());  // one I/O thread, the default
  ws_client held(a.port);
  auto [session, opening] = held.start();
  ws_client other(a.port);
  auto [other_session, other_opening] = other.start();

  // Another client of the database holds the conversations table: every commit waits.
  storage::pg::connection blocker(db.url());
  blocker.exec("BEGIN");
  blocker.exec("LOCK TABLE conversations IN ACCESS EXCLUSIVE MODE");
  held.send({{"type", "choose"},
             {"option", opening["options"][0]["id"]},
             {"question", opening["question"]}});
  // The turn's commit is waiting for the lock (bounded wait until PostgreSQL shows it).
  storage::pg::connection watch(db.admin_url());
  REQUIRE_MESSAGE(until_lock_waiters(watch, db.name(), "%"),
                  "the turn's commit never reached the database");

  // Meanwhile the server's one event loop and its turn threads serve everything else: another
  // connection's ping gets its pong and a frame that needs no database its answer, and
  // static pages and the metrics are served.
  constexpr auto limit = std::chrono::milliseconds(5000);
  bool pong = false;
  other.ws.control_callback([&pong](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::pong) pong = true;
  });
  other.ws.ping({});
  other.ws.write(net::buffer(std::string("not json")));
  beast::flat_buffer answer;
  bool answered = false;
  other.ws.async_read(answer, [&](beast::error_code ec, std::size_t) { answered = !ec; });
  CHECK(completes_within(other.ioc, limit));
  CHECK(pong);
  REQUIRE(answered);
  CHECK(json::parse(beast::buffers_to_string(answer.data()))["code"] == "invalid_json");
  CHECK(get_within(a.port, "/", limit) == 200);
  CHECK(get_within(a.port, "/metrics", limit) == 200);

  // The held turn is still waiting, and is answered once the database moves again.
  json reply;
  bool replied = false;
  beast::flat_buffer held_buffer;
  held.ws.async_read(held_buffer, [&](beast::error_code ec, std::size_t) {
    if (!ec) replied = true;
  });
  CHECK(!completes_within(held.ioc, std::chrono::milliseconds(200)));
  CHECK(!replied);
  blocker.exec("ROLLBACK");
  CHECK(completes_within(held.ioc, limit));
  REQUIRE(replied);
  reply = json::parse(beast::buffers_to_string(held_buffer.data()));
  CHECK(reply["type"] == "reply");
  CHECK(reply["progress"]["step"] == 2);
  std::int64_t stored = 0;
  check_contiguous(db, session["session"], stored);
}

TEST_CASE("(g) a database that cannot be reached - Slack requests and the health check get 503") {
  temp_dir dir;
  pg_database db;
  fake_slack_api api;
  server_process a(dir.file("a"), db.url(), slack_env(api));
  constexpr auto limit = std::chrono::milliseconds(10000);
  auto verification = [&a](const std::string& challenge) {
    const std::string body = json{{"type", "url_verification"}, {"challenge", challenge}}.dump();
    const std::string ts = now_stamp();
    return slack_post(a.port, "/slack/events", body, ts, slack_signature(slack_secret, ts, body));
  };
  CHECK(verification("c-up").status == 200);
  CHECK(get_within(a.port, "/healthz", limit) == 200);

  // The database goes away for this instance: its connections are cut and no new one is let in.
  storage::pg::connection admin(db.admin_url());
  admin.exec("ALTER DATABASE " + db.name() + " ALLOW_CONNECTIONS false");
  admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> "
      "pg_backend_pid()",
      {db.name()});
  // Fail closed: a signed request is not served without being remembered, and the instance
  // leaves the load balancer's pool.
  auto down = verification("c-down");
  CHECK(down.status == 503);
  CHECK(down.body.find("database_unavailable") != std::string::npos);
  CHECK(down.body.find("c-down") == std::string::npos);
  CHECK(get_within(a.port, "/healthz", limit) == 503);

  // Back: the instance reconnects by itself.
  admin.exec("ALTER DATABASE " + db.name() + " ALLOW_CONNECTIONS true");
  auto back = verification("c-back");
  CHECK(back.status == 200);
  CHECK(back.body.find("c-back") != std::string::npos);
  CHECK(get_within(a.port, "/healthz", limit) == 200);
}

TEST_CASE("(h) a signed Discord interaction replayed to the other instance gets 401") {
  temp_dir dir;
  pg_database db;
  fake_discord api;
  const ed25519_key key;
  const std::vector<std::string> env = discord_env(key, api);
  server_process a(dir.file("a"), db.url(), env);
  server_process b(dir.file("b"), db.url(), env);
  const std::string body =
      json{{"id", "1"}, {"application_id", "app-1"}, {"type", 1}, {"token", "t"}, {"version", 1}}
          .dump();
  const std::string ts = now_stamp();
  const std::string sig = key.sign(ts + body);
  auto post = [&](std::uint16_t port) {
    return signed_post(port, "/discord/interactions", body,
                       {{"X-Signature-Ed25519", sig}, {"X-Signature-Timestamp", ts}});
  };
  auto first = post(a.port);
  CHECK(first.status == 200);
  CHECK(json::parse(first.body)["type"] == 1);  // PONG
  auto replay = post(b.port);
  CHECK(replay.status == 401);
  CHECK(replay.body.find("replayed") != std::string::npos);
  CHECK(post(a.port).status == 401);  // and on the first instance too (its own memory)
  // A fresh signature of the same interaction is a new request: both instances take one.
  const std::string ts2 = std::to_string(std::stoll(ts) + 1);
  CHECK(signed_post(b.port, "/discord/interactions", body,
                    {{"X-Signature-Ed25519", key.sign(ts2 + body)}, {"X-Signature-Timestamp", ts2}})
            .status == 200);
}

namespace {

// A config file with short job leases: an acknowledged event whose holder died is taken over
// within about 2 s (the default lease is 120 s).
std::vector<std::string> short_leases(const temp_dir& dir, const fake_slack_api& api) {
  const std::string file = dir.file("leases.json");
  std::ofstream(file) << R"({"slack": {"job_lease_seconds": 2, "job_sweep_seconds": 1}})";
  auto env = slack_env(api);
  env.push_back("ADVISOR_CONFIG=" + file);
  return env;
}

std::string mention(const std::string& event_id, const std::string& channel,
                    const std::string& ts) {
  return json{{"type", "event_callback"},
              {"team_id", "T1"},
              {"event_id", event_id},
              {"event",
               {{"type", "app_mention"},
                {"user", "U1"},
                {"channel", channel},
                {"ts", ts},
                {"text", "<@UBOT> we are a python shop"}}}}
      .dump();
}

// A reply that asks the question `held` ends with (its text, or its text's last paragraph).
bool asks_the_same(const fake_slack_api::call& reply, const fake_slack_api::call& held) {
  const std::string mine = reply.json()["text"], theirs = held.json()["text"];
  return !mine.empty() && (theirs == mine || std::string_view(theirs).ends_with("\n\n" + mine));
}

// Waits (at most 20 s) until `ready` holds.
template <class Ready>
bool eventually(Ready ready) {
  for (int i = 0; i < 400; ++i) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return ready();
}

}  // namespace

// Sends the signed event to `s`, which acknowledges it; the fake holds the reply `s` then
// posts, never answering it, and `s` is killed while it waits.
void acknowledge_then_die(server_process& s, fake_slack_api& api, const std::string& body) {
  api.hold_next("/api/chat.postMessage");
  const std::string ts = now_stamp();
  REQUIRE(slack_post(s.port, "/slack/events", body, ts, slack_signature(slack_secret, ts, body))
              .status == 200);
  REQUIRE(eventually([&] { return api.held().size() == 1; }));
  s.p->kill(SIGKILL);
  s.p->wait();
}

TEST_CASE("(i) an instance killed after acknowledging a Slack event - the other one finishes it") {
  temp_dir dir;
  pg_database db;
  fake_slack_api api;
  const auto env = short_leases(dir, api);
  server_process a(dir.file("a"), db.url(), env);
  server_process b(dir.file("b"), db.url(), env);
  // A's reply reaches the fake and is never answered: A is killed while it waits.
  const std::string body = mention("Ev0KILLED1", "C9", "1700000000.000900");
  acknowledge_then_die(a, api, body);
  CHECK(api.calls_to("/api/chat.postMessage").empty());

  // B takes the job over once A's lease has run out, and delivers the reply.
  REQUIRE(eventually([&] { return !api.calls_to("/api/chat.postMessage").empty(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // two more sweeps: nothing more
  auto posts = api.calls_to("/api/chat.postMessage");
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].json()["channel"] == "C9");
  CHECK(posts[0].json()["thread_ts"] == "1700000000.000900");
  // The turn A committed, not a second one: B's reply asks the question A's was asking (A's
  // also said what the turn took from the words; B answers from the conversation as stored).
  CHECK(asks_the_same(posts[0], api.held()[0]));
  storage::pg::connection c(db.url());
  auto turns = c.query(
      "SELECT count(e.token), count(*) FROM bindings b JOIN events e ON e.conversation_id = "
      "b.conversation_id WHERE b.channel = 'slack' AND b.key = 'T1/C9/1700000000.000900/U1'");
  CHECK(turns.integer(0, 0) == 1);  // one turn stored (its token is on its first event)
  CHECK(turns.integer(0, 1) >= 1);
  CHECK(c.query("SELECT count(DISTINCT e.turn) FROM bindings b JOIN events e ON "
                "e.conversation_id = b.conversation_id WHERE b.channel = 'slack' AND b.key = "
                "'T1/C9/1700000000.000900/U1'")
            .integer(0, 0) == 1);
  CHECK(c.query("SELECT count(*) FROM jobs").integer(0, 0) == 0);
  CHECK(http_get(b.port, "/metrics").find("advisor_slack_jobs_recovered_total 1") !=
        std::string::npos);
  b.p->kill(SIGTERM);
  CHECK(b.p->wait() == 0);
}

TEST_CASE(
    "(j) one instance on SQLite killed after acknowledging a Slack event - its restart finishes "
    "it") {
  temp_dir dir;
  fake_slack_api api;
  const auto env = short_leases(dir, api);
  const std::string body = mention("Ev0KILLED2", "C8", "1700000000.000800");
  {
    server_process a(dir.file("s"), "", env);  // no database URL: the SQLite file
    acknowledge_then_die(a, api, body);
  }
  server_process again(dir.file("s"), "", env);
  REQUIRE(eventually([&] { return !api.calls_to("/api/chat.postMessage").empty(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  auto posts = api.calls_to("/api/chat.postMessage");
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].json()["thread_ts"] == "1700000000.000800");
  CHECK(asks_the_same(posts[0], api.held()[0]));
  CHECK(http_get(again.port, "/metrics").find("advisor_slack_jobs_recovered_total 1") !=
        std::string::npos);
  again.p->kill(SIGTERM);
  CHECK(again.p->wait() == 0);
  // One turn in the conversation, and no job left.
  storage::connection c(dir.file("s") + "/advisor.db");
  auto turns = c.prepare(
      "SELECT count(DISTINCT e.turn) FROM bindings b JOIN events e ON e.conversation_id = "
      "b.conversation_id WHERE b.channel = 'slack' AND b.key = 'T1/C8/1700000000.000800/U1'");
  REQUIRE(turns.step());
  CHECK(turns.integer(0) == 1);
  auto tokens = c.prepare("SELECT count(*) FROM turn_tokens");
  REQUIRE(tokens.step());
  CHECK(tokens.integer(0) == 0);  // forgotten with the job
  auto jobs = c.prepare("SELECT count(*) FROM jobs");
  REQUIRE(jobs.step());
  CHECK(jobs.integer(0) == 0);
}

TEST_CASE(
    "(k) a rolling deploy - instances on framework versions 1 and 2: each conversation goes on "
    "with the version it started on") {
  temp_dir dir;
  pg_database db;
  const std::string v1_question = "First, who is this decision for?";
  const std::string v2_question = write_framework_v2(dir.file("framework-v2.json"));
  {
    std::ofstream f(dir.file("v2.json"));
    f << json{{"framework_file", dir.file("framework-v2.json")}}.dump();
  }
  server_process old_release(dir.file("a"), db.url());
  server_process new_release(dir.file("b"), db.url(), {"ADVISOR_CONFIG=" + dir.file("v2.json")});
  auto has = [](const json& reply, const std::string& words) {
    return reply["text"].get<std::string>().find(words) != std::string::npos;
  };
  ws_client on_old(old_release.port), on_new(new_release.port);
  auto [s1, r1] = on_old.start();
  auto [s2, r2] = on_new.start();
  CHECK(has(r1, v1_question));
  CHECK(has(r2, v2_question));
  // Each conversation's next turn reaches the other release: asked as it started, and answered.
  for (auto [port, token, question] :
       {std::tuple{new_release.port, s1["session"].get<std::string>(), v1_question},
        std::tuple{old_release.port, s2["session"].get<std::string>(), v2_question}}) {
    ws_client there(port);
    auto [session, current] = there.start(token);
    CHECK(session["resumed"] == true);
    CHECK(has(current, question));
    there.send({{"type", "choose"}, {"option", "startup"}, {"question", "context"}});
    json next = there.receive();
    CHECK(next["type"] == "reply");
    CHECK(next["question"] != "context");
  }
  storage::pg::connection c(db.url());
  auto versions = c.query(
      "SELECT string_agg(c.framework, ' ' ORDER BY c.framework) FROM bindings b JOIN "
      "conversations c ON c.id = b.conversation_id WHERE b.key IN ($1, $2)",
      {s1["session"].get<std::string>(), s2["session"].get<std::string>()});
  CHECK(versions.text(0, 0) == "backend-stack@1 backend-stack@2");
}

namespace {

// A signed form as Slack posts a slash command or a click (signed now, or at `ts`).
http_reply slack_form_post(std::uint16_t port, const std::string& path, const std::string& body,
                           const std::string& ts = now_stamp()) {
  return signed_post(port, path, body,
                     {{"Content-Type", "application/x-www-form-urlencoded"},
                      {"X-Slack-Request-Timestamp", ts},
                      {"X-Slack-Signature", slack_signature(slack_secret, ts, body)}});
}

// `/advisor <text>` by U1 in `channel`.
std::string command_body(const std::string& channel, const std::string& text) {
  return form({{"team_id", "T1"},
               {"channel_id", channel},
               {"user_id", "U1"},
               {"command", "/advisor"},
               {"text", text},
               {"response_url", "https://hooks.slack.com/commands/T1/1/secret"},
               {"trigger_id", "1.2." + channel}});
}

// U1's click on the first button of the question message the fake recorded in `question`.
std::string click_body(const fake_slack_api::call& question) {
  json message = question.json();
  json button, block;
  for (const auto& b : message["blocks"])
    if (b["type"] == "actions" && button.is_null()) {
      block = b;
      button = b["elements"][0];
    }
  REQUIRE_MESSAGE(!button.is_null(), "the question has no buttons");
  json payload = {
      {"type", "block_actions"},
      {"user", {{"id", "U1"}, {"team_id", "T1"}}},
      {"team", {{"id", "T1"}}},
      {"channel", {{"id", message["channel"]}}},
      {"container",
       {{"type", "message"}, {"message_ts", question.ts}, {"channel_id", message["channel"]}}},
      {"message", {{"ts", question.ts}, {"blocks", message["blocks"]}}},
      {"actions", json::array({{{"action_id", button["action_id"]},
                                {"block_id", block["block_id"]},
                                {"text", button["text"]},
                                {"value", button["value"]},
                                {"type", "button"}}})}};
  return form({{"payload", payload.dump()}});
}

// `survivor` took one job over; the Slack conversation `key` has one turn stored and no job is
// left; then it stops cleanly.
void finished_once(const pg_database& db, const std::string& key, server_process& survivor) {
  storage::pg::connection c(db.url());
  CHECK(c.query("SELECT count(DISTINCT e.turn) FROM bindings b JOIN events e ON "
                "e.conversation_id = b.conversation_id WHERE b.channel = 'slack' AND b.key = $1",
                {key})
            .integer(0, 0) == 1);
  CHECK(c.query("SELECT count(*) FROM jobs").integer(0, 0) == 0);
  CHECK(http_get(survivor.port, "/metrics").find("advisor_slack_jobs_recovered_total 1") !=
        std::string::npos);
  survivor.p->kill(SIGTERM);
  CHECK(survivor.p->wait() == 0);
}

// `s` has acknowledged a request and waits for the call the fake holds: it is killed there.
void die_while_held(server_process& s, const fake_slack_api& api) {
  REQUIRE(eventually([&] { return api.held().size() == 1; }));
  s.p->kill(SIGKILL);
  s.p->wait();
}

}  // namespace

TEST_CASE(
    "(l) an instance killed after acknowledging a slash command - the other one asks the "
    "question in the thread it opened") {
  temp_dir dir;
  pg_database db;
  fake_slack_api api;
  const auto env = short_leases(dir, api);
  server_process a(dir.file("a"), db.url(), env);
  server_process b(dir.file("b"), db.url(), env);
  // A posts the thread's root, then its question is held: A is killed while it waits.
  api.hold_next("/api/chat.postMessage", 1, 1);
  REQUIRE(slack_form_post(a.port, "/slack/commands", command_body("C7", "we are a python shop"))
              .status == 200);
  die_while_held(a, api);
  auto roots = api.calls_to("/api/chat.postMessage");
  REQUIRE(roots.size() == 1);
  const std::string thread = roots[0].ts;

  // B takes the command over once A's lease has run out: the question, in A's thread, once.
  REQUIRE(eventually([&] { return api.calls_to("/api/chat.postMessage").size() >= 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // two more sweeps: nothing more
  auto posts = api.calls_to("/api/chat.postMessage");
  REQUIRE(posts.size() == 2);  // no second root
  CHECK(posts[1].json()["channel"] == "C7");
  CHECK(posts[1].json()["thread_ts"] == thread);
  CHECK(asks_the_same(posts[1], api.held()[0]));
  finished_once(db, "T1/C7/" + thread + "/U1", b);
}

TEST_CASE(
    "(m) an instance killed after acknowledging a button click - the other one delivers its "
    "answer once") {
  temp_dir dir;
  pg_database db;
  fake_slack_api api;
  const auto env = short_leases(dir, api);
  server_process a(dir.file("a"), db.url(), env);
  server_process b(dir.file("b"), db.url(), env);
  // The conversation starts on B: its root and first question.
  REQUIRE(slack_form_post(b.port, "/slack/commands", command_body("C6", "")).status == 200);
  REQUIRE(eventually([&] { return api.calls_to("/api/chat.postMessage").size() == 2; }));
  const auto question = api.calls_to("/api/chat.postMessage")[1];
  const std::string thread = question.json()["thread_ts"];

  // The click reaches A; A's update of the clicked message is held and A is killed.
  api.hold_next("/api/chat.update");
  REQUIRE(slack_form_post(a.port, "/slack/interactions", click_body(question)).status == 200);
  die_while_held(a, api);
  CHECK(api.calls_to("/api/chat.update").empty());

  // B finishes the click: the clicked message updated once, the next question once.
  REQUIRE(eventually([&] { return api.calls_to("/api/chat.postMessage").size() >= 3; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  auto updates = api.calls_to("/api/chat.update");
  REQUIRE(updates.size() == 1);
  CHECK(updates[0].json()["ts"] == question.ts);
  CHECK(updates[0].json()["blocks"].dump() == api.held()[0].json()["blocks"].dump());
  auto posts = api.calls_to("/api/chat.postMessage");
  REQUIRE(posts.size() == 3);
  CHECK(posts[2].json()["thread_ts"] == thread);
  CHECK(posts[2].json()["text"] != question.json()["text"]);  // the next question
  finished_once(db, "T1/C6/" + thread + "/U1", b);  // the answer (a bare start stores no event)
}

TEST_CASE(
    "(n) one instance on SQLite killed after acknowledging a slash command - its restart asks "
    "the question in the thread it opened") {
  temp_dir dir;
  fake_slack_api api;
  const auto env = short_leases(dir, api);
  {
    server_process a(dir.file("s"), "", env);  // no database URL: the SQLite file
    api.hold_next("/api/chat.postMessage", 1, 1);
    REQUIRE(
        slack_form_post(a.port, "/slack/commands", command_body("C5", "we use python")).status ==
        200);
    die_while_held(a, api);
  }
  REQUIRE(api.calls_to("/api/chat.postMessage").size() == 1);
  const std::string thread = api.calls_to("/api/chat.postMessage")[0].ts;
  server_process again(dir.file("s"), "", env);
  REQUIRE(eventually([&] { return api.calls_to("/api/chat.postMessage").size() >= 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  auto posts = api.calls_to("/api/chat.postMessage");
  REQUIRE(posts.size() == 2);
  CHECK(posts[1].json()["thread_ts"] == thread);
  CHECK(asks_the_same(posts[1], api.held()[0]));
  again.p->kill(SIGTERM);
  CHECK(again.p->wait() == 0);
  storage::connection c(dir.file("s") + "/advisor.db");
  auto turns = c.prepare(
      "SELECT count(DISTINCT e.turn) FROM bindings b JOIN events e ON e.conversation_id = "
      "b.conversation_id WHERE b.channel = 'slack' AND b.key = ?1");
  turns.bind(1, "T1/C5/" + thread + "/U1");
  REQUIRE(turns.step());
  CHECK(turns.integer(0) == 1);
  auto jobs = c.prepare("SELECT count(*) FROM jobs");
  REQUIRE(jobs.step());
  CHECK(jobs.integer(0) == 0);
}

TEST_CASE(
    "(o) an instance that dies while it records a Slack event - before its 200 - the retry to "
    "the other one is answered once") {
  temp_dir dir;
  pg_database db;
  fake_slack_api api;
  const auto env = short_leases(dir, api);
  server_process a(dir.file("a"), db.url(), env);
  server_process b(dir.file("b"), db.url(), env);
  const std::string body = mention("Ev0TORN1", "C7", "1700000000.000700");

  // Another client holds the jobs table: A's write of the event waits in the database.
  storage::pg::connection blocker(db.url());
  blocker.exec("BEGIN");
  blocker.exec("LOCK TABLE jobs IN EXCLUSIVE MODE");
  std::thread first([&] {
    const std::string ts = now_stamp();
    try {
      slack_post(a.port, "/slack/events", body, ts, slack_signature(slack_secret, ts, body));
    } catch (const std::exception&) {  // A dies before it answers
    }
  });
  storage::pg::connection watch(db.admin_url());
  const bool waiting = until_lock_waiters(watch, db.name(), "%INSERT INTO jobs%");
  // A dies there, and so does its connection (the host went away): no 200 was sent. (It dies
  // even when its write never showed up, so the client thread ends before the test fails.)
  a.p->kill(SIGKILL);
  a.p->wait();
  first.join();
  REQUIRE_MESSAGE(waiting, "A's write never reached the database");
  terminate_lock_waiters(watch, db.name(), "%INSERT INTO jobs%");
  blocker.exec("ROLLBACK");
  // The event's key was not kept without its job (both or neither).
  storage::pg::connection c(db.url());
  CHECK(c.query("SELECT count(*) FROM seen WHERE key = 'slack/event/Ev0TORN1'").integer(0, 0) == 0);
  CHECK(c.query("SELECT count(*) FROM jobs").integer(0, 0) == 0);

  // Slack retries (a new timestamp and signature) and reaches B: a new event there, answered.
  const std::string ts = std::to_string(std::stoll(now_stamp()) + 1);
  REQUIRE(slack_post(b.port, "/slack/events", body, ts, slack_signature(slack_secret, ts, body))
              .status == 200);
  REQUIRE(eventually([&] { return !api.calls_to("/api/chat.postMessage").empty(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // two more sweeps: nothing more
  auto posts = api.calls_to("/api/chat.postMessage");
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].json()["channel"] == "C7");
  CHECK(posts[0].json()["thread_ts"] == "1700000000.000700");
  CHECK(http_get(b.port, "/metrics").find("advisor_slack_duplicates_total{kind=\"event\"} 1") ==
        std::string::npos);
  CHECK(c.query("SELECT count(DISTINCT e.turn) FROM bindings b JOIN events e ON "
                "e.conversation_id = b.conversation_id WHERE b.channel = 'slack' AND b.key = "
                "'T1/C7/1700000000.000700/U1'")
            .integer(0, 0) == 1);
  CHECK(eventually([&] { return c.query("SELECT count(*) FROM jobs").integer(0, 0) == 0; }));
  b.p->kill(SIGTERM);
  CHECK(b.p->wait() == 0);
}

TEST_CASE(
    "(p) a Slack event and a click whose job cannot be written get 503 - nothing is kept - "
    "Slack's retries are answered once") {
  temp_dir dir;
  pg_database db;
  fake_slack_api api;
  server_process a(dir.file("a"), db.url(), slack_env(api));
  // A conversation with a question and its buttons.
  REQUIRE(slack_form_post(a.port, "/slack/commands", command_body("C4", "")).status == 200);
  REQUIRE(eventually([&] { return api.calls_to("/api/chat.postMessage").size() == 2; }));
  const auto question = api.calls_to("/api/chat.postMessage")[1];

  // The database still answers (request signatures are remembered), but refuses every job.
  storage::pg::connection c(db.url());
  c.exec("ALTER TABLE jobs ADD CONSTRAINT refuse_jobs CHECK (false) NOT VALID");
  const std::string body = mention("Ev0REFUSED1", "C3", "1700000000.000300");
  std::string ts = now_stamp();
  auto event =
      slack_post(a.port, "/slack/events", body, ts, slack_signature(slack_secret, ts, body));
  CHECK(event.status == 503);
  CHECK(event.body.find("database_unavailable") != std::string::npos);
  auto click = slack_form_post(a.port, "/slack/interactions", click_body(question));
  CHECK(click.status == 503);
  CHECK(click.body.find("database_unavailable") != std::string::npos);
  // Neither the event's id nor the click was kept without its job.
  CHECK(c.query("SELECT count(*) FROM seen WHERE key LIKE 'slack/event/%' OR key LIKE "
                "'slack/click/%'")
            .integer(0, 0) == 0);
  CHECK(c.query("SELECT count(*) FROM jobs").integer(0, 0) == 0);
  CHECK(api.calls_to("/api/chat.postMessage").size() == 2);
  CHECK(api.calls_to("/api/chat.update").empty());

  // The database takes jobs again: Slack's retries are served, each once.
  c.exec("ALTER TABLE jobs DROP CONSTRAINT refuse_jobs");
  ts = std::to_string(std::stoll(now_stamp()) + 1);
  CHECK(slack_post(a.port, "/slack/events", body, ts, slack_signature(slack_secret, ts, body))
            .status == 200);
  CHECK(slack_form_post(a.port, "/slack/interactions", click_body(question), ts).status == 200);
  REQUIRE(eventually([&] {
    return api.calls_to("/api/chat.postMessage").size() == 4 &&
           api.calls_to("/api/chat.update").size() == 1;
  }));
  CHECK(eventually([&] { return c.query("SELECT count(*) FROM jobs").integer(0, 0) == 0; }));
  a.p->kill(SIGTERM);
  CHECK(a.p->wait() == 0);
  CHECK(api.calls_to("/api/chat.postMessage").size() == 4);
  CHECK(api.calls_to("/api/chat.update").size() == 1);
  int in_c3 = 0;
  for (const auto& post : api.calls_to("/api/chat.postMessage"))
    if (post.json()["channel"] == "C3") ++in_c3;
  CHECK(in_c3 == 1);
}

TEST_CASE("(q) a Discord interaction while the database cannot be reached gets 503") {
  temp_dir dir;
  pg_database db;
  fake_discord api;
  const ed25519_key key;
  server_process a(dir.file("a"), db.url(), discord_env(key, api));
  const std::string body =
      json{{"id", "1"}, {"application_id", "app-1"}, {"type", 1}, {"token", "t"}, {"version", 1}}
          .dump();
  auto post = [&](const std::string& ts) {
    return signed_post(
        a.port, "/discord/interactions", body,
        {{"X-Signature-Ed25519", key.sign(ts + body)}, {"X-Signature-Timestamp", ts}});
  };
  const std::string ts = now_stamp();
  CHECK(post(ts).status == 200);

  // The database goes away for this instance: its connections are cut, no new one let in.
  storage::pg::connection admin(db.admin_url());
  admin.exec("ALTER DATABASE " + db.name() + " ALLOW_CONNECTIONS false");
  admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> "
      "pg_backend_pid()",
      {db.name()});
  // Fail closed: a signed interaction is not served without being remembered.
  const std::string ts2 = std::to_string(std::stoll(ts) + 1);
  auto down = post(ts2);
  CHECK(down.status == 503);
  CHECK(down.body.find("database_unavailable") != std::string::npos);

  // Back: the instance reconnects by itself, and remembers again.
  admin.exec("ALTER DATABASE " + db.name() + " ALLOW_CONNECTIONS true");
  const std::string ts3 = std::to_string(std::stoll(ts) + 2);
  auto back = post(ts3);
  CHECK(back.status == 200);
  CHECK(json::parse(back.body)["type"] == 1);  // PONG
  CHECK(post(ts3).status == 401);
}

namespace {

// Makes the database unreachable for every instance on `db` (connections cut, none let in),
// until the returned guard's restore() (or its end).
struct database_outage {
  storage::pg::connection admin;
  std::string name;
  bool down = true;
  explicit database_outage(const pg_database& db) : admin(db.admin_url()), name(db.name()) {
    admin.exec("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
    admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> "
        "pg_backend_pid()",
        {name});
  }
  void restore() {
    if (down) admin.exec("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
    down = false;
  }
  ~database_outage() { restore(); }
};

// The number of turns stored for the conversations bound on `channel`, all of them.
std::int64_t turns_on(const pg_database& db, const std::string& channel) {
  storage::pg::connection c(db.url());
  return c
      .query(
          "SELECT count(DISTINCT (e.conversation_id, e.turn)) FROM bindings b JOIN events e ON "
          "e.conversation_id = b.conversation_id WHERE b.channel = $1",
          {channel})
      .integer(0, 0);
}

}  // namespace

TEST_CASE("(r) a Slack event answered 503 - the byte-identical request sent again is served once") {
  temp_dir dir;
  pg_database db;
  fake_slack_api api;
  server_process a(dir.file("a"), db.url(), slack_env(api));
  storage::pg::connection c(db.url());
  const std::string ts = now_stamp();
  auto send = [&](const std::string& body) {
    return slack_post(a.port, "/slack/events", body, ts, slack_signature(slack_secret, ts, body));
  };

  // The job cannot be written; the database answers, so the signature was remembered first.
  const std::string refused = mention("Ev0RESENT1", "C8", "1700000000.000800");
  c.exec("ALTER TABLE jobs ADD CONSTRAINT refuse_jobs CHECK (false) NOT VALID");
  CHECK(send(refused).status == 503);
  c.exec("ALTER TABLE jobs DROP CONSTRAINT refuse_jobs");
  CHECK(c.query("SELECT count(*) FROM seen").integer(0, 0) == 0);  // nothing kept of it
  auto again = send(refused);
  CHECK(again.status == 200);
  CHECK(again.body.find("already received") == std::string::npos);
  CHECK(send(refused).status == 401);  // served now: from here on a replay
  // Its reply before the outage below: a turn the outage interrupts is run again once its job's
  // lease runs out ((u)), which this test's default lease would put past its wait.
  REQUIRE(eventually([&] { return api.calls_to("/api/chat.postMessage").size() == 1; }));

  // The database cannot be reached at all: the signature is not even checked.
  const std::string unreachable = mention("Ev0RESENT2", "C9", "1700000000.000900");
  {
    database_outage outage(db);
    auto down = send(unreachable);
    CHECK(down.status == 503);
    CHECK(down.body.find("database_unavailable") != std::string::npos);
  }
  CHECK(send(unreachable).status == 200);
  CHECK(send(unreachable).status == 401);

  // One reply to each, and no job left (on a new connection: the outage cut `c`).
  REQUIRE(eventually([&] { return api.calls_to("/api/chat.postMessage").size() == 2; }));
  storage::pg::connection after(db.url());
  CHECK(eventually([&] { return after.query("SELECT count(*) FROM jobs").integer(0, 0) == 0; }));
  a.p->kill(SIGTERM);
  CHECK(a.p->wait() == 0);
  std::map<std::string, int> replies;
  for (const auto& post : api.calls_to("/api/chat.postMessage")) ++replies[post.json()["channel"]];
  CHECK(replies == std::map<std::string, int>{{"C8", 1}, {"C9", 1}});
  CHECK(turns_on(db, "slack") == 2);
}

TEST_CASE(
    "(s) a Discord interaction answered 503 - the byte-identical request sent again is served "
    "once") {
  temp_dir dir;
  pg_database db;
  fake_discord api;
  const ed25519_key key;
  server_process a(dir.file("a"), db.url(), discord_env(key, api));
  // `/advisor text:we are a python shop` by U1: a new conversation and its first turn.
  const std::string body =
      json{{"id", "2000000000000000001"},
           {"application_id", "app-1"},
           {"type", 2},
           {"token", "interaction-token-1"},
           {"version", 1},
           {"channel_id", "C1"},
           {"guild_id", "G1"},
           {"member", {{"user", {{"id", "U1"}, {"username", "uU1"}}}, {"roles", json::array()}}},
           {"data",
            {{"id", "1100000000000000001"},
             {"name", "advisor"},
             {"type", 1},
             {"options",
              json::array({{{"name", "text"}, {"type", 3}, {"value", "we are a python shop"}}})}}}}
          .dump();
  const std::string ts = now_stamp();
  const std::string sig = key.sign(ts + body);
  auto post = [&] {
    return signed_post(a.port, "/discord/interactions", body,
                       {{"X-Signature-Ed25519", sig}, {"X-Signature-Timestamp", ts}});
  };
  {
    database_outage outage(db);
    auto down = post();
    CHECK(down.status == 503);
    CHECK(down.body.find("database_unavailable") != std::string::npos);
  }
  // Discord's user tries again: the same interaction, byte for byte, is served.
  auto again = post();
  CHECK(again.status == 200);
  CHECK(again.body.find("replayed") == std::string::npos);
  CHECK(post().status == 401);  // served now: from here on a replay
  CHECK(eventually([&] { return turns_on(db, "discord") == 1; }));
  a.p->kill(SIGTERM);
  CHECK(a.p->wait() == 0);
  CHECK(turns_on(db, "discord") == 1);
}

TEST_CASE(
    "(t) a Slack click and its retry sent to different instances - one update - one next "
    "question") {
  temp_dir dir;
  pg_database db;
  fake_slack_api api;
  server_process a(dir.file("a"), db.url(), slack_env(api));
  server_process b(dir.file("b"), db.url(), slack_env(api));
  // A conversation with a question and its buttons.
  REQUIRE(slack_form_post(a.port, "/slack/commands", command_body("C10", "")).status == 200);
  REQUIRE(eventually([&] { return api.calls_to("/api/chat.postMessage").size() == 2; }));
  const auto question = api.calls_to("/api/chat.postMessage")[1];

  // The click on A, then Slack's retry of it (a new timestamp and signature) on B.
  const std::string body = click_body(question);
  const std::string ts1 = now_stamp();
  const std::string ts2 = std::to_string(std::stoll(ts1) + 1);
  const std::string form_type = "application/x-www-form-urlencoded";
  CHECK(signed_post(a.port, "/slack/interactions", body,
                    {{"Content-Type", form_type},
                     {"X-Slack-Request-Timestamp", ts1},
                     {"X-Slack-Signature", slack_signature(slack_secret, ts1, body)}})
            .status == 200);
  CHECK(signed_post(b.port, "/slack/interactions", body,
                    {{"Content-Type", form_type},
                     {"X-Slack-Request-Timestamp", ts2},
                     {"X-Slack-Signature", slack_signature(slack_secret, ts2, body)},
                     {"X-Slack-Retry-Num", "1"},
                     {"X-Slack-Retry-Reason", "http_timeout"}})
            .status == 200);
  // B found the click in the shared table: a duplicate, no job of its own.
  CHECK(http_get(b.port, "/metrics").find("advisor_slack_duplicates_total{kind=\"click\"} 1") !=
        std::string::npos);
  // A updates the clicked message and posts the next question.
  REQUIRE(eventually([&] {
    return api.calls_to("/api/chat.update").size() == 1 &&
           api.calls_to("/api/chat.postMessage").size() == 3;
  }));
  CHECK(api.calls_to("/api/chat.update")[0].json()["ts"] == question.ts);
  // Both instances have stopped: still exactly one update and one next question.
  a.p->kill(SIGTERM);
  b.p->kill(SIGTERM);
  CHECK(a.p->wait() == 0);
  CHECK(b.p->wait() == 0);
  CHECK(api.calls_to("/api/chat.update").size() == 1);
  CHECK(api.calls_to("/api/chat.postMessage").size() == 3);
  storage::pg::connection c(db.url());
  CHECK(c.query("SELECT count(*) FROM jobs").integer(0, 0) == 0);
}

namespace {

// The Slack replies posted to `channel`, in order.
std::vector<std::string> texts_to(const fake_slack_api& api, const std::string& channel) {
  std::vector<std::string> out;
  for (const auto& post : api.calls_to("/api/chat.postMessage"))
    if (post.json()["channel"] == channel) out.push_back(post.json()["text"]);
  return out;
}

bool apologises(const std::vector<std::string>& texts) {
  return std::any_of(texts.begin(), texts.end(), [](const std::string& t) {
    return t.find("something went wrong") != std::string::npos;
  });
}

// How many times the job of Slack event `event_id` ran without its turn being stored.
std::int64_t deferred_runs(storage::pg::connection& c, const std::string& event_id) {
  auto r = c.query("SELECT payload FROM jobs WHERE id = $1", {"slack/event/" + event_id});
  if (r.rows() == 0) return -1;
  return json::parse(r.text(0, 0)).value("attempts", 0);
}

}  // namespace

TEST_CASE(
    "(u) an acknowledged Slack event whose turn cannot be stored - no apology - answered once "
    "the database takes it") {
  temp_dir dir;
  pg_database db;
  fake_slack_api api;
  server_process a(dir.file("a"), db.url(), short_leases(dir, api));
  storage::pg::connection c(db.url());
  const std::string ts = now_stamp();
  // Jobs are written, turns are not: the event is acknowledged, its turn fails.
  c.exec("ALTER TABLE events ADD CONSTRAINT refuse_turns CHECK (false) NOT VALID");
  const std::string body = mention("Ev0LATER1", "C11", "1700000000.001100");
  REQUIRE(slack_post(a.port, "/slack/events", body, ts, slack_signature(slack_secret, ts, body))
              .status == 200);
  REQUIRE(eventually([&] { return deferred_runs(c, "Ev0LATER1") >= 1; }));
  CHECK(texts_to(api, "C11").empty());  // nothing said: not "please try again"
  CHECK(turns_on(db, "slack") == 0);

  // The database takes turns again: the job runs again when its lease runs out, and answers.
  c.exec("ALTER TABLE events DROP CONSTRAINT refuse_turns");
  REQUIRE(eventually([&] { return texts_to(api, "C11").size() == 1; }));
  CHECK_FALSE(apologises(texts_to(api, "C11")));
  CHECK(eventually([&] { return deferred_runs(c, "Ev0LATER1") == -1; }));  // the job is done
  CHECK(http_get(a.port, "/metrics").find("advisor_slack_jobs_deferred_total") !=
        std::string::npos);
  a.p->kill(SIGTERM);
  CHECK(a.p->wait() == 0);
  CHECK(texts_to(api, "C11").size() == 1);
  CHECK(turns_on(db, "slack") == 1);
}

TEST_CASE(
    "(v) a Slack event whose turn can never be stored - one apology after its last run - no "
    "job left") {
  temp_dir dir;
  pg_database db;
  fake_slack_api api;
  server_process a(dir.file("a"), db.url(), short_leases(dir, api));
  storage::pg::connection c(db.url());
  c.exec("ALTER TABLE events ADD CONSTRAINT refuse_turns CHECK (false) NOT VALID");
  const std::string ts = now_stamp();
  const std::string body = mention("Ev0NEVER1", "C12", "1700000000.001200");
  REQUIRE(slack_post(a.port, "/slack/events", body, ts, slack_signature(slack_secret, ts, body))
              .status == 200);
  // Five runs in all, one lease (2 s) apart, then the apology.
  for (int i = 0; i < 800 && texts_to(api, "C12").empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(texts_to(api, "C12").size() == 1);
  CHECK(apologises(texts_to(api, "C12")));
  CHECK(eventually([&] { return deferred_runs(c, "Ev0NEVER1") == -1; }));
  CHECK(turns_on(db, "slack") == 0);
  a.p->kill(SIGTERM);
  CHECK(a.p->wait() == 0);
  CHECK(texts_to(api, "C12").size() == 1);
}

TEST_CASE(
    "(w) an instance killed after acknowledging a Slack event - before its turn commits - the "
    "other one answers it once") {
  temp_dir dir;
  pg_database db;
  fake_slack_api api;
  const auto env = short_leases(dir, api);
  server_process a(dir.file("a"), db.url(), env);
  storage::pg::connection lock(db.url());
  storage::pg::connection watch(db.url());
  // Turns cannot commit while the test holds the events table: reads go on, writes wait.
  lock.exec("BEGIN");
  lock.exec("LOCK TABLE events IN EXCLUSIVE MODE");
  const std::string ts = now_stamp();
  const std::string body = mention("Ev0MIDTURN1", "C13", "1700000000.001300");
  REQUIRE(slack_post(a.port, "/slack/events", body, ts, slack_signature(slack_secret, ts, body))
              .status == 200);
  // A's commit waits for the lock; then A dies.
  REQUIRE(eventually([&] {
    return watch
               .query(
                   "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                   "AND wait_event_type = 'Lock'")
               .integer(0, 0) >= 1;
  }));
  a.p->kill(SIGKILL);
  a.p->wait();
  lock.exec("COMMIT");
  CHECK(api.calls_to("/api/chat.postMessage").empty());

  // B takes the job over once A's lease has run out: one reply, one turn, no job left.
  server_process b(dir.file("b"), db.url(), env);
  REQUIRE(eventually([&] { return !api.calls_to("/api/chat.postMessage").empty(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // two more sweeps: nothing more
  const auto posts = api.calls_to("/api/chat.postMessage");
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].json()["channel"] == "C13");
  CHECK(posts[0].json()["text"].get<std::string>().find("something went wrong") ==
        std::string::npos);
  CHECK(turns_on(db, "slack") == 1);
  CHECK(watch.query("SELECT count(*) FROM jobs").integer(0, 0) == 0);
  b.p->kill(SIGTERM);
  CHECK(b.p->wait() == 0);
}
