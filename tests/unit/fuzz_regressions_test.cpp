// Inputs the fuzz targets (fuzz/, scripts/fuzz) found crashing or misbehaving, replayed through
// the same functions, with the behaviour each fix promises. The inputs themselves are also in
// fuzz/corpus/<target>/ so that every fuzz run starts from them.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "adapters/common/worker_pool.hpp"
#include "adapters/discord/discord.hpp"
#include "adapters/slack/blocks.hpp"
#include "bot/infra/config.hpp"
#include "dialogue/framework.hpp"
#include "knowledge/knowledge.hpp"
#include "request_signing.hpp"
#include "support.hpp"

using nlohmann::json;
using namespace advisor;

namespace {

// A framework whose first question has a problem: `space` stands between "id": and its value.
std::string framework_with(const std::string& first_question_id, const std::string& space = " ") {
  return R"({"id": "t", "version": "1", "title": "T",
  "stacks": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}],
  "questions": [
    {"id":)" +
         space + "\"" + first_question_id +
         R"(", "text": "First?", "requires_phrase": true, "options": [
      {"id": "x", "label": "X", "scores": {"a": 1}, "facts": ["f1"]}]},
    {"id": "q2", "text": "Second?", "options": [
      {"id": "z", "label": "Z", "scores": {"b": 2}, "facts": ["f2"]}]}
  ]
})";
}

bot::config load_config_text(const test::temp_dir& dir, const std::string& text) {
  std::string file = dir.file("advisor.json");
  std::ofstream(file) << text;
  return bot::load_config(file);
}

}  // namespace

TEST_SUITE("fuzz regressions") {
  TEST_CASE(
      "fuzz_loader: a very long id or run of spaces in a framework is read without recursion") {
    // Positions in messages were found with std::regex, which recursed once per matched
    // character: a 20,000-character id or 30,000 spaces after "id": overflowed the stack.
    for (const auto& text :
         {framework_with(std::string(20000, 'q')), framework_with("q1", std::string(30000, ' ')),
          framework_with("q1", "\n\t ")}) {
      auto problems = dialogue::validate_framework(text, "long.json");
      REQUIRE(problems.size() == 1);
      CHECK(problems.front().problem().ends_with("requires a phrase but lists no \"phrases\""));
      CHECK(problems.front().line() == 4);  // where the question's "id" is written
      CHECK_THROWS_AS(dialogue::parse_framework(text, "long.json"), dialogue::load_error);
    }
  }

  TEST_CASE("fuzz_loader: config numbers out of range are refused - not converted") {
    // 1e30 as an int was undefined behaviour (UBSan: "outside the range of representable
    // values"), and -1 as an unsigned wrapped around to 4294967295 seconds.
    test::temp_dir dir;
    for (const char* text :
         {R"({"port": 1e30})", R"({"port": -1})", R"({"port": 65536})", R"({"port": 80.5})",
          R"({"threads": 1e30})", R"({"threads": 0})", R"({"threads": 18446744073709551615})",
          R"({"idle_timeout_seconds": -1})", R"({"request_timeout_seconds": 1e300})"}) {
      INFO(std::string(text));
      try {
        load_config_text(dir, text);
        FAIL("accepted");
      } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find("must be a whole number from") != std::string::npos);
        CHECK(std::string(e.what()).find("advisor.json:1: ") != std::string::npos);
      }
    }
    auto c = load_config_text(
        dir, R"({"port": 8080.0, "threads": 256, "idle_timeout_seconds": 4294967295})");
    CHECK(c.port == 8080);
    CHECK(c.threads == 256);
    CHECK(c.idle_timeout_seconds == 4294967295u);
    CHECK_THROWS_WITH_AS(load_config_text(dir, "{\n  \"port\": \"eighty\"\n}"),
                         doctest::Contains("advisor.json:2: \"port\" has the wrong type"),
                         std::runtime_error);
  }

  TEST_CASE(
      "fuzz_loader: a number too large for a double is refused as invalid JSON - not thrown") {
    // nlohmann/json reports 1e400 as out_of_range, not parse_error: it escaped every loader.
    const std::string text =
        R"({"threads": 1e3111111111111111111111111111111111111111111111111111111111111110})";
    for (auto load : {+[](const std::string& t) { dialogue::parse_framework(t, "x.json"); },
                      +[](const std::string& t) { knowledge::parse_knowledge(t, "x.json"); }}) {
      try {
        load(text);
        FAIL("accepted");
      } catch (const dialogue::load_error& e) {
        CHECK(e.problem().starts_with("not valid JSON: number overflow parsing '1e311"));
      }
    }
    auto problems = dialogue::validate_framework(R"({"stacks": [1e400]})", "x.json");
    REQUIRE(problems.size() == 1);
    CHECK(problems.front().problem() == "not valid JSON: number overflow parsing '1e400'");
    test::temp_dir dir;
    CHECK_THROWS_WITH_AS(load_config_text(dir, text),
                         doctest::Contains("advisor.json: not valid JSON: a number is too large"),
                         std::runtime_error);
  }

  TEST_CASE("fuzz_slack: a click whose message holds odd blocks still retires the buttons") {
    // The blocks come back in the click's payload; json::value threw on a number or on a
    // non-string "type", in the worker after the answer was stored, so no reply was sent.
    json blocks = json::array({1,
                               "text",
                               {{"type", 5}},
                               {{"type", "section"}, {"text", "kept"}},
                               {{"type", "actions"}, {"elements", json::array()}},
                               {{"no_type", true}}});
    json out = slack::retire_buttons(blocks, "done");
    REQUIRE(out.size() == 4);
    CHECK(out[0] == json{{"type", 5}});
    CHECK(out[1]["text"] == "kept");
    CHECK(out[2] == json{{"no_type", true}});
    CHECK(out[3]["type"] == "context");
    CHECK(slack::retire_buttons(json("not blocks"), "done").size() == 1);
  }

  TEST_CASE("fuzz_discord: an interaction type that is not a small integer is refused with 400") {
    // json::value("type", 0) threw type_error on "type":"2" (uncaught in the handler) and
    // converted 1e30 to int, which is undefined behaviour.
    test::temp_dir dir;
    auto app = test::open_test_app(dir.file("data"));
    test::ed25519_key key;
    bot::discord_config cfg;
    cfg.public_key = key.public_hex();
    adapters::worker_pool pool(1);
    discord::adapter_options opts;
    opts.clock = [] { return std::int64_t{1700000000}; };
    discord::adapter adapter(cfg, *app->service, pool, opts);
    int n = 0;
    for (const char* type : {R"("2")", "1e30", "-1", "18446744073709551615", "2.5", "null", "[]"}) {
      INFO(std::string(type));
      std::string body =
          std::string(R"({"type":)") + type +
          R"(,"token":"t","channel_id":"C1","user":{"id":"U1"},"data":{"name":"advisor"}})";
      adapters::http_request req;
      req.method = "POST";
      req.path = "/discord/interactions";
      req.body = body;
      std::string ts = std::to_string(1700000000 + n++);  // each its own signature: no replay
      req.headers = {{"x-signature-timestamp", ts}, {"x-signature-ed25519", key.sign(ts + body)}};
      auto r = adapter.handle(req);
      CHECK(r.status == 400);
      CHECK(json::parse(r.body)["error"] == "unsupported_interaction");
    }
  }
}
