// advisor-bench's reply scanner (bench/reply_scan.hpp) against nlohmann::json's full parse, on
// the advisor's own frames: every shape of docs/protocol.md as the real protocol code writes it
// (session, reply with its stages, notices, understood commands, the recommendation and the
// history, every error code), and the same frames re-serialised, escaped and cut short.
#include "bench/reply_scan.hpp"

#include <doctest/doctest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "adapters/common/protocol.hpp"
#include "support.hpp"

using namespace advisor;
using nlohmann::json;

namespace {

std::string string_or_empty(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The scanner's fields equal the full parse's, for one frame.
void same_as_parser(const std::string& frame) {
  CAPTURE(frame.substr(0, 300));
  bench::reply_fields f;
  bool scanned = bench::scan_reply(frame, f);
  json j = json::parse(frame, nullptr, false);
  REQUIRE(scanned == j.is_object());
  if (!scanned) return;
  CHECK(f.type == string_or_empty(j, "type"));
  CHECK(f.question == string_or_empty(j, "question"));
  CHECK(f.code == string_or_empty(j, "code"));
  CHECK(f.finished == (j.contains("finished") && j["finished"] == true));
  CHECK(f.recommendation == j.contains("recommendation"));
  bool has_options = j.contains("options") && j["options"].is_array();
  CHECK(f.has_options == has_options);
  CHECK(f.options == (has_options ? j["options"].size() : 0));
  std::string first =
      has_options && !j["options"].empty() ? string_or_empty(j["options"][0], "id") : "";
  CHECK(f.first_option == first);
}

// Drives real conversations through bot::json_session and keeps every frame the advisor sent.
struct frames_seen {
  std::vector<std::string> all;
  std::set<std::string> types, codes, stages, notices, understood;
  bool recommendation = false, history = false;

  std::vector<std::string> keep(std::vector<std::string> frames) {
    for (const auto& f : frames) {
      all.push_back(f);
      json j = json::parse(f);
      types.insert(j.value("type", ""));
      if (j.contains("code")) codes.insert(j["code"].get<std::string>());
      if (j.contains("stage")) stages.insert(j["stage"].get<std::string>());
      if (j.contains("notice")) notices.insert(j["notice"].get<std::string>());
      if (j.contains("understood")) understood.insert(j["understood"].get<std::string>());
      recommendation |= j.contains("recommendation");
      history |= j.contains("history");
    }
    return frames;
  }
};

frames_seen real_frames(const std::string& data_dir) {
  frames_seen seen;
  auto app = test::open_test_app(data_dir);
  bot::json_session s(*app->service, "web");
  auto say = [&](const json& frame) { return seen.keep(s.handle(frame.dump())); };

  auto frames = say({{"type", "start"}});
  std::string token = json::parse(frames.at(0))["session"];
  // A whole conversation the way advisor-bench drives it: the first option at every question,
  // confirm at the review, up to the recommendation; then its commands.
  json reply = json::parse(frames.at(1));
  for (int i = 0; i < 30 && !reply.contains("recommendation"); ++i) {
    std::string q = reply["question"];
    std::string option = q == "review" ? "confirm" : reply["options"][0]["id"].get<std::string>();
    reply = json::parse(say({{"type", "choose"}, {"option", option}, {"question", q}}).at(0));
  }
  for (const char* command : {"why", "summary", "status", "help", "compare performance"})
    say({{"type", "message"}, {"text", command}});
  say({{"type", "choose"}, {"option", "restart"}, {"question", ""}});

  // Typed answers, a proposal to confirm, undo, a question, words that match nothing.
  for (const char* o : {"startup", "validate", "realtime", "javascript", "none", "low"})
    say({{"type", "message"}, {"text", o}});
  say({{"type", "message"}, {"text", "tens of thousands of people drawing at once at peak"}});
  say({{"type", "message"}, {"text", "yes"}});
  say({{"type", "message"}, {"text", "back"}});
  say({{"type", "message"}, {"text", "is Python \"slow\"?\\ <script>"}});
  say({{"type", "message"}, {"text", "purple elephants \xE2\x80\x94 \xF0\x9F\x90\x98"}});
  say({{"type", "message"}, {"text", ""}});
  say({{"type", "message"}, {"text", std::string(2100, 'x')}});

  // Every error the session answers with, and a stale button.
  say({{"type", "choose"}, {"option", "startup"}, {"question", "context"}});
  say({{"type", "choose"}, {"option", "nope"}});
  seen.keep(s.handle("{not json"));
  seen.keep(s.handle("[1,2]"));
  say({{"type", "dance"}});
  say({{"type", "message"}, {"text", 42}});
  seen.keep(s.handle(std::string(70000, ' ')));
  say({{"type", "start"}, {"framework", "no-such-framework"}});
  say({{"type", "start"}, {"framework", "python-web"}});
  bot::json_session fresh(*app->service, "web");
  seen.keep(fresh.handle(R"({"type":"choose","option":"startup"})"));
  seen.keep(fresh.handle(R"({"type":"start","session":"0123"})"));
  // A resume with the history.
  seen.keep(fresh.handle(json({{"type", "start"}, {"session", token}, {"history", true}}).dump()));
  // The errors the web server adds, through the same function it calls.
  seen.all.push_back(bot::error_frame("rate_limited", "Too many messages; slow down."));
  seen.all.push_back(bot::error_frame("internal", "Something went wrong on our side."));
  seen.types.insert("error");
  return seen;
}

}  // namespace

TEST_CASE(
    "the bench's reply scanner reads what the full parser reads - on every real reply shape") {
  test::temp_dir dir;
  frames_seen seen = real_frames(dir.str());
  // The frames cover the shapes of docs/protocol.md.
  CHECK(seen.types == std::set<std::string>{"session", "reply", "error"});
  CHECK(seen.stages == std::set<std::string>{"asking", "confirming", "reviewing", "recommended"});
  for (std::string code : {"invalid_json", "unknown_type", "invalid_message", "bad_session",
                           "too_large", "unknown_option", "stale_option", "unknown_framework"}) {
    CAPTURE(code);
    CHECK(seen.codes.count(code) == 1);
  }
  // (An empty text is refused by the session as invalid_message before the engine's notice.)
  for (std::string notice : {"no_match", "too_long", "stale"}) {
    CAPTURE(notice);
    CHECK(seen.notices.count(notice) == 1);
  }
  CHECK(seen.understood.count("why") == 1);
  CHECK(seen.recommendation);
  CHECK(seen.history);

  for (const auto& frame : seen.all) {
    same_as_parser(frame);
    json j = json::parse(frame);
    // Whitespace between tokens, and every non-ASCII character as a \u escape.
    same_as_parser(j.dump(2));
    same_as_parser(j.dump(-1, ' ', true));
    // Another key order (nlohmann sorts the keys) and the fields it reads escaped.
    json escaped = j;
    for (const char* key : {"type", "question", "code"})
      if (escaped.contains(key) && escaped[key].is_string())
        escaped[key] = escaped[key].get<std::string>() + "\"\\\n\xC3\xA9";
    same_as_parser(escaped.dump(-1, ' ', true));
    // Cut short anywhere: never valid, as the parser says.
    for (std::size_t n = 0; n < frame.size(); n += 1 + frame.size() / 97)
      same_as_parser(frame.substr(0, n));
  }
}

TEST_CASE("the bench's reply scanner - fields where the advisor never puts them") {
  // Keys of the same names inside nested values are not the top level's.
  same_as_parser(
      R"({"recommendation":{"type":"x","question":"q","finished":true,"options":[{"id":"a"}]},)"
      R"("text":"\"question\":\"no\"","type":"reply","options":[{"label":"l","id":"b\u00e9\ud83d\ude00"},{"id":"c"}]})");
  // Other value types for the fields it reads, and duplicate keys (the last one counts).
  same_as_parser(R"({"type":1,"question":null,"finished":"true","options":{"id":"a"}})");
  same_as_parser(R"({"type":"error","type":"reply","finished":true,"finished":false})");
  same_as_parser(R"({"options":[[],{"id":"x"}],"code":"c"})");
  same_as_parser(R"({"options":[],"finished" : true } )");
  same_as_parser("{}");
  for (const char* bad : {"", "[]", "\"reply\"", "{", "{\"type\"}", "{\"type\":\"reply\"",
                          "{\"type\":\"reply\"} x", "{\"type\":\"\\q\"}", "{\"type\":\"\\ud800\"}"})
    same_as_parser(bad);
}
