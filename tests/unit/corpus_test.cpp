// The labelled corpus (tests/data/corpus/): everyday sentences, typed the way people write in
// chat, run through the engine as turns of a real conversation (the shipped framework and
// knowledge, in SQLite). Reports accuracy per category. The target is 97% in each (issue 14);
// each test holds the category at the floor it has reached (97% or more since every category got
// there), so that no change makes understanding worse unnoticed. Raise a floor when it improves.
// ADVISOR_CORPUS_DIR runs another corpus of the same format (a held-out set, say).
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "dialogue/engine.hpp"
#include "support.hpp"

using namespace advisor;
using nlohmann::json;

namespace {

std::string corpus_dir() {
  if (const char* dir = std::getenv("ADVISOR_CORPUS_DIR")) return dir;
  return test::source_path("tests/data/corpus");
}

json load(const std::string& name) {
  std::ifstream in(corpus_dir() + "/" + name);
  REQUIRE_MESSAGE(in.good(), "no " << corpus_dir() << "/" << name);
  return json::parse(in);
}

struct bench {
  test::temp_dir dir;
  std::unique_ptr<bot::app> app = test::open_test_app(dir.str());
  dialogue::engine eng{app->framework, *app->knowledge};
};

// A history that records `given` one answer a turn, then confirms for "done".
std::vector<dialogue::event> history_for(const dialogue::engine& eng, const json& c) {
  std::vector<dialogue::event> h;
  int turn = 0;
  auto given = c.value("given", json::object());
  // In asking order, so each answer's condition holds when it is given.
  for (const auto& q : eng.fw().questions) {
    auto it = given.find(q.id);
    if (it == given.end()) continue;
    h.push_back({dialogue::event_kind::answer,
                 q.id,
                 it->is_null() ? std::string{} : it->get<std::string>(),
                 ++turn,
                 "choice",
                 {}});
  }
  if (c.value("pending", "") == "done")
    h.push_back({dialogue::event_kind::confirm, {}, {}, ++turn, "choice", {}});
  return h;
}

std::string pending_name(const dialogue::engine& eng, const std::vector<dialogue::event>& h) {
  auto s = dialogue::replay(eng.fw(), h);
  std::string p = eng.pending_question(s);
  return p.empty() ? "done" : p;
}

// The answers a turn records: question -> option ("" for not sure).
std::map<std::string, std::string> answers_of(const dialogue::outcome& out) {
  std::map<std::string, std::string> got;
  for (const auto& e : out.events)
    if (e.kind == dialogue::event_kind::answer) got[e.question] = e.option;
  return got;
}

std::string one_line(std::string s, std::size_t limit) {
  if (s.size() > limit) s.resize(limit);
  for (char& ch : s)
    if (ch == '\n') ch = '|';
  return s;
}

std::string show(const std::map<std::string, std::string>& m) {
  std::string out;
  for (const auto& [q, o] : m) out += q + "=" + (o.empty() ? "null" : o) + " ";
  return out.empty() ? "(none)" : out;
}

// Checks one case; returns what went wrong, or nothing.
std::optional<std::string> judge(const dialogue::engine& eng, const json& c) {
  auto h = history_for(eng, c);
  std::string pending = c.value("pending", "");
  if (pending_name(eng, h) != pending)
    return "corpus error: pending is " + pending_name(eng, h) + ", not " + pending;
  // Every given answer must be one the conversation could hold: its question's condition met.
  const auto now = dialogue::replay(eng.fw(), h);
  const json given = c.contains("given") ? c["given"] : json::object();
  for (const auto& [q, o] : given.items())
    if (!now.answered(q)) return "corpus error: " + q + " is given but its condition fails";
  dialogue::input in;
  in.type = dialogue::input::kind::text;
  in.text = c["text"].get<std::string>();
  in.date = "2026-12-01";
  auto out = eng.step(h, in);
  const json& ex = c["expect"];
  std::string said = " [" + std::string(dialogue::to_string(out.action)) + "/" +
                     std::string(dialogue::to_string(out.stage)) + "/" + out.error + "] " +
                     one_line(out.text, 160);
  if (ex.contains("answers")) {
    std::map<std::string, std::string> expected;
    for (const auto& [q, o] : ex["answers"].items())
      expected[q] = o.is_null() ? "" : o.get<std::string>();
    auto got = answers_of(out);
    if (got != expected) return "answers " + show(got) + "expected " + show(expected) + said;
  }
  if (ex.contains("ask")) {
    std::string ask = ex["ask"];
    if (ask == "clarify" && out.notice != dialogue::notice::ambiguous)
      return "expected a clarifying question" + said;
    if (ask == "confirm_change") {
      std::string about = ex.value("about", "");
      bool proposed =
          std::any_of(out.events.begin(), out.events.end(), [&](const dialogue::event& e) {
            return e.kind == dialogue::event_kind::propose && e.question == about;
          });
      if (!proposed || out.stage != dialogue::stage::confirming)
        return "expected to confirm a change of " + about + said;
    }
  }
  if (ex.contains("command")) {
    std::string cmd = ex["command"];
    // "the codebase should be medium": a change that gives its new value is proposed at once
    // ("Change it to Medium?"), which serves the user as well as reopening the question.
    const bool proposes_target =
        cmd == "change" && ex.contains("target") && out.stage == dialogue::stage::confirming &&
        std::any_of(out.events.begin(), out.events.end(), [&](const dialogue::event& e) {
          return e.kind == dialogue::event_kind::propose &&
                 e.question == ex["target"].get<std::string>();
        });
    if (dialogue::to_string(out.action) != cmd && !proposes_target)
      return "expected command " + cmd + said;
    if (cmd == "change" && ex.contains("target") && !proposes_target) {
      bool reopened =
          std::any_of(out.events.begin(), out.events.end(), [&](const dialogue::event& e) {
            return e.kind == dialogue::event_kind::change &&
                   e.question == ex["target"].get<std::string>();
          });
      if (!reopened) return "expected to reopen " + ex["target"].get<std::string>() + said;
    }
    if (cmd == "skip" && answers_of(out) != std::map<std::string, std::string>{{pending, ""}})
      return "expected " + pending + " left open" + said;
  }
  // An empty list (written beside "uncovered") names no fact to expect.
  if (ex.contains("facts_first") && !ex["facts_first"].empty()) {
    if (out.facts.empty()) return "expected an answer from the sources" + said;
    bool good = false;
    for (const auto& id : ex["facts_first"])
      good = good || id.get<std::string>() == out.facts.front();
    if (!good)
      return "first fact " + out.facts.front() + " is not one of " + ex["facts_first"].dump() +
             said;
  }
  if (ex.value("uncovered", false) && out.notice != dialogue::notice::not_covered)
    return "expected \"my sources don't cover that\"" + said;
  if (ex.value("disagreement", false) && out.text.find("The sources disagree") == std::string::npos)
    return "expected the disagreement to be named" + said;
  return std::nullopt;
}

// Runs a whole conversation from a fresh start; returns what went wrong, or nothing.
std::optional<std::string> converse(const dialogue::engine& eng, const json& c) {
  std::vector<dialogue::event> h;
  dialogue::input in;
  in.date = "2026-12-01";
  in.type = dialogue::input::kind::start;
  auto out = eng.step(h, in);
  h.insert(h.end(), out.events.begin(), out.events.end());
  std::string trail;
  for (const auto& t : c["turns"]) {
    in.type = dialogue::input::kind::text;
    in.text = t.get<std::string>();
    out = eng.step(h, in);
    h.insert(h.end(), out.events.begin(), out.events.end());
    trail += "\n    > " + in.text + "  [" + std::string(dialogue::to_string(out.stage)) + " " +
             out.question + " " + out.error + "] " + one_line(out.text, 100);
  }
  if (!out.recommendation) return "no recommendation at the end" + trail;
  std::string want = c["expect"]["choice"];
  if (out.recommendation->choice != want)
    return "recommended " + out.recommendation->choice + ", not " + want + trail;
  for (const auto& r : out.recommendation->reasons)
    if (r.sources.empty()) return "a reason without sources: " + r.text;
  return std::nullopt;
}

void run_category(const char* file, bool whole_conversations, double floor) {
  bench b;
  json corpus = load(file);
  int total = 0, right = 0;
  for (const auto& c : corpus["cases"]) {
    ++total;
    auto wrong = whole_conversations ? converse(b.eng, c) : judge(b.eng, c);
    if (!wrong) {
      ++right;
    } else {
      MESSAGE(c.value("id", "?") << " \"" << c.value("text", c.value("persona", ""))
                                 << "\": " << *wrong);
    }
  }
  double accuracy = total ? static_cast<double>(right) / total : 0;
  MESSAGE(std::string(file) << ": " << right << "/" << total << " understood ("
                            << static_cast<int>(accuracy * 1000) / 10.0 << "%)");
  CHECK(total > 0);
  MESSAGE("target 97%, floor " << floor * 100 << "%");
  CHECK(accuracy >= floor);
}

}  // namespace

TEST_CASE("corpus: answers typed in everyday words") { run_category("answers.json", false, 0.97); }
TEST_CASE("corpus: commands in natural wording - at every step") {
  run_category("commands.json", false, 0.99);
}
TEST_CASE("corpus: questions for the sources") { run_category("knowledge.json", false, 0.97); }
TEST_CASE("corpus: whole free-text conversations reach the guide's recommendation") {
  run_category("conversations.json", true, 0.97);
}
