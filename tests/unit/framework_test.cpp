#include "dialogue/framework.hpp"

#include <doctest/doctest.h>

#include "bot/paths.hpp"
#include "support.hpp"

using namespace advisor::dialogue;
using advisor::test::source_path;

namespace {

const char* small = R"({
  "id": "t", "version": "1", "title": "T",
  "stacks": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}],
  "questions": [
    {"id": "q1", "text": "First?", "options": [
      {"id": "x", "label": "X", "scores": {"a": 1}, "facts": ["f1"]},
      {"id": "y", "label": "Y", "scores": {}}]},
    {"id": "q2", "text": "Second?", "ask_if": {"q1": ["x"]}, "options": [
      {"id": "z", "label": "Z", "scores": {"b": 2}, "facts": ["f2"]}]}
  ]
})";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  return text.replace(pos, from.size(), to);
}

}  // namespace

TEST_CASE("the shipped framework loads and is valid") {
  std::string file = source_path("config/framework.json");
  auto text = advisor::bot::read_file(file);
  CHECK(validate_framework(text, file).empty());
  framework fw = parse_framework(text, file);
  CHECK(fw.id == "backend-stack");
  CHECK(fw.stacks.size() == 2);
  CHECK(fw.find_question("context") != nullptr);
  CHECK(fw.hybrid.has_value());
  for (const auto& q : fw.questions)
    for (const auto& o : q.options) CHECK_MESSAGE(!o.label.empty(), q.id << "/" << o.id);
}

TEST_CASE("a small framework parses with its branches") {
  framework fw = parse_framework(small, "small.json");
  REQUIRE(fw.questions.size() == 2);
  CHECK(fw.questions[1].ask_if.any_of.at("q1") == std::vector<std::string>{"x"});
  CHECK(fw.questions[0].line == 5);
}

TEST_CASE("bad framework files name the file - the line and the problem") {
  SUBCASE("broken JSON") {
    std::string text = replace(small, "\"First?\",", "\"First?\" ");
    try {
      parse_framework(text, "bad.json");
      FAIL("no error");
    } catch (const load_error& e) {
      CHECK(e.file() == "bad.json");
      CHECK(e.line() == 5);
      CHECK(e.problem().find("not valid JSON") != std::string::npos);
    }
  }
  SUBCASE("a branch on an unknown question") {
    auto problems =
        validate_framework(replace(small, "{\"q1\": [\"x\"]}", "{\"q9\": [\"x\"]}"), "f.json");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].line() == 8);
    CHECK(problems[0].problem() == "question \"q2\" branches on unknown question \"q9\"");
  }
  SUBCASE("an option speaking for an unknown question") {
    auto problems = validate_framework(
        replace(small, "{\"id\": \"y\", \"label\": \"Y\", \"scores\": {}}",
                "{\"id\": \"y\", \"label\": \"Y\", \"scores\": {}, \"speaks_for\": [\"q7\"]}"),
        "f.json");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].problem() ==
          "option \"y\" of question \"q1\" speaks for unknown question \"q7\"");
  }
  SUBCASE("an option hinting at an unknown question") {
    auto problems = validate_framework(
        replace(small, "{\"id\": \"y\", \"label\": \"Y\", \"scores\": {}}",
                "{\"id\": \"y\", \"label\": \"Y\", \"scores\": {}, \"hints_at\": [\"q7\"]}"),
        "f.json");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].problem() ==
          "option \"y\" of question \"q1\" hints at unknown question \"q7\"");
  }
  SUBCASE("a branch on an unknown option") {
    auto problems =
        validate_framework(replace(small, "{\"q1\": [\"x\"]}", "{\"q1\": [\"w\"]}"), "f.json");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].problem() ==
          "question \"q2\" branches on unknown option \"w\" of question \"q1\"");
  }
  SUBCASE("an unreachable question") {
    std::string text = replace(small, "\"text\": \"First?\",",
                               "\"text\": \"First?\", \"ask_if\": {\"q2\": [\"z\"]},");
    auto problems = validate_framework(text, "f.json");
    REQUIRE(problems.size() >= 1);
    CHECK(problems[0].problem().find("\"q1\" is unreachable") != std::string::npos);
  }
  SUBCASE("an option without a score") {
    auto problems = validate_framework(
        replace(small, "\"label\": \"Y\", \"scores\": {}", "\"label\": \"Y\""), "f.json");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].line() == 7);
    CHECK(problems[0].problem().find("option \"y\" of question \"q1\" has no \"scores\"") == 0);
  }
  SUBCASE("duplicate ids") {
    auto problems =
        validate_framework(replace(small, "\"id\": \"q2\"", "\"id\": \"q1\""), "f.json");
    REQUIRE(!problems.empty());
    bool dup = false;
    for (const auto& p : problems) dup |= p.problem() == "duplicate question id \"q1\"";
    CHECK(dup);
  }
  SUBCASE("a score for a stack that does not exist") {
    auto problems = validate_framework(replace(small, "{\"b\": 2}", "{\"c\": 2}"), "f.json");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].problem() == "option \"z\" of question \"q2\" scores unknown stack \"c\"");
  }
  SUBCASE("a weight that cites no fact") {
    auto problems = validate_framework(replace(small, ", \"facts\": [\"f2\"]", ""), "f.json");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].problem() ==
          "option \"z\" of question \"q2\" moves a score but cites no fact (add \"facts\")");
    // An option that moves nothing needs no fact.
    CHECK(validate_framework(replace(small, "{\"b\": 2}, \"facts\": [\"f2\"]", "{}"), "f.json")
              .empty());
  }
  SUBCASE("several problems are all listed") {
    std::string text = replace(replace(small, "{\"b\": 2}", "{\"c\": 2}"),
                               "\"label\": \"Y\", \"scores\": {}", "\"label\": \"Y\"");
    CHECK(validate_framework(text, "f.json").size() == 2);
    CHECK_THROWS_AS(parse_framework(text, "f.json"), load_error);
  }
}

TEST_CASE("a stack is called by its names - or by its id and label") {
  framework fw = parse_framework(small, "small.json");
  CHECK(fw.stacks[0].names == std::vector<std::string>{"a", "a"});
  framework named =
      parse_framework(replace(small, R"({"id": "a", "label": "A"})",
                              R"({"id": "a", "label": "A", "names": ["alpha", "al"]})"),
                      "named.json");
  CHECK(named.stacks[0].names == std::vector<std::string>{"alpha", "al"});
  CHECK(named.stacks[1].names == std::vector<std::string>{"b", "b"});
}
