// Kill-and-restart: many conversations over the WebSocket, the server killed with SIGKILL at
// random moments several times, restarted on the same data directory each time. Every answer
// the advisor acknowledged (its reply arrived) must still be there; every conversation must
// resume at the right question; the database must pass PRAGMA integrity_check after each kill.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "process.hpp"
#include "support.hpp"

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using nlohmann::json;
using namespace advisor::test;

namespace {

constexpr int conversations = 12;
constexpr int kills = 4;

struct server_process {
  std::unique_ptr<process> p;
  std::uint16_t port = 0;
  server_process(const temp_dir& dir) {
    p = std::make_unique<process>(
        std::vector<std::string>{ADVISOR_BINARY, "--data-dir", dir.file("data"), "serve", "--port",
                                 "0"},
        std::vector<std::string>{"ADVISOR_LOG_LEVEL=warn"});
    auto line = p->read_line(std::chrono::seconds(20));
    REQUIRE_MESSAGE(line.has_value(), "advisor serve did not start");
    auto colon = line->rfind(':');
    port = static_cast<std::uint16_t>(std::stoi(line->substr(colon + 1)));
  }
};

// What the client knows for sure about one conversation.
struct ledger {
  std::string token;
  std::string question;    // the question of the last reply received
  int step = 0;            // its progress step
  bool in_flight = false;  // an answer was sent and no reply came back
};

struct ws_client {
  net::io_context ioc;
  websocket::stream<tcp::socket> ws{ioc};
  explicit ws_client(std::uint16_t port) {
    ws.next_layer().connect({net::ip::make_address("127.0.0.1"), port});
    ws.handshake("127.0.0.1", "/ws");
  }
  json receive() {
    beast::flat_buffer b;
    ws.read(b);
    return json::parse(beast::buffers_to_string(b.data()));
  }
};

// Drives one conversation until the connection breaks. Restarts at the recommendation.
void drive(std::uint16_t port, ledger& l, std::mutex& m, unsigned seed) {
  std::mt19937 rng(seed);
  try {
    ws_client c(port);
    c.ws.write(net::buffer(l.token.empty() ? json{{"type", "start"}}.dump()
                                           : json{{"type", "start"}, {"session", l.token}}.dump()));
    json session = c.receive();
    json reply = c.receive();
    {
      std::lock_guard lock(m);
      l.token = session["session"];
      l.question = reply["question"];
      l.step = reply["progress"]["step"];
    }
    for (;;) {
      std::string option;
      if (reply.value("finished", false))
        option = "restart";
      else if (reply["question"] == "review")
        option = "confirm";
      else {
        auto& opts = reply["options"];
        option = opts[rng() % (opts.size() - 1)]["id"];  // never "Not sure" (last)
      }
      {
        std::lock_guard lock(m);
        l.in_flight = true;
      }
      c.ws.write(net::buffer(json{{"type", "choose"}, {"option", option}}.dump()));
      reply = c.receive();
      std::lock_guard lock(m);
      l.in_flight = false;
      l.question = reply["question"];
      l.step = reply["progress"]["step"];
    }
  } catch (const std::exception&) {
    // The server went away: what the ledger says is what was acknowledged.
  }
}

std::string integrity(const std::string& db) {
  sqlite3* h = nullptr;
  sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, nullptr);
  std::string out = sqlite3_step(st) == SQLITE_ROW
                        ? reinterpret_cast<const char*>(sqlite3_column_text(st, 0))
                        : "?";
  sqlite3_finalize(st);
  sqlite3_close(h);
  return out;
}

}  // namespace

TEST_CASE("SIGKILL at random moments loses nothing acknowledged") {
  temp_dir dir;
  std::vector<ledger> ledgers(conversations);
  std::mutex m;
  std::mt19937 rng(20261123);
  int checked = 0;
  for (int round = 0; round <= kills; ++round) {
    server_process server(dir);
    // Every conversation resumes where the ledger says (or one step on, if its last answer
    // was in flight when the server died: stored, but the reply never arrived).
    for (auto& l : ledgers) {
      if (l.token.empty()) continue;
      ws_client c(server.port);
      c.ws.write(net::buffer(json{{"type", "start"}, {"session", l.token}}.dump()));
      json session = c.receive();
      REQUIRE(session["type"] == "session");
      CHECK(session["resumed"] == true);
      json reply = c.receive();
      int step = reply["progress"]["step"];
      if (l.in_flight) {
        CHECK((step == l.step || step == l.step + 1 || step == 1));
      } else {
        CHECK(step == l.step);
        CHECK(reply["question"] == l.question);
      }
      l.question = reply["question"];
      l.step = step;
      l.in_flight = false;
      ++checked;
    }
    if (round == kills) {
      server.p->kill(SIGTERM);
      CHECK(server.p->wait() == 0);
      break;
    }
    std::vector<std::thread> clients;
    for (int i = 0; i < conversations; ++i)
      clients.emplace_back(drive, server.port, std::ref(ledgers[static_cast<std::size_t>(i)]),
                           std::ref(m), rng());
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 700));
    server.p->kill(SIGKILL);
    CHECK(server.p->wait() == 128 + SIGKILL);
    for (auto& t : clients) t.join();
    CHECK(integrity(dir.file("data") + "/advisor.db") == "ok");
  }
  MESSAGE("kills: " << kills << ", conversations resumed and checked: " << checked);
  CHECK(checked >= conversations * kills);
}
