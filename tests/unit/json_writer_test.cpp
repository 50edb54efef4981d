// The reply writer must produce exactly what a JSON parser reads back.
#include "adapters/common/json_writer.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "adapters/common/protocol.hpp"

using nlohmann::json;
using namespace advisor;

namespace {

std::string as_json_string(std::string_view s) {
  std::string out;
  bot::append_json_string(out, s);
  return out;
}

}  // namespace

TEST_CASE("strings are escaped so a parser reads back the same text") {
  const std::vector<std::string> samples{
      "",
      "plain",
      "quote \" and backslash \\",
      "new\nline\ttab\rreturn\bback\fform",
      std::string("nul \0 inside", 12),
      "\x01\x1f control",
      "caf\xC3\xA9, \xE2\x82\xAC, \xF0\x9F\x98\x80",  // é, €, an emoji
      "</script><script>alert(1)</script>",
      "'; DROP TABLE events; --",
  };
  for (const auto& s : samples) {
    CAPTURE(s);
    auto back = json::parse(as_json_string(s));
    CHECK(back.get<std::string>() == s);
    CHECK(as_json_string(s) == json(s).dump());  // the same text nlohmann writes
  }
}

TEST_CASE("a byte that needs escaping is found wherever it sits in a long plain run") {
  // Plain runs are scanned 8 bytes at a time: every special byte, at every offset of strings
  // of many lengths, must still be escaped exactly as nlohmann escapes it.
  const std::vector<std::string> specials{
      "\"",   "\\",       "\n",           std::string(1, '\0'), "\x01", "\x1f",
      "\x7f", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",   " ",    "~"};
  for (std::size_t length = 0; length <= 40; ++length) {
    for (std::size_t at = 0; at <= length; ++at) {
      for (const auto& special : specials) {
        std::string text(length, 'a');
        text.insert(at, special);
        CAPTURE(text);
        CHECK(as_json_string(text) == json(text).dump());
      }
    }
  }
}

TEST_CASE("bytes that are not UTF-8 become U+FFFD and the output stays valid JSON") {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"\xFF", "\xEF\xBF\xBD"},
      {"a\xC3", "a\xEF\xBF\xBD"},                                                // cut short
      {"\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},                                  // overlong '/'
      {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},                  // a surrogate
      {"\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // above U+10FFFF
  };
  for (const auto& [in, expected] : cases) {
    CAPTURE(in);
    CHECK(json::parse(as_json_string(in)).get<std::string>() == expected);
  }
  // Random bytes: always valid JSON.
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string s(static_cast<std::size_t>(rng() % 40), '\0');
    for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
    CAPTURE(s);
    CHECK(json::parse(as_json_string(s)).is_string());
  }
}

TEST_CASE("objects - arrays - numbers and booleans") {
  bot::json_writer w;
  w.begin_object()
      .key("a")
      .value(1)
      .key("b")
      .value(2.5)
      .key("c")
      .value(3.0)
      .key("d")
      .begin_array()
      .value(true)
      .value(false)
      .value("x")
      .begin_object()
      .end_object()
      .end_array()
      .key("e")
      .begin_array()
      .end_array()
      .key("f")
      .raw(R"({"n":null})")
      .end_object();
  auto j = json::parse(w.take());
  CHECK(j["a"] == 1);
  CHECK(j["b"] == 2.5);
  CHECK(j["c"].is_number_float());
  CHECK(j["c"] == 3.0);
  CHECK(j["d"] == json::array({true, false, "x", json::object()}));
  CHECK(j["e"] == json::array());
  CHECK(j["f"]["n"].is_null());
}

TEST_CASE("a reply frame with a recommendation reads back field by field") {
  bot::turn t;
  t.out.text = "Here is \"what\" I think\n- one";
  t.out.options = {{"a", "Option A"}, {"b", "Option \xC3\xA9"}};
  t.out.question = "q1";
  t.out.progress = {3, 9};
  t.out.error = "stale";
  dialogue::recommendation r;
  r.choice = "python";
  r.choice_label = "Python";
  r.confidence = 0.625;
  r.scores = {{"python", 7.5}, {"nodejs", 2}};
  r.reasons.push_back({"You said ML", {"Source A"}, {"f1"}, "q1", {{"python", 3}}});
  r.context.push_back({"You are a startup", {}, {}, "q0", {}});
  r.contested.push_back(
      {"c1", "They disagree", {{"python", "fast enough", {"S1"}}, {"nodejs", "faster", {"S2"}}}});
  r.next_steps = {"Try FastAPI"};
  r.unknowns = {"Team size"};
  t.out.recommendation = std::make_shared<const dialogue::recommendation>(r);
  t.out.finished = true;
  auto j = json::parse(bot::reply_frame(t));
  CHECK(j["type"] == "reply");
  CHECK(j["text"] == t.out.text);
  CHECK(j["options"] ==
        json::array({{{"id", "a"}, {"label", "Option A"}, {"role", "answer"}},
                     {{"id", "b"}, {"label", "Option \xC3\xA9"}, {"role", "answer"}}}));
  CHECK(j["stage"] == "asking");
  CHECK(j["progress"] == json{{"step", 3}, {"total", 9}});
  CHECK(j["question"] == "q1");
  CHECK(j["finished"] == true);
  CHECK(j["notice"] == "stale");
  const auto& rec = j["recommendation"];
  CHECK(rec["choice"] == "python");
  CHECK(rec["confidence"] == 0.625);
  CHECK(rec["scores"] == json{{"nodejs", 2.0}, {"python", 7.5}});
  CHECK(rec["reasons"] == json::array({{{"text", "You said ML"}, {"sources", {"Source A"}}}}));
  CHECK(rec["context"] ==
        json::array({{{"text", "You are a startup"}, {"sources", json::array()}}}));
  CHECK(rec["contested"][0]["sides"][1] ==
        json{{"position", "nodejs"}, {"claim", "faster"}, {"sources", {"S2"}}});
  CHECK(rec["next_steps"] == json::array({"Try FastAPI"}));
  CHECK(rec["unknowns"] == json::array({"Team size"}));
}

TEST_CASE(
    "kept options and recommendations are used only for the same options and the same "
    "recommendation") {
  bot::turn t;
  t.out.text = "Pick one";
  t.out.question = "q1";
  t.out.options = {{"a", "Option A"}, {"b", "Option B"}};
  auto options_of = [&] { return json::parse(bot::reply_frame(t))["options"]; };
  json first = options_of();
  CHECK(first[1]["label"] == "Option B");
  CHECK(options_of() == first);
  // The same question id with other options (another framework, or version): its own text.
  t.out.options = {{"a", "Option A"}, {"b", "Option \"B\", renamed"}};
  CHECK(options_of()[1]["label"] == "Option \"B\", renamed");
  t.out.options = {{"a", "Option A"}, {"b", "Option B", dialogue::option_role::not_sure}};
  CHECK(options_of()[1]["role"] == "not_sure");
  t.out.options = {{"a", "Option A"}};
  CHECK(options_of().size() == 1);
  t.out.options = {{"a", "Option A"}, {"b", "Option B"}};
  CHECK(options_of() == first);

  // A recommendation is written once per object; another object is written on its own.
  dialogue::recommendation r;
  r.choice = "python";
  r.choice_label = "Python";
  r.reasons.push_back({"You said ML", {"Source A"}, {"f1"}, "q1", {{"python", 3}}});
  auto python = std::make_shared<const dialogue::recommendation>(r);
  r.choice = "nodejs";
  r.choice_label = "Node.js";
  auto nodejs = std::make_shared<const dialogue::recommendation>(r);
  t.out.recommendation = python;
  std::string with_python = bot::reply_frame(t);
  CHECK(json::parse(with_python)["recommendation"]["choice"] == "python");
  CHECK(bot::reply_frame(t) == with_python);
  t.out.recommendation = nodejs;
  CHECK(json::parse(bot::reply_frame(t))["recommendation"]["choice_label"] == "Node.js");
  t.out.recommendation = python;
  CHECK(bot::reply_frame(t) == with_python);
  t.out.recommendation = nullptr;
  CHECK(!json::parse(bot::reply_frame(t)).contains("recommendation"));
}
