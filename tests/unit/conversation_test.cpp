// Whole conversations through the bot service over a real SQLite file, including the nine
// personas of the guide's Quick Decision Guide table.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "personas.hpp"
#include "support.hpp"

using namespace advisor;
using advisor::test::quick_decision_guide;
using advisor::test::temp_dir;

namespace {

using answers = std::map<std::string, std::string>;

// Answers each question the advisor asks from the persona's answers (a question the persona
// has no answer for fails the test: the branch should have skipped it), confirms the review,
// and returns the final turn.
bot::turn run_persona(bot::service& svc, const bot::channel_key& key, const answers& persona,
                      std::vector<std::string>* asked = nullptr) {
  bot::turn t = svc.start(key, {}, true);
  for (int guard = 0; guard < 30 && !t.out.finished; ++guard) {
    if (t.out.question == "review") {
      t = svc.choose(key, "confirm");
      continue;
    }
    if (asked) asked->push_back(t.out.question);
    auto it = persona.find(t.out.question);
    REQUIRE_MESSAGE(it != persona.end(), "unexpected question " << t.out.question);
    t = svc.choose(key, it->second);
    REQUIRE_MESSAGE(t.out.error.empty(), t.out.text);
  }
  REQUIRE(t.out.finished);
  REQUIRE(t.out.recommendation);
  return t;
}

}  // namespace

TEST_CASE("the nine Quick Decision Guide personas end as the table says - or show the dispute") {
  temp_dir dir;
  auto app = test::open_test_app(dir.str());
  for (const auto& p : quick_decision_guide) {
    CAPTURE(p.cell);
    auto t = run_persona(*app->service, {"test", p.cell}, p.given);
    const auto& contested = t.out.recommendation->contested;
    if (p.contested)
      CHECK(std::any_of(contested.begin(), contested.end(),
                        [&](const auto& c) { return c.id == p.contested; }));
    if (!p.expected) {
      CHECK(t.out.recommendation->scores.at("python") == t.out.recommendation->scores.at("nodejs"));
      continue;
    }
    CHECK(t.out.recommendation->choice == p.expected);
    CHECK(t.out.recommendation->confidence > 0.5);
    CHECK(!t.out.recommendation->reasons.empty());
    for (const auto& r : t.out.recommendation->reasons)
      if (!r.effect.empty()) CHECK_MESSAGE(!r.sources.empty(), r.text);
    CHECK(!t.out.recommendation->next_steps.empty());
  }
}

TEST_CASE("legacy integration follows the legacy systems' stack either way") {
  temp_dir dir;
  auto app = test::open_test_app(dir.str());
  answers js = quick_decision_guide[5].given;
  js["legacy_stack"] = "javascript";
  CHECK(run_persona(*app->service, {"test", "legacy-js"}, js).out.recommendation->choice ==
        "nodejs");
}

TEST_CASE("branches skip questions that no longer matter") {
  temp_dir dir;
  auto app = test::open_test_app(dir.str());
  std::vector<std::string> asked;
  run_persona(*app->service, {"test", "solo"}, quick_decision_guide[6].given, &asked);
  CHECK(std::find(asked.begin(), asked.end(), "team") == asked.end());
  CHECK(std::find(asked.begin(), asked.end(), "startup_goal") == asked.end());
  CHECK(std::find(asked.begin(), asked.end(), "scale") == asked.end());
  CHECK(asked.size() == 6);
}

TEST_CASE("one question at a time - with progress") {
  temp_dir dir;
  auto app = test::open_test_app(dir.str());
  auto& svc = *app->service;
  bot::channel_key key{"test", "progress"};
  auto t = svc.start(key, {}, true);
  CHECK(t.out.question == "context");
  CHECK(t.out.progress.step == 1);
  CHECK(t.out.progress.total >= 6);
  CHECK(t.out.text.find("who is this decision for") != std::string::npos);
  t = svc.choose(key, "individual");
  CHECK(t.out.question == "individual_goal");
  CHECK(t.out.progress.step == 2);
  CHECK(t.out.progress.total == 6);  // the individual branch is shorter
}

TEST_CASE("commands: back - restart - skip - why - status - help") {
  temp_dir dir;
  auto app = test::open_test_app(dir.str());
  auto& svc = *app->service;
  bot::channel_key key{"test", "commands"};
  svc.start(key, {}, true);
  auto t = svc.message(key, "startup");
  CHECK(t.out.question == "startup_goal");

  SUBCASE("back undoes the last answer") {
    t = svc.message(key, "back");
    CHECK(t.out.question == "context");
    CHECK(t.out.progress.step == 1);
    t = svc.message(key, "back");  // nothing left to undo
    CHECK(t.out.question == "context");
    CHECK(t.out.text.find("nothing to undo") != std::string::npos);
  }
  SUBCASE("restart forgets everything") {
    svc.message(key, "validate");
    t = svc.message(key, "restart");
    CHECK(t.out.question == "context");
    CHECK(svc.message(key, "status").out.text.find("No answers yet") != std::string::npos);
  }
  SUBCASE("why explains the pending question with its source") {
    t = svc.message(key, "why");
    CHECK(t.out.question == "startup_goal");
    CHECK(t.out.text.find("Why I ask about startup focus") != std::string::npos);
    CHECK(t.out.text.find("Source:") != std::string::npos);
  }
  SUBCASE("status lists the answers so far") {
    t = svc.message(key, "status");
    CHECK(t.out.text.find("**who is choosing**: A startup or new product team") !=
          std::string::npos);
    CHECK(t.out.question == "startup_goal");
  }
  SUBCASE("help lists the commands without moving") {
    t = svc.message(key, "help");
    CHECK(t.out.text.find("`back`") != std::string::npos);
    CHECK(t.out.question == "startup_goal");
  }
  SUBCASE("an answer that matches nothing re-prompts and never moves the state") {
    auto before = svc.current(key)->seq;
    t = svc.message(key, "purple elephants");
    CHECK(t.out.error == "no_match");
    CHECK(t.out.question == "startup_goal");
    // The question once, and its options once: as options, which every channel lists itself
    // (the terminal printed them twice when the text listed them too).
    CHECK(t.out.text.find("Which of these sounds most like your startup") != std::string::npos);
    CHECK(t.out.text.find("Validating an idea") == std::string::npos);
    CHECK(t.out.options.front().label == "Validating an idea as fast as possible");
    CHECK(t.out.text.find("Back to the question") == std::string::npos);  // said once, not twice
    CHECK(svc.current(key)->seq == before);
    t = svc.choose(key, "not-an-option");
    CHECK(t.out.error == "unknown_option");
    CHECK(svc.current(key)->seq == before);
  }
  SUBCASE("skip leaves a question open and the recommendation names it") {
    t = svc.message(key, "not sure");
    CHECK(t.out.question == "workload");
    answers rest{{"workload", "web"}, {"team", "javascript"}, {"realtime", "no"},  {"data", "none"},
                 {"scale", "low"},    {"size", "medium"},     {"priority", "none"}};
    for (int i = 0; i < 20 && !t.out.finished; ++i)
      t = t.out.question == "review" ? svc.choose(key, "confirm")
                                     : svc.choose(key, rest.at(t.out.question));
    REQUIRE(t.out.recommendation);
    CHECK(t.out.recommendation->unknowns == std::vector<std::string>{"startup focus"});
    CHECK(t.out.text.find("Left open: startup focus") != std::string::npos);
    // The same answers with nothing skipped give a higher confidence.
    bot::channel_key other{"test", "no-skip"};
    auto full = run_persona(svc, other,
                            {{"context", "startup"},
                             {"startup_goal", "none"},
                             {"workload", "web"},
                             {"team", "javascript"},
                             {"realtime", "no"},
                             {"data", "none"},
                             {"scale", "low"},
                             {"size", "medium"},
                             {"priority", "none"}});
    CHECK(full.out.recommendation->confidence > t.out.recommendation->confidence);
  }
}

TEST_CASE("a conversation resumes at the same question after a restart of the process") {
  temp_dir dir;
  bot::channel_key key{"test", "resume"};
  {
    auto app = test::open_test_app(dir.str());
    app->service->start(key, {}, true);
    app->service->choose(key, "enterprise");
    app->service->choose(key, "analytics");
  }
  auto app = test::open_test_app(dir.str());
  auto t = app->service->current(key);
  REQUIRE(t);
  CHECK(t->out.question == "workload");
  CHECK(t->out.progress.step == 3);
  CHECK(t->resumed);
}

TEST_CASE("a recommendation for mixed needs is hybrid - with contested points") {
  temp_dir dir;
  auto app = test::open_test_app(dir.str());
  auto t = run_persona(*app->service, {"test", "hybrid"},
                       {{"context", "enterprise"},
                        {"enterprise_focus", "other"},
                        {"workload", "realtime"},
                        {"team", "both"},
                        {"data", "core"},
                        {"scale", "high"},
                        {"size", "large"},
                        {"priority", "none"}});
  CHECK(t.out.recommendation->choice == "hybrid");
  CHECK(t.out.recommendation->contested.size() >= 2);
  for (const auto& c : t.out.recommendation->contested) {
    CHECK(c.sides.size() >= 2);
    for (const auto& s : c.sides) CHECK(!s.sources.empty());
  }
  CHECK(t.out.text.find("Where the sources disagree") != std::string::npos);
}
