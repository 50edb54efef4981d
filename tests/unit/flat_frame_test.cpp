// The flat-frame reader must read a frame exactly as the full JSON parser does, or leave it to
// that parser: never a different meaning, never a frame the parser refuses.
#include "adapters/common/flat_frame.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "adapters/common/protocol.hpp"

using nlohmann::json;
using namespace advisor;

namespace {

// What the full parser makes of the members parse_frame reads (views into `msg`).
bot::frame_fields parsed_fields(const json& msg) {
  bot::frame_fields out;
  for (const auto& [key, v] : msg.items()) {
    bot::frame_value* slot = out.find(key);
    if (!slot) continue;
    if (v.is_string())
      *slot = {bot::frame_value::kind::string, false, v.get_ref<const std::string&>()};
    else if (v.is_boolean())
      *slot = {bot::frame_value::kind::boolean, v.get<bool>(), {}};
    else
      *slot = {
          v.is_null() ? bot::frame_value::kind::null : bot::frame_value::kind::other, false, {}};
  }
  return out;
}

// Whenever the flat reader reads `frame`, the full parser reads it too, as the same object.
void check_agrees(const std::string& frame) {
  CAPTURE(frame);
  auto flat = bot::scan_flat_frame(frame);
  if (!flat) return;
  json full = json::parse(frame, nullptr, false);
  REQUIRE(!full.is_discarded());
  REQUIRE(full.is_object());
  CHECK(*flat == parsed_fields(full));
}

}  // namespace

TEST_CASE(
    "every frame the widget and the bench send is read without the full parser - as it reads "
    "them") {
  const std::vector<std::string> frames = {
      R"({"type":"start"})",
      R"({"type":"start","session":"0123456789abcdef0123456789abcdef"})",
      R"({"type":"start","session":"0123456789abcdef0123456789abcdef","history":true})",
      R"({"type":"start","framework":"stack"})",
      R"({"type":"start","text":"we are a startup","framework":"stack","fresh":false})",
      R"({"type":"start","session":"abc","fresh":true,"history":false})",
      R"({"type":"message","text":"We build a chat app with live updates"})",
      R"({"type":"choose","option":"startup"})",
      R"({"type":"choose","option":"startup","question":"context"})",
      R"({"type":"choose","option":"change:team","question":"review"})",
      R"({"type":"choose","option":"restart","question":""})",
      // What JSON.stringify or another client may also write.
      " { \"type\" : \"choose\" ,\n\t\"option\" : \"web\" } \r\n",
      R"({})",
      R"({"type":null,"text":null})",
      R"({"unknown":"x","type":"message","text":"hi","also":true,"more":null})",
      R"({"type":"message","text":"a ~ b / c {d} [e] : f , g"})",
  };
  for (const auto& frame : frames) {
    CAPTURE(frame);
    REQUIRE(bot::scan_flat_frame(frame).has_value());
    check_agrees(frame);
  }
  auto f = bot::scan_flat_frame(R"({"type":"choose","option":"web","question":"workload"})");
  REQUIRE(f);
  CHECK(f->type.text == "choose");
  CHECK(f->option.text == "web");
  CHECK(f->question.text == "workload");
  CHECK(f->text.is == bot::frame_value::kind::missing);
}

TEST_CASE(
    "escapes - non-ASCII text - numbers - nested values - repeated keys and bad JSON go to the "
    "full parser") {
  const std::vector<std::string> frames = {
      // Escapes, in keys and in values.
      R"({"type":"message","text":"say \"hi\""})",
      R"({"type":"message","text":"a\\b"})",
      R"({"type":"message","text":"caf\u00e9"})",
      R"({"type":"message","text":"a\/b"})",
      R"({"typ\u0065":"start"})",
      // Unicode as UTF-8, and bytes that are not UTF-8.
      "{\"type\":\"message\",\"text\":\"caf\xC3\xA9\"}",
      "{\"type\":\"message\",\"text\":\"\xF0\x9F\x98\x80\"}",
      "{\"type\":\"message\",\"text\":\"\xff\xfe\"}",
      "\xEF\xBB\xBF{\"type\":\"start\"}",
      // Control characters and NUL.
      "{\"type\":\"message\",\"text\":\"a\tb\"}",
      std::string("{\"type\":\"start\"}\0", 17),
      std::string("{\"type\":\"st\0rt\"}", 16),
      // Numbers and nested values, known members or not.
      R"({"type":"message","text":42})",
      R"({"type":"start","fresh":1})",
      R"({"type":"start","seq":1})",
      R"({"type":"start","text":{"a":1}})",
      R"({"type":"start","extra":["a","b"]})",
      R"({"type":"start","extra":{}})",
      R"({"type":["start"]})",
      // A known member twice (the full parser decides which counts).
      R"({"type":"start","type":"message","text":"hi"})",
      R"({"type":"choose","option":"a","option":"b"})",
      // Not JSON, or not an object.
      "",
      " ",
      "{",
      "}",
      "{not json",
      "[1,2]",
      R"("start")",
      "null",
      "true",
      "42",
      R"({"type":"start",})",
      R"({,"type":"start"})",
      R"({"type" "start"})",
      R"({"type":"start"}})",
      R"({"type":"start"}{"type":"start"})",
      R"({"type":"start"} x)",
      R"({"type":"start)",
      R"({"type":start})",
      R"({'type':'start'})",
      R"({"fresh":tru})",
      R"({"fresh":truex})",
      R"({"fresh":nul})",
      R"({"fresh":falsey})",
      R"({"type":"start"
      ,"text":"x"} ,)",
  };
  for (const auto& frame : frames) {
    CAPTURE(frame);
    CHECK(!bot::scan_flat_frame(frame).has_value());
  }
}

TEST_CASE(
    "the flat reader never reads a frame otherwise than the full parser - on every cut and byte "
    "change of real frames") {
  const std::vector<std::string> seeds = {
      R"({"type":"start","session":"abc","text":"hi there","framework":"stack","fresh":true,"history":false})",
      R"({"type":"choose","option":"startup","question":"context","x":null})",
  };
  for (const auto& seed : seeds) {
    for (std::size_t n = 0; n <= seed.size(); ++n) check_agrees(seed.substr(0, n));
    for (std::size_t i = 0; i < seed.size(); ++i)
      for (char c : std::string(" \t\"\\:,{}[]0n\x80\x01tfe")) {
        std::string changed = seed;
        changed[i] = c;
        check_agrees(changed);
        check_agrees(seed.substr(0, i) + c + seed.substr(i));
      }
  }
}

TEST_CASE("a frame gets the same answer and the same errors whichever reader reads it") {
  // Each pair means the same to the full parser; the first is read by the flat reader, the
  // second (escaped, or with a number beside it) by the full parser.
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {R"({"type":"choose","option":"web"})", R"({"type":"choose","option":"w\u0065b"})"},
      {R"({"type":"message","text":""})", R"({"type":"message","text":"","n":1})"},
      {R"({"type":"message"})", R"({"type":"message","n":1})"},
      {R"({"type":"start","fresh":null})", R"({"type":"start","fresh":null,"n":1})"},
      {R"({"type":"dance"})", R"({"type":"d\u0061nce"})"},
      {R"({"text":"hi"})", R"({"text":"hi","n":1})"},
      {R"({"type":"choose","question":"q"})", R"({"type":"choose","question":"q","n":1})"},
      {R"({"type":"start","session":"abc","history":true})",
       R"({"type":"start","session":"abc","history":true,"n":1})"},
      {R"({"type":"message","text":"hello"})", R"({"type":"message","text":"hello","n":1})"},
  };
  for (const auto& [flat, full] : pairs) {
    CAPTURE(flat);
    REQUIRE(bot::scan_flat_frame(flat).has_value());
    REQUIRE(!bot::scan_flat_frame(full).has_value());
    for (std::string token : {"", "tok"}) {
      auto a = bot::parse_frame(flat, "web", token);
      auto b = bot::parse_frame(full, "web", token);
      REQUIRE(a.index() == b.index());
      if (auto* error = std::get_if<std::string>(&a)) {
        CHECK(*error == std::get<std::string>(b));
        continue;
      }
      const auto& ma = std::get<bot::client_message>(a);
      const auto& mb = std::get<bot::client_message>(b);
      CHECK(ma.session == mb.session);
      CHECK(ma.in.key.channel == mb.in.key.channel);
      CHECK(ma.in.key.key == mb.in.key.key);
      CHECK(ma.in.what.type == mb.in.what.type);
      CHECK(ma.in.what.text == mb.in.what.text);
      CHECK(ma.in.what.option == mb.in.what.option);
      CHECK(ma.in.what.framework == mb.in.what.framework);
      CHECK(ma.in.what.expected_question == mb.in.what.expected_question);
      CHECK(ma.in.what.fresh == mb.in.what.fresh);
      CHECK(ma.in.what.history == mb.in.what.history);
    }
  }
}
