#include "adapters/common/protocol.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "support.hpp"

using namespace advisor;
using nlohmann::json;

TEST_CASE("the JSON protocol: start - choose - resume - and errors that keep the session") {
  test::temp_dir dir;
  auto app = test::open_test_app(dir.str());
  bot::json_session s(*app->service, "web");

  auto frames = s.handle(R"({"type":"start"})");
  REQUIRE(frames.size() == 2);
  json session = json::parse(frames[0]);
  CHECK(session["type"] == "session");
  CHECK(session["resumed"] == false);
  std::string token = session["session"];
  CHECK(token.size() == 32);
  json reply = json::parse(frames[1]);
  CHECK(reply["type"] == "reply");
  CHECK(reply["question"] == "context");
  CHECK(reply["progress"]["step"] == 1);
  CHECK(reply["options"][0]["id"] == "startup");

  auto error_code = [&](const std::string& frame) {
    auto out = s.handle(frame);
    REQUIRE(out.size() >= 1);
    return json::parse(out[0]).value("code", std::string{});
  };
  CHECK(error_code("{not json") == "invalid_json");
  CHECK(error_code("[1,2]") == "invalid_json");
  CHECK(error_code(R"({"type":"dance"})") == "unknown_type");
  CHECK(error_code(R"({"text":"hi"})") == "unknown_type");
  CHECK(error_code(R"({"type":"choose","option":"nope"})") == "unknown_option");
  CHECK(error_code(R"({"type":"message","text":42})") == "invalid_message");
  CHECK(error_code(std::string(70000, ' ')) == "too_large");
  CHECK(error_code("{\"type\":\"message\",\"text\":\"\xff\xfe\"}") == "invalid_json");

  reply = json::parse(s.handle(R"({"type":"choose","option":"individual"})").at(0));
  CHECK(reply["question"] == "individual_goal");

  // A new connection resumes with the token; an unknown token is refused.
  bot::json_session other(*app->service, "web");
  CHECK(json::parse(other.handle(R"({"type":"start","session":"0123"})").at(0))["code"] ==
        "bad_session");
  frames = other.handle(json({{"type", "start"}, {"session", token}}).dump());
  REQUIRE(frames.size() == 2);
  CHECK(json::parse(frames[0])["resumed"] == true);
  CHECK(json::parse(frames[1])["question"] == "individual_goal");
  // A stale button (for a question already answered) changes nothing.
  frames = other.handle(R"({"type":"choose","option":"startup","question":"context"})");
  CHECK(json::parse(frames[0])["code"] == "stale_option");
  CHECK(json::parse(frames[1])["question"] == "individual_goal");
}

TEST_CASE(
    "a web session reaches only web conversations: other channels' keys and conversation ids are "
    "refused") {
  test::temp_dir dir;
  auto app = test::open_test_app(dir.str());
  // A Slack user's and a Discord user's conversations, one step in.
  auto slack = app->service->start({"slack", "T1/C1/1700000000.000100/U1"}, "startup", true);
  auto discord = app->service->start({"discord", "G1/C1/U1"}, "startup", true);
  bot::json_session web(*app->service, "web");
  for (const std::string& guess :
       {std::string("T1/C1/1700000000.000100/U1"), std::string("G1/C1/U1"), slack.conversation,
        discord.conversation, std::string(32, '0')}) {
    CAPTURE(guess);
    auto frames = web.handle(json({{"type", "start"}, {"session", guess}}).dump());
    REQUIRE(frames.size() == 1);
    CHECK(json::parse(frames[0])["code"] == "bad_session");
    // And the connection has no session to act on either.
    CHECK(json::parse(web.handle(R"({"type":"choose","option":"startup"})").at(0))["code"] ==
          "bad_session");
  }
  CHECK(app->service->current({"slack", "T1/C1/1700000000.000100/U1"})->seq == slack.seq);
  CHECK(app->service->current({"discord", "G1/C1/U1"})->seq == discord.seq);
  // Tokens are 128 random bits: 32 hex digits, never the same twice.
  std::set<std::string> tokens;
  for (int i = 0; i < 1000; ++i) tokens.insert(bot::random_token());
  CHECK(tokens.size() == 1000);
  CHECK(tokens.begin()->size() == 32);
}

TEST_CASE("the final reply carries the recommendation") {
  test::temp_dir dir;
  auto app = test::open_test_app(dir.str());
  bot::json_session s(*app->service, "web");
  json reply = json::parse(s.handle(R"({"type":"start"})").at(1));
  std::map<std::string, std::string> persona{
      {"context", "individual"}, {"individual_goal", "know_js"},
      {"workload", "web"},       {"realtime", "no"},
      {"data", "none"},          {"priority", "none"},
      {"review", "confirm"}};
  for (int i = 0; i < 10 && !reply.contains("recommendation"); ++i) {
    std::string q = reply["question"];
    reply =
        json::parse(s.handle(json({{"type", "choose"}, {"option", persona.at(q)}}).dump()).at(0));
  }
  REQUIRE(reply.contains("recommendation"));
  auto rec = reply["recommendation"];
  CHECK(rec["choice"] == "nodejs");
  CHECK(rec["confidence"].get<double>() > 0.5);
  CHECK(rec["scores"].contains("python"));
  CHECK(rec["scores"].contains("nodejs"));
  CHECK(!rec["reasons"].empty());
  CHECK(!rec["reasons"][0]["sources"].empty());
}

TEST_CASE("an error frame starts with its code (the web server counts errors by that prefix)") {
  auto f = bot::error_frame("stale_option",
                            "That button belongs to a question that has already been answered.");
  CHECK(f.rfind("{\"code\":\"stale_option\"", 0) == 0);
  auto j = nlohmann::json::parse(f);
  CHECK(j["type"] == "error");
  CHECK(j["message"] == "That button belongs to a question that has already been answered.");
}

TEST_CASE("a resuming start with \"history\" gets the earlier messages - in the advisor's words") {
  test::temp_dir dir;
  std::string token;
  // What the user saw: every message, in order (the advisor's and the user's own).
  std::vector<std::pair<std::string, std::string>> seen;
  {
    auto app = test::open_test_app(dir.str());
    bot::json_session s(*app->service, "web");
    auto frames = s.handle(R"({"type":"start"})");
    token = json::parse(frames[0])["session"];
    json reply = json::parse(frames[1]);
    seen.emplace_back("advisor", reply["text"]);
    auto say = [&](const std::string& frame, const std::string& shown) {
      reply = json::parse(s.handle(frame).at(0));
      REQUIRE(reply["type"] == "reply");
      seen.emplace_back("user", shown);
      seen.emplace_back("advisor", reply["text"]);
    };
    // A button, a typed answer, an undo and the same button again.
    say(R"({"type":"choose","option":"individual","question":"context"})",
        "Just me, as an individual developer");
    CHECK(reply["question"] == "individual_goal");
    std::string label;
    for (const auto& o : reply["options"])
      if (o["id"] == "know_js") label = o["label"];
    REQUIRE(!label.empty());
    say(json({{"type", "choose"}, {"option", "know_js"}, {"question", "individual_goal"}}).dump(),
        label);
    say(R"({"type":"message","text":"back"})", "back");
    CHECK(reply["question"] == "individual_goal");
    say(json({{"type", "choose"}, {"option", "know_js"}, {"question", "individual_goal"}}).dump(),
        label);
    // A turn that changes nothing is not in the event log, so not in the history either.
    reply = json::parse(s.handle(R"({"type":"message","text":"help"})").at(0));
    CHECK(reply["understood"] == "help");

    // Resumed by the same service: the history comes from what it keeps of the log.
    bot::json_session again(*app->service, "web");
    frames = again.handle(json({{"type", "start"}, {"session", token}, {"history", true}}).dump());
    REQUIRE(frames.size() == 2);
    json resumed = json::parse(frames[1]);
    REQUIRE(resumed.contains("history"));
    REQUIRE(resumed["history"].size() == seen.size());
    for (std::size_t i = 0; i < seen.size(); ++i) {
      CAPTURE(i);
      CHECK(resumed["history"][i]["from"] == seen[i].first);
      CHECK(resumed["history"][i]["text"] == seen[i].second);
    }
    // Without "history", a resume carries none (a reconnecting client already shows it).
    bot::json_session plain(*app->service, "web");
    frames = plain.handle(json({{"type", "start"}, {"session", token}}).dump());
    CHECK_FALSE(json::parse(frames[1]).contains("history"));
  }
  // After a restart of the server: read back from the database, with the time of each turn.
  auto app = test::open_test_app(dir.str());
  bot::json_session s(*app->service, "web");
  auto frames = s.handle(json({{"type", "start"}, {"session", token}, {"history", true}}).dump());
  REQUIRE(frames.size() == 2);
  json history = json::parse(frames[1])["history"];
  REQUIRE(history.size() == seen.size());
  for (std::size_t i = 0; i < seen.size(); ++i) {
    CAPTURE(i);
    CHECK(history[i]["from"] == seen[i].first);
    CHECK(history[i]["text"] == seen[i].second);
    // The greeting has no event of its own, so no time; every turn after it has one.
    if (i > 0) {
      REQUIRE(history[i].contains("at"));
      std::string at = history[i]["at"];
      CHECK(at.size() == 24);
      CHECK(at[10] == 'T');
      CHECK(at.back() == 'Z');
    }
  }
  CHECK(json::parse(s.handle(R"({"type":"start","session":"x","history":1})").at(0))["code"] ==
        "invalid_message");
}

TEST_CASE("a typed answer comes back in the history as the words it was taken from") {
  test::temp_dir dir;
  auto app = test::open_test_app(dir.str());
  bot::json_session s(*app->service, "web");
  auto frames = s.handle(R"({"type":"start"})");
  std::string token = json::parse(frames[0])["session"];
  // A typed answer: the event keeps the words that gave it.
  json reply = json::parse(s.handle(R"({"type":"message","text":"individual"})").at(0));
  REQUIRE(reply["question"] == "individual_goal");
  bot::json_session again(*app->service, "web");
  frames = again.handle(json({{"type", "start"}, {"session", token}, {"history", true}}).dump());
  json history = json::parse(frames[1])["history"];
  REQUIRE(history.size() == 3);
  CHECK(history[1]["from"] == "user");
  CHECK(history[1]["text"] == "individual");
  CHECK(history[2]["text"] == reply["text"]);
}
