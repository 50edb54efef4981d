// Talking like an advisor: several answers at once, questions mid-flow, compare, review and
// change, what-if, the full why, and the decision record, against fixed conversations.
#include <doctest/doctest.h>

#include <initializer_list>
#include <map>

#include "support.hpp"

using namespace advisor;
using advisor::test::temp_dir;

namespace {

struct fixture {
  temp_dir dir;
  std::unique_ptr<bot::app> app = test::open_test_app(dir.str());
  bot::service& svc = *app->service;
  bot::channel_key key{"test", "advisor"};

  bot::turn say(const std::string& text) { return svc.message(key, text); }
  bot::turn pick(const std::string& option) { return svc.choose(key, option); }
  // The id of the first fact a question's answer cites, or "" when it cites none.
  std::string first_fact(const std::string& question) {
    auto t = say(question);
    return t.out.facts.empty() ? std::string() : t.out.facts.front();
  }

  // A fresh conversation, then each reply typed in turn.
  void start_saying(std::initializer_list<const char*> replies) {
    svc.start(key, {}, true);
    for (const char* r : replies) say(r);
  }

  // A fixed conversation: a startup, Python team, data product with live features.
  bot::turn to_review() {
    svc.start(key, {}, true);
    for (const char* o :
         {"startup", "data_product", "data", "python", "yes", "moderate", "medium", "readability"})
      pick(o);
    return *svc.current(key);
  }
};

}  // namespace

TEST_CASE("an opening sentence answers several questions and says what it took") {
  fixture f;
  auto t =
      f.svc.start(f.key, "We're a Python shop building an ML pipeline with a live dashboard", true);
  CHECK(t.out.text.find("I took:") != std::string::npos);
  CHECK(t.out.text.find("team skills = Python") != std::string::npos);
  CHECK(t.out.text.find("`back`") != std::string::npos);
  CHECK(t.out.question == "context");  // what it could not tell, it asks
  t = f.pick("startup");
  t = f.pick("data_product");
  CHECK(t.out.question ==
        "workload");  // "ML pipeline" or "live dashboard": it asks which is the main job
  t = f.pick("data");
  CHECK(t.out.question == "scale");  // team, real-time and data were taken from the sentence
  t = f.say("back");
  CHECK(t.out.question == "workload");
}

TEST_CASE("free-text replies answer the pending question and others at once") {
  fixture f;
  f.svc.start(f.key, {}, true);
  auto t = f.say("an enterprise, and our team knows TypeScript");
  CHECK(t.out.text.find("**who is choosing** = An established company") != std::string::npos);
  CHECK(t.out.text.find("**team skills** = JavaScript or TypeScript") != std::string::npos);
  CHECK(t.out.question == "enterprise_focus");
  t = f.say("data analytics");
  CHECK(t.out.text.find("Got it") != std::string::npos);
  CHECK(t.out.question == "workload");
}

TEST_CASE("a question mid-flow is answered from the knowledge store - then the question repeats") {
  fixture f;
  f.svc.start(f.key, {}, true);
  f.pick("startup");
  auto seq = f.svc.current(f.key)->seq;
  auto t = f.say("how fast is Node.js?");
  CHECK(t.out.text.find("15,000") != std::string::npos);
  CHECK(t.out.text.find("Source:") != std::string::npos);
  CHECK(t.out.text.find("Back to the question: Which of these sounds most like your startup") !=
        std::string::npos);
  CHECK(t.out.question == "startup_goal");
  CHECK(f.svc.current(f.key)->seq == seq);

  t = f.say("who uses Python?");
  CHECK(t.out.text.find("NASA") != std::string::npos);
  t = f.say("what frameworks does Python have?");
  CHECK(t.out.text.find("Django") != std::string::npos);
  t = f.say("compare performance");
  CHECK(t.out.text.find("**performance**, side by side") != std::string::npos);
  CHECK(t.out.text.find("**Python:**") != std::string::npos);
  CHECK(t.out.text.find("**Node.js:**") != std::string::npos);
  CHECK(t.out.question == "startup_goal");
}

TEST_CASE("review: confirm - or change any answer - only dependent questions are asked again") {
  fixture f;
  auto t = f.to_review();
  CHECK(t.out.question == "review");
  CHECK(t.out.text.find("**team skills**: Python") != std::string::npos);
  bool has_change_team = false;
  for (const auto& o : t.out.options) has_change_team |= o.id == "change:team";
  CHECK(has_change_team);

  SUBCASE("changing a leaf answer asks just that one") {
    t = f.pick("change:team");
    CHECK(t.out.question == "team");
    t = f.pick("javascript");
    CHECK(t.out.question == "review");
    CHECK(t.out.text.find("**team skills**: JavaScript or TypeScript") != std::string::npos);
  }
  SUBCASE("changing a branching answer asks the questions of the new branch and keeps the rest") {
    t = f.say("change who is choosing");
    CHECK(t.out.question == "context");
    t = f.pick("enterprise");
    CHECK(t.out.question == "enterprise_focus");
    t = f.pick("analytics");
    CHECK(t.out.question == "review");  // workload, team, scale, ... were kept
    CHECK(t.out.text.find("startup focus") == std::string::npos);
    CHECK(t.out.text.find("**team skills**: Python") != std::string::npos);
  }
  SUBCASE("confirming gives the recommendation") {
    t = f.say("looks good");
    CHECK(t.out.finished);
    REQUIRE(t.out.recommendation);
  }
}

TEST_CASE("what-if re-scores with one answer changed and keeps the real answers") {
  fixture f;
  f.to_review();
  auto t = f.pick("confirm");
  REQUIRE(t.out.recommendation);
  std::string real_choice = t.out.recommendation->choice;
  auto seq = f.svc.current(f.key)->seq;

  t = f.say("what if our team knew JavaScript?");
  CHECK(t.out.text.find(
            "**What if** **team skills** were **JavaScript or TypeScript** (instead of Python)") !=
        std::string::npos);
  CHECK(t.out.text.find("Scores:") != std::string::npos);
  CHECK(t.out.text.find("Your real answers are unchanged") != std::string::npos);
  t = f.say("whatif workload realtime");
  CHECK(t.out.text.find("**main workload** were **Real-time features") != std::string::npos);
  CHECK(t.out.text.find("->") != std::string::npos);
  CHECK(f.svc.current(f.key)->seq == seq);
  CHECK(f.svc.current(f.key)->out.recommendation->choice == real_choice);
  t = f.say("whatif banana split");
  CHECK(t.out.text.find("couldn't tell which answer") != std::string::npos);
}

TEST_CASE("why after the recommendation gives the full breakdown with sources and disagreements") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"enterprise", "high_traffic", "api", "javascript", "no", "none", "high",
                        "large", "none", "confirm"})
    f.pick(o);
  auto t = f.say("why");
  CHECK(t.out.text.find("**The full breakdown for Node.js**") != std::string::npos);
  CHECK(t.out.text.find("Source:") != std::string::npos);
  CHECK(t.out.text.find("Where the sources disagree, as it bears on you") != std::string::npos);
  // Both sides of a contested point, each with its source.
  REQUIRE(t.out.recommendation);
  REQUIRE(!t.out.recommendation->contested.empty());
  for (const auto& side : t.out.recommendation->contested.front().sides)
    CHECK(t.out.text.find(side.claim) != std::string::npos);
}

TEST_CASE("the decision record reads as an ADR") {
  fixture f;
  f.to_review();
  f.pick("confirm");
  auto record = f.svc.decision_record(f.key);
  REQUIRE(record);
  for (const char* heading :
       {"# Decision record", "## Context", "## Decision", "## Reasons", "## Consequences",
        "## Contested points", "## Next steps", "## Sources"})
    CHECK_MESSAGE(record->find(heading) != std::string::npos, heading);
  CHECK(record->find("- Status: Proposed") != std::string::npos);
  CHECK(record->find("- team skills: Python") != std::string::npos);
  CHECK(record->find("- Date: 20") != std::string::npos);
  auto t = f.say("summary");
  CHECK(t.out.text.find("## Decision") != std::string::npos);
}

TEST_CASE("a second framework is offered and works the same way") {
  fixture f;
  auto t = f.svc.start(f.key, {}, true, "python-web");
  CHECK(t.out.question == "structure");
  CHECK(t.out.progress.total == 3);
  t = f.say("batteries included please");
  t = f.say("complex");
  t = f.say("yes");
  CHECK(t.out.question == "review");
  t = f.pick("confirm");
  REQUIRE(t.out.recommendation);
  CHECK(t.out.recommendation->choice == "django");
  CHECK_THROWS_AS(f.svc.start(f.key, {}, true, "no-such-framework"), std::invalid_argument);
}

TEST_CASE(
    "a number for the load - said while the size is asked - proposes the load and leaves the size "
    "asked") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "realtime", "javascript", "none", "low"}) f.pick(o);
  auto t = f.say("tens of thousands of people drawing at once at peak");
  CHECK(t.out.stage == dialogue::stage::confirming);
  CHECK(t.out.text.find("Very high") != std::string::npos);
  CHECK(t.out.text.find("project size") == std::string::npos);  // nothing taken for the size
  t = f.say("yes");
  CHECK(t.out.question == "size");
}

TEST_CASE("a one-clause sentence the classifier read as the answer asked answers nothing else") {
  fixture f;
  f.svc.start(f.key, {}, true);
  f.pick("individual");
  auto t = f.say("trying to move into ML / data jobs in a year or two");
  CHECK(t.out.text.find("career in data science") != std::string::npos);
  CHECK(t.out.text.find("main workload") == std::string::npos);  // "ML" described the goal
  CHECK(t.out.question == "workload");
}

TEST_CASE(
    "an answer and then a change of an earlier one - the answer is kept and the change asked") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "api", "javascript", "no", "none", "low"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "size");
  auto t = f.say("medium. oh and i was wrong about the team, they're all python folks");
  CHECK(t.out.stage == dialogue::stage::confirming);
  CHECK(t.out.text.find("Medium") != std::string::npos);  // the size is taken and said
  CHECK(t.out.text.find("Change it to **Python**") != std::string::npos);
  t = f.say("yes");
  // The size is not asked again: the conversation goes on to the next question.
  CHECK(t.out.question == "priority");
}

TEST_CASE("a limiter closes its clause - the words before it still answer") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"enterprise", "high_traffic", "web", "both", "yes"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "data");
  auto t = f.say("some reporting for the revenue team, not much more");
  CHECK(t.out.text.find("Some: reports") != std::string::npos);
  CHECK(t.out.stage == dialogue::stage::asking);  // no change of the system's main job proposed
  CHECK(t.out.question == "scale");
}

TEST_CASE("a count is read from a number - not guessed for the next question from other words") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "api", "javascript", "no"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "data");
  auto t = f.say("barely any, maybe a count of active users somewhere");
  CHECK(t.out.text.find("Little or none") != std::string::npos);
  CHECK(t.out.text.find("expected load") == std::string::npos);
  CHECK(t.out.question == "scale");
}

TEST_CASE("a subject the sources never mention is not covered - in a comparison or mid-sentence") {
  fixture f;
  f.svc.start(f.key, {}, true);
  f.pick("startup");
  f.pick("validate");
  REQUIRE(f.svc.current(f.key)->out.question == "workload");
  for (const char* text : {"php vs node?", "random q but whats the weather in berlin rn",
                           "can I just use wordpress instead of all this"}) {
    CAPTURE(text);
    auto t = f.say(text);
    CHECK(t.out.notice == dialogue::notice::not_covered);
    CHECK(t.out.question == "workload");  // asked again, nothing recorded
  }
  // "go" before a stack's name is a verb: the question is about the team's skills.
  auto t = f.say("our team knows js really well, should we just go node?");
  CHECK(t.out.notice == dialogue::notice::none);
  CHECK_FALSE(t.out.facts.empty());
  // So is "go" before "wrong": the question is about Node's downsides.
  fixture g;
  g.svc.start(g.key, {}, true);
  t = g.say("what are the downsides of node, I want to know what could go wrong before we commit");
  CAPTURE(t.out.text);
  CHECK(t.out.notice == dialogue::notice::none);
  CHECK_FALSE(t.out.facts.empty());
}

TEST_CASE("a group word denied a few words back does not make the speaker a group") {
  fixture f;
  f.svc.start(f.key, {}, true);
  auto t = f.say("not really a startup, more like a side thing i'm doing on my own");
  CHECK(t.out.text.find("Just me") != std::string::npos);
  CHECK(t.out.question == "individual_goal");
}

TEST_CASE("correct as a yes at the review is no correction - and a thing names its question") {
  fixture f;
  f.to_review();
  auto t = f.say("correct, gimme the recommendation");
  CHECK(t.out.action == dialogue::command::confirm);
  CHECK(t.out.finished);

  fixture g;
  g.to_review();
  t = g.say("wait i answered the live features thing wrong, can i change it");
  CHECK(t.out.action == dialogue::command::change);
  CHECK(t.out.question == "realtime");
}

TEST_CASE("a bare reply before a clause about another question is said of that question") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "api", "javascript", "yes", "none", "high"})
    f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "size");
  // "huge" is a reply to the size and to the load; the clause after it speaks of the load.
  auto t = f.say("huge, tens of thousands of concurrent sessions on peak days");
  CHECK(t.out.text.find("project size") == std::string::npos);
  CHECK(t.out.question == "size");
}

TEST_CASE("a what-if before the recommendation with a question after it asks the sources") {
  fixture f;
  f.svc.start(f.key, {}, true);
  f.pick("startup");
  f.pick("validate");
  auto t = f.say("what if we get tons of traffic, which one holds up under heavy load");
  CHECK_FALSE(t.out.facts.empty());
  CHECK(t.out.question == "workload");
  // Without a question after it, the what-if waits for the recommendation.
  t = f.say("what if the team knew python?");
  CHECK(t.out.action == dialogue::command::whatif);
  CHECK(t.out.facts.empty());
}

TEST_CASE("a head count says how big the company is - not how much load") {
  fixture f;
  f.svc.start(f.key, {}, true);
  auto t = f.say("its for the platform org at a bank, few thousand engineers total");
  CHECK(t.out.text.find("An established company") != std::string::npos);
  CHECK(t.out.text.find("thousands of users") == std::string::npos);  // no load recorded
  CHECK(t.out.question == "enterprise_focus");
  // A count of users beside it still answers the load.
  fixture g;
  g.svc.start(g.key, {}, true);
  t = g.say("a bank with 5000 staff and thousands of users");
  CHECK(t.out.text.find("Growing: thousands of users") != std::string::npos);
}

TEST_CASE("a question mark alone makes no question for the sources - 'kinda both?' hesitates") {
  fixture f;
  f.svc.start(f.key, {}, true);
  auto t = f.say("kinda both? we're a new venture spun up inside a big telco");
  CHECK(t.out.notice == dialogue::notice::ambiguous);  // asked back, not "not covered"
  CHECK(t.out.question == "context");
  // A real question the sources do not cover is still said to be so.
  t = f.say("what about go?");
  CHECK(t.out.notice == dialogue::notice::not_covered);
}

TEST_CASE("an answer to the question asked changes an earlier one only when it says so") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o :
       {"startup", "fullstack", "web", "javascript", "yes", "some", "moderate", "small"})
    f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "priority");
  // "move fast" would say "validating an idea", but the message answers what matters most.
  auto t = f.say("move fast and share code between client and server");
  CHECK(t.out.stage == dialogue::stage::reviewing);
  CHECK(t.out.text.find("Change it to") == std::string::npos);
}

TEST_CASE("'we' rules out 'just me' - a count of the speakers is no load") {
  fixture f;
  f.svc.start(f.key, {}, true);
  // "students" alone would lean to an individual, but "we" are several: the startup is meant.
  auto t = f.say("we're 4 students who turned our class project into a startup");
  CHECK(t.out.text.find("A startup or new product team") != std::string::npos);
  CHECK(t.out.text.find("expected load") == std::string::npos);  // 4 students use nothing
  CHECK(t.out.question == "startup_goal");
  // Users counted beside it still answer the load.
  fixture g;
  g.svc.start(g.key, {}, true);
  t = g.say("we are a startup, 3 students, and 2000 students use the app");
  CHECK(t.out.text.find("Growing: thousands of users") != std::string::npos);
}

TEST_CASE("'just me' said beside 'our' - the group is who the thing is for") {
  for (std::string said : {"um it's just me, I want to make a little app for our shift swaps",
                           "it's not for a company, it's only me doing this for our youth group"}) {
    CAPTURE(said);
    fixture f;
    f.svc.start(f.key, {}, true);
    auto t = f.say(said);
    CHECK(t.out.text.find("Just me, as an individual developer") != std::string::npos);
    CHECK(t.out.question != "context");
  }
}

TEST_CASE("'both' and two options of a question with none for both - asked back") {
  for (std::string said : {"both high traffic and legacy integration",
                           "both the traffic one and the old systems one really",
                           "both heavy traffic plus the legacy stuff"}) {
    CAPTURE(said);
    fixture f;
    f.svc.start(f.key, {}, true);
    f.pick("enterprise");
    REQUIRE(f.svc.current(f.key)->out.question == "enterprise_focus");
    auto t = f.say(said);
    CHECK(t.out.notice == dialogue::notice::ambiguous);
    CHECK(t.out.question == "enterprise_focus");
  }
  // A question with an option for both takes it.
  fixture g;
  g.svc.start(g.key, {}, true);
  for (const char* o : {"startup", "validate", "api"}) g.pick(o);
  REQUIRE(g.svc.current(g.key)->out.question == "team");
  auto t = g.say("both python and javascript");
  CHECK(t.out.notice == dialogue::notice::none);
  CHECK(t.out.text.find("Both, about equally") != std::string::npos);
}

TEST_CASE("an answer the message's other answers rule out is not taken") {
  fixture f;
  f.svc.start(f.key, {}, true);
  // "system's main job" is asked of established companies; this user is on their own.
  auto t = f.say(
      "I'm a data analyst at the hospital but this one is just for me personally, "
      "I want to get into data science as a career eventually");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("Just me, as an individual developer") != std::string::npos);
  CHECK(t.out.text.find("career in data science") != std::string::npos);
  CHECK(t.out.text.find("Data analytics") == std::string::npos);
}

TEST_CASE("words that leave the question asked torn answer no other question") {
  fixture f;
  f.svc.start(f.key, {}, true);
  f.pick("enterprise");
  f.pick("analytics");
  REQUIRE(f.svc.current(f.key)->out.question == "workload");
  // "number crunching" and "ML" split the workload; the data question does not take "ML".
  auto t = f.say("number crunching on policy data and ML on claims");
  CHECK(t.out.text.find("data and ML") == std::string::npos);
}

TEST_CASE("a team named by its frameworks - asked about the team") {
  fixture f;
  f.svc.start(f.key, {}, true);
  f.pick("startup");
  f.pick("validate");
  f.pick("api");
  REQUIRE(f.svc.current(f.key)->out.question == "team");
  auto t = f.say("we all came from a django agency so...");
  CHECK(t.out.text.find("**team skills** = Python") != std::string::npos);
}

TEST_CASE("commands said politely inside a longer sentence - at a question and at the review") {
  fixture f;
  f.svc.start(f.key, {}, true);
  f.pick("startup");
  f.pick("data_product");
  REQUIRE(f.svc.current(f.key)->out.question == "workload");
  // "this question for now" is no "what is this question for".
  auto t = f.say("can we pass on this question for now and continue");
  CHECK(dialogue::to_string(t.out.action) == std::string("skip"));
  t = f.say("sorry i got distracted, what stage are we at now?");
  CHECK(dialogue::to_string(t.out.action) == std::string("status"));
  t = f.say("node vs python for the learning curve?");
  CHECK(dialogue::to_string(t.out.action) == std::string("compare"));
  // "vs" in a question the sources answer is no side by side.
  t = f.say("how many devs know js vs python");
  CHECK(dialogue::to_string(t.out.action) != std::string("compare"));
  t = f.say("before i answer, can you compare the two on speed?");
  CHECK(dialogue::to_string(t.out.action) == std::string("compare"));
  f.pick("python");
  // A hedge inside the question's name still names it.
  t = f.say("can i edit what i said earlier about what the system mainly does");
  CHECK(dialogue::to_string(t.out.action) == std::string("change"));
  CHECK(t.out.question == "workload");
  auto review = f.to_review();
  REQUIRE(review.out.stage == dialogue::stage::reviewing);
  t = f.say("hypothetically, what would you say if there was no live stuff at all");
  CHECK(dialogue::to_string(t.out.action) == std::string("whatif"));
}

TEST_CASE("a change that names its question is that question's - a correction in it is not") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"individual", "first_language", "web", "no"}) f.pick(o);
  // "we do need a chat after all" would correct the workload; the message names live features.
  auto t = f.say(
      "hmm can we change my answer about live features? my friend says we do need a "
      "chat after all");
  CHECK(t.out.text.find("main workload") == std::string::npos);
  CHECK(t.out.text.find("real-time") != std::string::npos);
}

TEST_CASE("a skip said twice leaves the question open - the no of no idea is no answer") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"individual", "first_language", "web"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "realtime");
  // "need to ask" is the longer skip phrase; the "no" of "no idea" is still no "no".
  auto t = f.say("hmm no idea, need to ask our PM");
  CHECK(dialogue::to_string(t.out.action) == std::string("skip"));
  CHECK(t.out.text.find("No, request and response") == std::string::npos);
  CHECK(t.out.question == "data");
}

TEST_CASE("why and summary and what-if in a phone user's words after the recommendation") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"individual", "first_language", "web", "no", "none", "readability"})
    f.pick(o);
  auto review = f.say("yes");
  REQUIRE(review.out.stage == dialogue::stage::recommended);
  auto t = f.say("ok so what made you land on python for us");
  CHECK(dialogue::to_string(t.out.action) == std::string("why"));
  t = f.say("great, export the whole thing as a short writeup pls so the CTO can sign off");
  CHECK(dialogue::to_string(t.out.action) == std::string("summary"));
  t = f.say("and suppose it was mainly live dashboards over websockets, would that flip it?");
  CHECK(dialogue::to_string(t.out.action) == std::string("whatif"));
}

TEST_CASE("one answer for the start and another for later is asked back - one band is no split") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "api", "javascript"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "realtime");
  auto t = f.say("maybe later?? not at launch but the roadmap has live chat in Q3");
  CHECK(t.out.notice == dialogue::notice::ambiguous);
  CHECK(t.out.question == "realtime");
  // A bare "not" is no "no" when a later version is promised.
  t = f.say("not for v1 but probably v2");
  CHECK(t.out.notice == dialogue::notice::ambiguous);
  CHECK(t.out.question == "realtime");
  f.pick("no");
  f.pick("none");
  REQUIRE(f.svc.current(f.key)->out.question == "scale");
  // Both counts fall in one band: the load is known, whatever the years bring.
  t = f.say("a few thousand users now, maybe 5k next year");
  CHECK(t.out.notice == dialogue::notice::none);
  CHECK(t.out.question == "size");
  t = f.say("small for the MVP but if it works it'll balloon, hard to say");
  CHECK(t.out.notice == dialogue::notice::ambiguous);
  CHECK(t.out.question == "size");
}

TEST_CASE("many users at once is a high load - with no number said") {
  for (std::string said : {"pretty hi, lots of concurent users all at once during flu season",
                           "lots of concurrent users"}) {
    CAPTURE(said);
    fixture f;
    f.svc.start(f.key, {}, true);
    for (const char* o : {"startup", "validate", "api", "javascript", "no", "none"}) f.pick(o);
    REQUIRE(f.svc.current(f.key)->out.question == "scale");
    auto t = f.say(said);
    CHECK(t.out.text.find("Very high") != std::string::npos);
    CHECK(t.out.question == "size");
  }
}

TEST_CASE(
    "a change of the question asked is its answer - a stack asked about outside it is a question") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"enterprise", "high_traffic", "api", "javascript", "yes", "none"})
    f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "scale");
  // "high traffic" names the load question, not answered yet: the message answers it.
  auto t = f.say("couple hundred users, internal only... so the high traffic thing was wrong");
  CHECK(t.out.text.find("nothing to change") == std::string::npos);
  CHECK(t.out.question == "size");
  // "huge codebase" would answer the size; the '?' over node makes it a question for the sources.
  t = f.say("for a huge codebase that'll live 10 yrs is node a bad idea?");
  CHECK(t.out.text.find("sources say") != std::string::npos);
  CHECK(t.out.text.find("Large") == std::string::npos);
  CHECK(t.out.question == "size");
}

TEST_CASE("torn between the options asked is asked back - even when it says which") {
  fixture f;
  f.svc.start(f.key, {}, true);
  f.pick("startup");
  auto t = f.say("bit of both, we wanna ship quick to test demand but the product is a data thing");
  CHECK(t.out.notice == dialogue::notice::ambiguous);
  CHECK(t.out.question == "startup_goal");
  f.pick("validate");
  t = f.say("endpoints mostly but also a good chunk of websocket stuff, idk which one counts more");
  CHECK(t.out.notice == dialogue::notice::ambiguous);
  CHECK(t.out.question == "workload");
}

TEST_CASE(
    "in between is the middle option where the question has one - between two named ends is "
    "asked") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "api", "javascript", "no", "none", "low"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "size");
  auto t = f.say("half small half huge");
  CHECK(t.out.notice == dialogue::notice::ambiguous);
  t = f.say("somewhere in between, not tiny not huge");
  CHECK(t.out.notice == dialogue::notice::none);
  CHECK(t.out.text.find("Medium") != std::string::npos);
  CHECK(t.out.question == "priority");
}

TEST_CASE("a hedge weighs one option - another added with too is no mix but with a bit of it is") {
  fixture f;
  f.svc.start(f.key, {}, true);
  f.pick("startup");
  f.pick("fullstack");
  REQUIRE(f.svc.current(f.key)->out.question == "workload");
  auto t = f.say("mostly rest apis but also some ml");
  CHECK(t.out.notice == dialogue::notice::ambiguous);
  t = f.say("mostly rest apis, and yeah we'll need live notifications too");
  CHECK(t.out.notice == dialogue::notice::none);
  CHECK(t.out.text.find("APIs and microservices") != std::string::npos);
  REQUIRE(t.out.question == "team");
  t = f.say("mostly JS with a bit of Python");
  CHECK(t.out.notice == dialogue::notice::ambiguous);
}

TEST_CASE("knowledge questions in chat words find their facts first") {
  fixture f;
  f.svc.start(f.key, {}, true);
  CHECK(f.first_fact("and the bad sides of python?").rfind("cons-python", 0) == 0);
  CHECK(f.first_fact("django or flask, what's the actual difference") == "frameworks-python-esg");
  CHECK(f.first_fact("is python backed by any big companies") == "backers-python");
  CHECK(f.first_fact("what are node's strong points").rfind("pros-node", 0) == 0);
  CHECK(f.first_fact("is python hard to pick up? only ever done C# in unity")
            .rfind("learn-python", 0) == 0);
  CHECK(f.first_fact("what's the node version of django?") == "frameworks-node-wb");
  CHECK(f.first_fact("is there a company backing python or is it just volunteers") ==
        "backers-python");
  // Tools the sources never mention are not covered.
  CHECK(f.say("best ORM for node, prisma or typeorm?").out.notice == dialogue::notice::not_covered);
  const auto mvp = f.first_fact("whats quickest to hack together an mvp");
  CHECK((mvp == "prototype-python" || mvp == "iterate-node" || mvp == "small-node-less-code" ||
         mvp == "startup-node-validate"));
}

TEST_CASE("a command word that is a clause of its own is the command - confirm closing a message") {
  // Talk around it: still the command.
  for (std::string said : {"i've read it all twice now. yes. confirm. i think.",
                           "sent it to our lead and he's happy with it, so confirm"}) {
    CAPTURE(said);
    fixture f;
    f.svc.start(f.key, {}, true);
    for (const char* o : {"startup", "fullstack", "web", "javascript", "yes", "some", "moderate",
                          "small", "iteration"})
      f.pick(o);
    REQUIRE(f.svc.current(f.key)->out.question == "review");
    CHECK(f.say(said).out.recommendation);
  }
}

TEST_CASE("a question that opens with 'does' at the review is asked - not a yes") {
  fixture f;
  f.to_review();
  REQUIRE(f.svc.current(f.key)->out.question == "review");
  auto t = f.say("does node run on windows? all our build machines are windows");
  CHECK_FALSE(t.out.recommendation);
  CHECK_FALSE(t.out.facts.empty());
  CHECK(f.svc.current(f.key)->out.question == "review");
  CHECK(f.say("it does").out.recommendation);
}

TEST_CASE("a question's name said of someone else names nothing - the reply stays with the asked") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"enterprise", "other", "api", "both", "yes"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "data");
  // "another team's": not this user's team question; "none" answers the data question.
  auto t = f.say("none, reporting is handled by another team");
  CHECK(t.out.notice == dialogue::notice::none);
  CHECK(t.out.text.find("Little or none") != std::string::npos);
  CHECK(t.out.text.find("You said") == std::string::npos);
}

TEST_CASE("a number followed by another question's unit counts that - not the load") {
  fixture f;
  f.svc.start(f.key, {}, true);
  // "client" is a load word elsewhere in the sentence, but the 5k counts staff.
  auto t = f.say("the client is an established insurer with 5k staff");
  CHECK(t.out.text.find("established company") != std::string::npos);
  CHECK(t.out.text.find("expected load") == std::string::npos);
  CHECK(t.out.question == "enterprise_focus");
  // A number whose unit is the load's is still the load's.
  t = f.say("our public site, about 5k visitors at once");
  CHECK(t.out.text.find("expected load") != std::string::npos);
}

namespace {

// A conversation at the team question: a startup validating an API.
void to_team(fixture& f) {
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "api"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "team");
}

// Whether `said`, at the team question, records the team's skills as `label`.
bool team_reads(const std::string& said, const std::string& label) {
  fixture f;
  to_team(f);
  return f.say(said).out.text.find("**team skills** = " + label) != std::string::npos;
}

}  // namespace

TEST_CASE(
    "a message of nothing but an emoji says what it stands for - as typed or as Slack names it") {
  fixture f;
  to_team(f);
  // Nothing it stands for answers the team question: the user sees what they typed.
  auto t = f.say("👍");
  CHECK(t.out.notice == dialogue::notice::no_match);
  CHECK(t.out.text.find("👍") != std::string::npos);
  t = f.say("🐍");
  CHECK(t.out.text.find("**team skills** = Python") != std::string::npos);
  REQUIRE(t.out.question == "realtime");
  // Two emoji that disagree say nothing; a skin tone or Slack's name is the same emoji.
  CHECK(f.say("👍👎").out.question == "realtime");
  t = f.say(":thumbsdown:");
  CHECK(t.out.text.find("No, request and response") != std::string::npos);
  CHECK(f.say("back").out.question == "realtime");
  t = f.say("👍🏽");
  CHECK(t.out.text.find("Yes, some live features") != std::string::npos);
  // Beside words, an emoji stays between them.
  CHECK(f.say("🤷‍♂️").out.text.find("leave **data and ML** open") != std::string::npos);
}

TEST_CASE("a number's emoji is that number - as Slack names it or as typed") {
  fixture f;
  to_team(f);
  auto t = f.say("2\xEF\xB8\x8F\xE2\x83\xA3");  // the keycap 2
  CHECK(t.out.text.find("**team skills** = JavaScript or TypeScript") != std::string::npos);
  REQUIRE(t.out.question == "realtime");
  t = f.say(":one:");
  CHECK(t.out.text.find("Yes, some live features") != std::string::npos);
}

TEST_CASE("two options denied and nothing else is the question's neither - a softener inside") {
  for (std::string said : {"we don't know python or js",
                           "uh none of us really know python or js well, we're mostly c# people"}) {
    CAPTURE(said);
    fixture f;
    to_team(f);
    CHECK(f.say(said).out.text.find("**team skills** = Neither yet") != std::string::npos);
  }
}

TEST_CASE("a reply corrected in the same message - the one it ends on answers - no step back") {
  for (std::string said : {"python. i mean typescript, sorry, long day",
                           "python, scratch that, typescript", "python. no wait, typescript"}) {
    CAPTURE(said);
    fixture f;
    to_team(f);
    auto t = f.say(said);
    CHECK(t.out.text.find("**team skills** = JavaScript or TypeScript") != std::string::npos);
    CHECK(t.out.question == "realtime");
  }
}

TEST_CASE("most of the team outweighs a few - a clause about one or a few is no mix") {
  for (auto [said, meant] :
       {std::pair<std::string, std::string>{
            "their people mostly write python, a few java holdouts but python dominates", "Python"},
        {"all of us do js, one guy knows a bit of python but meh", "JavaScript or TypeScript"}}) {
    CAPTURE(said);
    fixture f;
    to_team(f);
    CHECK(f.say(said).out.text.find("**team skills** = " + meant) != std::string::npos);
  }
  // Two real halves are still asked back.
  fixture f;
  to_team(f);
  CHECK(f.say("mostly python, some js").out.question == "team");
}

TEST_CASE("a verb with no subject after it asks nothing - 'is for me only'") {
  fixture f;
  f.svc.start(f.key, {}, true);
  auto t = f.say("hello, is for me only, i want learn programming");
  CHECK(t.out.text.find("Just me") != std::string::npos);
  CHECK(t.out.text.find("first programming language") != std::string::npos);
  // A verb before its subject still asks.
  fixture g;
  g.svc.start(g.key, {}, true);
  CHECK(g.say("is python good for beginners").out.text.find("Source") != std::string::npos);
}

TEST_CASE("a question mark inside an answer that goes on without asking hesitates over it") {
  fixture f;
  f.svc.start(f.key, {}, true);
  f.pick("enterprise");
  auto t =
      f.say("i think mainly connecting to the old stuff we already have? sorry if that's wrong");
  CHECK(t.out.text.find("Integrating with legacy systems") != std::string::npos);
  CHECK(t.out.question == "legacy_stack");
  // What follows the mark asks: the sources answer.
  t = f.say("got req/s numbers for each? ops wants figures");
  CHECK(t.out.text.find("Source") != std::string::npos);
  CHECK(t.out.question == "legacy_stack");
}

TEST_CASE("a command's phrases add up - two for one outweigh one for another") {
  // "why that" and "need the reasoning" against "to my boss".
  fixture g;
  g.to_review();
  REQUIRE(g.say("confirm").out.recommendation);
  auto t = g.say("ok but why that one? need the reasoning so i can explain it to my boss");
  CHECK(t.out.action == dialogue::command::why);
  CHECK(t.out.text.find("Decision record") == std::string::npos);
}

TEST_CASE("a yes/no question named and denied nowhere is answered yes - no change in passing") {
  for (const char* said : {"live polls that update for everyone in the room",
                           "yesss live polls that update for all"}) {
    CAPTURE(said);
    fixture f;
    to_team(f);
    f.pick("javascript");
    REQUIRE(f.svc.current(f.key)->out.question == "realtime");
    auto t = f.say(said);
    CHECK(t.out.text.find("**real-time needs** = Yes") != std::string::npos);
    CHECK(t.out.question == "data");  // the workload (an API) was not proposed for a change
  }
  // A word that only shares its stem with the name says nothing of live features.
  fixture h;
  to_team(h);
  h.pick("javascript");
  CHECK(h.say("Large and long-lived, it will outlast us").out.text.find("**real-time needs**") ==
        std::string::npos);
  // Denied, it is no.
  fixture g;
  to_team(g);
  g.pick("javascript");
  CHECK(g.say("we don't need anything live").out.text.find("**real-time needs** = No") !=
        std::string::npos);
}

TEST_CASE("dots between groups of three digits group thousands - '100.000 users'") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"enterprise", "high_traffic", "api", "both", "yes", "some"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "scale");
  CHECK(f.say("We have 100.000 simultaneous users at peak times.").out.text.find("Very high") !=
        std::string::npos);
  // A decimal point stays one.
  fixture g;
  g.svc.start(g.key, {}, true);
  for (const char* o : {"enterprise", "high_traffic", "api", "both", "yes", "some"}) g.pick(o);
  CHECK(g.say("about 1.5k users").out.text.find("Growing") != std::string::npos);
}

TEST_CASE(
    "a few words of another language - yes and no and positions and not sure and confirm and "
    "restart") {
  fixture f;
  f.svc.start(f.key, {}, true);
  CHECK(f.say("a terceira, por favor").out.text.find("Just me") != std::string::npos);
  f.svc.start(f.key, {}, true);
  CHECK(f.say("Keine Ahnung, sorry.").out.text.find("open") != std::string::npos);
  fixture g;
  to_team(g);
  g.pick("javascript");
  CHECK(g.say("Sim!").out.text.find("**real-time needs** = Yes") != std::string::npos);
  fixture h;
  h.to_review();
  CHECK(h.say("Tudo certo, pode seguir!").out.recommendation);
  fixture r;
  r.to_review();
  CHECK(r.say("Bitte alles zurücksetzen und neu beginnen.").out.action ==
        dialogue::command::restart);
}

TEST_CASE("asking for the recommendation at the review confirms - not a data workload") {
  for (const char* said : {"All details are correct, kindly share the recommendation.",
                           "Please give us the recommendation."}) {
    CAPTURE(said);
    fixture f;
    f.to_review();
    CHECK(f.say(said).out.recommendation);
  }
  // "for my team" alone asks for no write-up: reports for a team are some data work.
  fixture g;
  to_team(g);
  g.pick("javascript");
  g.pick("no");
  REQUIRE(g.svc.current(g.key)->out.question == "data");
  auto t = g.say("Some reporting on sign-ups for my team.");
  CHECK(t.out.action != dialogue::command::summary);
  CHECK(t.out.text.find("**data and ML** = Some") != std::string::npos);
}

TEST_CASE("starting over corrects nothing - the reason given with it is no answer") {
  fixture f;
  f.svc.start(f.key, {}, true);
  f.pick("individual");
  auto t = f.say("start over from scratch, I want to do it for my company this time");
  CHECK(t.out.action == dialogue::command::restart);
  CHECK(t.out.question == "context");
}

TEST_CASE("'both' before a verb is about people - 'we both write js' is JavaScript") {
  for (const char* said : {"Me and my cofounder both write JavaScript, React Native and a little "
                           "Express.",
                           "both of us know typescript"}) {
    CAPTURE(said);
    CHECK(team_reads(said, "JavaScript or TypeScript"));
  }
  // "both" as the answer still is.
  CHECK(team_reads("both, honestly", "Both"));
}

TEST_CASE("asked whether Node.js is a programming language - the runtime fact answers") {
  fixture f;
  f.svc.start(f.key, {}, true);
  auto t = f.say("Is Node.js a programming language? Our IT says it is not.");
  REQUIRE_FALSE(t.out.facts.empty());
  CHECK(t.out.facts.front() == "runtime-vs-language");
}

TEST_CASE("a negation word beside a denial is the denial's - not the team's 'neither'") {
  for (const char* said :
       {"Not Python, nobody in the team ever touched it; everything we do is TypeScript.",
        "nobody touched python, everything we do is typescript"}) {
    CAPTURE(said);
    CHECK(team_reads(said, "JavaScript or TypeScript"));
  }
  // Nothing kept: still neither.
  CHECK(team_reads("nobody knows python or js", "Neither"));
}

TEST_CASE("'what matters is ...' without a question mark says what counts - it asks nothing") {
  for (const char* said :
       {"what matters most to us is readable code", "What counts is the maintenance later."}) {
    CAPTURE(said);
    fixture f;
    f.svc.start(f.key, {}, true);
    for (const char* o :
         {"startup", "validate", "api", "javascript", "yes", "none", "low", "small"})
      f.pick(o);
    REQUIRE(f.svc.current(f.key)->out.question == "priority");
    CHECK(f.say(said).out.text.find("**what you value** = Readable") != std::string::npos);
  }
  // A question that opens with "what" still asks.
  fixture g;
  g.svc.start(g.key, {}, true);
  CHECK(g.say("what kind of app is node best for").out.text.find("Source") != std::string::npos);
}

TEST_CASE("a codebase that lives for many years with several teams is large and long-lived") {
  for (const char* said :
       {"It will live for many years, with many modules and several teams working on it.",
        "It will not stay small, this is the core platform for the next decade."}) {
    CAPTURE(said);
    fixture f;
    f.svc.start(f.key, {}, true);
    for (const char* o : {"enterprise", "high_traffic", "api", "both", "yes", "some", "high"})
      f.pick(o);
    REQUIRE(f.svc.current(f.key)->out.question == "size");
    CHECK(f.say(said).out.text.find("**project size** = Large") != std::string::npos);
  }
}

TEST_CASE(
    "the advisor's own word 'recommendation' is no answer - asked too early it says what is left") {
  fixture f;
  to_team(f);
  f.pick("javascript");
  f.pick("no");
  REQUIRE(f.svc.current(f.key)->out.question == "data");
  for (const char* said :
       {"can i see the recommendation now?", "just give me the recommendation"}) {
    CAPTURE(said);
    auto t = f.say(said);
    CHECK(t.out.action == dialogue::command::confirm);
    CHECK(t.out.question == "data");  // nothing recorded, the question stands
    CHECK(t.out.text.find("at most 4 to go") != std::string::npos);
    CHECK(t.out.text.find("**data and ML**") == std::string::npos);
  }
  // A recommendation engine is still the product's data work.
  auto t = f.say("we're building a recommendation engine");
  CHECK(t.out.text.find("**data and ML** = A lot") != std::string::npos);

  // After the recommendation: sharing it is the write-up, not a new workload; asking why it
  // was given is the breakdown.
  fixture g;
  g.to_review();
  REQUIRE(g.say("looks right").out.recommendation);
  auto shared = g.say("share the recommendation with my team");
  CHECK(shared.out.action == dialogue::command::summary);
  CHECK(shared.out.text.find("Change it to") == std::string::npos);
  for (const char* said :
       {"why did you give that recommendation", "how did you reach that recommendation"}) {
    CAPTURE(said);
    CHECK(g.say(said).out.action == dialogue::command::why);
  }
}

TEST_CASE("'the last one' is the last shown 'Not sure' - unless the message names the option") {
  fixture f;
  f.svc.start(f.key, {}, true);
  REQUIRE(f.svc.current(f.key)->out.question == "context");
  auto t = f.say("last option, it's just me");
  CHECK(t.out.text.find("**who is choosing** = Just me") != std::string::npos);

  fixture g;
  g.svc.start(g.key, {}, true);
  auto skipped = g.say("the last one");
  CHECK(skipped.out.action == dialogue::command::skip);
  CHECK(skipped.out.text.find("**who is choosing**") != std::string::npos);
}

TEST_CASE("one option denied and nothing else said - the others are asked back") {
  fixture f;
  f.svc.start(f.key, {}, true);
  f.say("a startup");
  for (const char* reply : {"validating an idea fast", "a classic web app", "python",
                            "no live features", "no data work"})
    f.say(reply);
  REQUIRE(f.svc.current(f.key)->out.question == "scale");
  auto t = f.say("not tiny");
  CHECK(t.out.notice == dialogue::notice::ambiguous);
  CHECK(t.out.text.find("Growing") != std::string::npos);
  CHECK(t.out.text.find("Very high") != std::string::npos);
  CHECK(t.out.text.find("Modest") == std::string::npos);
  CHECK(f.svc.current(f.key)->out.question == "scale");
}

TEST_CASE("a what-if names a yes/no question with a yes - a no - or a denial") {
  fixture f;
  f.start_saying({"a startup", "validating an idea fast", "a classic web app", "python",
                  "yes we need chat", "no data work", "hundreds of users", "small", "readable code",
                  "confirm"});
  for (const char* text :
       {"what if I said no to the live features?", "what if we didn't need any live stuff"}) {
    auto t = f.say(text);
    CHECK(t.out.action == dialogue::command::whatif);
    CHECK(t.out.text.find("were **No, request and response is enough**") != std::string::npos);
  }
}

TEST_CASE(
    "a question followed by talk about the asker is still answered - GraphQL is not covered") {
  fixture f;
  f.svc.start(f.key, {}, true);
  auto t = f.say("what are the downsides of node? want to warn the client upfront");
  CHECK(t.out.notice != dialogue::notice::not_covered);
  CHECK(t.out.text.find("Here's what the sources say") != std::string::npos);
  t = f.say("does python have a good graphql library?");
  CHECK(t.out.notice == dialogue::notice::not_covered);
}

TEST_CASE("an answer then a correction in the next sentence - both are kept") {
  fixture f;
  f.start_saying({"a startup", "validating an idea fast", "a classic web app", "python",
                  "no live features", "no data work", "hundreds of users"});
  REQUIRE(f.svc.current(f.key)->out.question == "size");
  // A lone reply before a full stop is no reply to the load named in the next sentence.
  auto t = f.say("medium. it's more like thousands of users not hundreds");
  CHECK(t.out.text.find("**project size** = Medium") != std::string::npos);
  CHECK(t.out.text.find("Change it to **Growing: thousands of users**?") != std::string::npos);
  CHECK(t.out.stage == dialogue::stage::confirming);
  f.say("no");
  REQUIRE(f.svc.current(f.key)->out.question == "priority");
  // "small" was the answer of two questions (a small load and a small codebase): the one the new
  // words answer differently is corrected.
  f.start_saying({"a startup", "validating an idea fast", "a classic web app", "python",
                  "no live features", "no data work", "small, a few hundred users", "small"});
  REQUIRE(f.svc.current(f.key)->out.question == "priority");
  t = f.say(
      "readability. and scratch 'small' from before, this thing will def be big + long lived");
  CHECK(t.out.text.find("**what you value** = Readable code") != std::string::npos);
  CHECK(t.out.text.find("Change it to **Large and long-lived**?") != std::string::npos);
}

TEST_CASE("a correction that a clause admits - or that only its first clause states") {
  fixture f;
  f.start_saying({"an established company", "integrating with legacy systems"});
  REQUIRE(f.svc.current(f.key)->out.question == "legacy_stack");
  auto t = f.say(
      "mostly .NET stuff. tho honestly the main job is analytics not integration, i picked the "
      "wrong one earlier");
  CHECK(t.out.text.find("**legacy systems' stack** = Something else") != std::string::npos);
  CHECK(t.out.text.find("Change it to **Data analytics**?") != std::string::npos);

  f.start_saying({"just me", "I just want to build a project of my own"});
  REQUIRE(f.svc.current(f.key)->out.question == "workload");
  t = f.say(
      "APIs for my app. actually i should've said i'm learning this as my first real language, "
      "that's more the point");
  CHECK(t.out.text.find("**main workload** = APIs") != std::string::npos);
  CHECK(t.out.text.find("Change it to **I'm learning my first programming language**?") !=
        std::string::npos);

  f.start_saying({"a startup", "validating an idea fast", "data processing"});
  REQUIRE(f.svc.current(f.key)->out.question == "team");
  t = f.say("neither. it's less about validating now, more a data product");
  CHECK(t.out.text.find("**team skills** = Neither yet") != std::string::npos);
  CHECK(t.out.text.find("Change it to **A product built around data**?") != std::string::npos);
}

TEST_CASE("counts with thousands separators - denied counts and denied concurrency") {
  fixture f;
  f.start_saying({"a startup", "validating an idea fast", "a classic web app", "python",
                  "no live features", "no data work"});
  REQUIRE(f.svc.current(f.key)->out.question == "scale");
  auto t = f.say("upwards of 50,000 students trying to log in at the same moment");
  CHECK(t.out.text.find("**expected load** = Very high") != std::string::npos);
  f.say("back");
  REQUIRE(f.svc.current(f.key)->out.question == "scale");
  t = f.say("around 5,000 registered users, although they won't all be on at once");
  CHECK(t.out.text.find("**expected load** = Growing") != std::string::npos);
  f.say("back");
  t = f.say("it will not be 10k users, nor even 2000 users. more like 300 users");
  CHECK(t.out.text.find("**expected load** = Modest") != std::string::npos);
}

TEST_CASE("once the user is on their own - our words speak of others") {
  fixture f;
  f.start_saying({"just me"});
  REQUIRE(f.svc.current(f.key)->out.question == "individual_goal");
  auto t = f.say(
      "I'd simply like to build something of my own: a small website for our parish council's "
      "allotment waiting list.");
  CHECK(t.out.text.find("**your goal** = I just want to build a project of my own") !=
        std::string::npos);
}

TEST_CASE("counted people say how the team splits") {
  auto team_after = [](const char* text) {
    fixture f;
    f.svc.start(f.key, {}, true);
    for (const char* o : {"enterprise", "high_traffic", "api"}) f.pick(o);
    REQUIRE(f.svc.current(f.key)->out.question == "team");
    return f.say(text).out.text;
  };
  CHECK(team_after("12 eng: 6 py, 6 TS, all comfortable in their lane")
            .find("**team skills** = Both, about equally") != std::string::npos);
  CHECK(team_after("7 TS devs, 1 python guy who mostly babysits the data stuff")
            .find("**team skills** = JavaScript or TypeScript") != std::string::npos);
  // Closer counts are a mix: asked back, not guessed.
  CHECK(team_after("5 python devs, 3 TS devs").find("Which one fits best") != std::string::npos);
  // "a little python and a little js" counts nobody.
  CHECK(team_after("we know a little python and a little js but not well")
            .find("**team skills** = Both") == std::string::npos);
}

TEST_CASE("a rewrite later says a small codebase - not a large one") {
  auto size_after = [](const char* text) {
    fixture f;
    f.svc.start(f.key, {}, true);
    for (const char* o : {"startup", "data_product", "data", "python", "yes", "moderate"})
      f.pick(o);
    REQUIRE(f.svc.current(f.key)->out.question == "size");
    return f.say(text).out.text;
  };
  CHECK(size_after("throwaway-ish. if the MVP works we'll likely rewrite it anyway")
            .find("**project size** = Small and focused") != std::string::npos);
  CHECK(size_after("small. if it takes off we'll probably rewrite half of it anyway")
            .find("**project size** = Small and focused") != std::string::npos);
  // "we'll" is a function word: it leans towards no size.
  CHECK(size_after("we'll rewrite it").find("Large") == std::string::npos);
}

TEST_CASE("a question before a question mark is what is searched - the rest is about the asker") {
  fixture f;
  f.svc.start(f.key, {}, true);
  CHECK(f.first_fact("does python even have types? the client's devs are all java people")
            .rfind("typing-python", 0) == 0);
  CHECK(f.first_fact("who's behind node? boss wants to know it'll still be around in ten years") ==
        "backers-node");
  CHECK(f.first_fact("who looks after python, is there a foundation or what?") == "backers-python");
  // "behind" on speed is no backer.
  CHECK(f.first_fact("ok node is faster, but how far behind is python really? numbers pls")
            .rfind("perf-", 0) == 0);
  // Words after the question still say what it means when the question alone is vague.
  CHECK(f.first_fact("is npm safe? heard horror stories about dependency bloat") == "npm-bloat");
  // A stack's strengths, asked with "why" before any recommendation.
  CHECK(f.first_fact("in a nutshell why would you pick node?").rfind("pros-node", 0) == 0);
  // Summary words after the question say what the asker will do with the answer.
  auto t = f.say("what are the downsides of node? boss wants the cons in writing");
  CHECK(t.out.action != dialogue::command::summary);
  REQUIRE_FALSE(t.out.facts.empty());
  CHECK(t.out.facts.front().rfind("cons-node", 0) == 0);
}

TEST_CASE("a stack's weaknesses asked at the team question are asked - not the team's skills") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"enterprise", "analytics", "data"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "team");
  for (const char* said : {"downsides of python?",
                           "main weaknesses of python? boss wants both sides before he signs "
                           "anything off"}) {
    CAPTURE(said);
    auto t = f.say(said);
    REQUIRE_FALSE(t.out.facts.empty());
    CHECK(t.out.facts.front().rfind("cons-python", 0) == 0);
    CHECK(f.svc.current(f.key)->out.question == "team");
  }
}

TEST_CASE("a change of an answer not yet named is asked which - mid-way too") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"individual", "know_js", "realtime"}) f.pick(o);
  const std::string at = f.svc.current(f.key)->out.question;
  auto t = f.say("I need to change one of my earlier answers");
  CHECK(t.out.action == dialogue::command::change);
  CHECK(t.out.text.find("Which answer should I change? Name it") != std::string::npos);
  CHECK(t.out.text.find("buttons") == std::string::npos);  // none are shown mid-way
  CHECK(f.svc.current(f.key)->out.question == at);
  // "not right now" answers a yes/no question; it changes nothing.
  f.pick("data");
  f.svc.start(f.key, {}, true);
  for (const char* o : {"individual", "data_career", "data"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "realtime");
  t = f.say("nope not rn");
  CHECK(t.out.text.find("**real-time needs** = No") != std::string::npos);
}

TEST_CASE("a command inside a longer phrase of another is that phrase's word") {
  fixture f;
  f.to_review();
  f.say("confirm");
  REQUIRE(f.svc.current(f.key)->out.recommendation);
  // "change" inside "would it change if": a what-if, not a change.
  auto t = f.say("would it change if they didn't need anything real-time?");
  CHECK(t.out.action == dialogue::command::whatif);
  t = f.say("say the load was massive, what would you say then?");
  CHECK(t.out.action == dialogue::command::whatif);
}

TEST_CASE("approval words confirm the review - undecided people leave the question open") {
  fixture f;
  f.to_review();
  CHECK(f.say("grand, that's all accurate as far as the client's concerned").out.recommendation);
  fixture g;
  g.svc.start(g.key, {}, true);
  for (const char* o : {"startup", "none", "compute", "neither"}) g.pick(o);
  REQUIRE(g.svc.current(g.key)->out.question == "realtime");
  auto t = g.say("they haven't made their minds up on that one yet");
  CHECK(t.out.action == dialogue::command::skip);
  // "grand" is a thousand only after a number.
  g.say("back");
  REQUIRE(g.svc.current(g.key)->out.question == "realtime");
  t = g.say("request/response is grand for them, nothing needs to be live");
  CHECK(t.out.text.find("**real-time needs** = No") != std::string::npos);
  CHECK(t.out.text.find("expected load") == std::string::npos);
  CHECK(g.svc.current(g.key)->out.question != "realtime");
}

TEST_CASE("what a startup is not denies that option - it answers no other question") {
  fixture f;
  f.svc.start(f.key, {}, true);
  f.pick("startup");
  REQUIRE(f.svc.current(f.key)->out.question == "startup_goal");
  auto t = f.say(
      "Honestly none of them fit. They've already got paying customers so they're not testing an "
      "idea anymore, and it's not a data play either");
  CHECK(t.out.text.find("**startup focus** = None of these really") != std::string::npos);
  CHECK(t.out.text.find("data and ML") == std::string::npos);
  f.say("back");
  REQUIRE(f.svc.current(f.key)->out.question == "startup_goal");
  // The words that answer the focus are its own, not the team's.
  t = f.say(
      "they want the one small crew doing the lot, front end and back end, all of it in "
      "javascript");
  CHECK(t.out.text.find("**startup focus** = A full-stack JavaScript team") != std::string::npos);
  CHECK(t.out.text.find("team skills") == std::string::npos);
}

TEST_CASE("idioms with a position word name no position - chit-chat is not covered") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "api"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "team");
  auto t = f.say("all typescript devs, every last one of them");
  CHECK(t.out.text.find("**team skills** = JavaScript or TypeScript") != std::string::npos);
  t = f.say("did you see the rugby at the weekend?");
  CHECK(t.out.notice == dialogue::notice::not_covered);
  CHECK(t.out.text.find("Got it") == std::string::npos);
}

TEST_CASE("two options weighed the same are asked back - an established business is a company") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "api", "javascript", "no", "none", "low", "small"})
    f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "priority");
  auto t = f.say(
      "clean readable code matters to them, but so does getting prototypes out quick, "
      "they rate both the same");
  CHECK(t.out.notice == dialogue::notice::ambiguous);
  CHECK(f.svc.current(f.key)->out.question == "priority");
  fixture g;
  g.svc.start(g.key, {}, true);
  for (const char* o : {"startup", "data_product", "data", "python", "no"}) g.pick(o);
  REQUIRE(g.svc.current(g.key)->out.question == "scale");
  t = g.say(
      "a few thousand. also the client rang, they're not really a startup anymore, more of "
      "an established business these days");
  CHECK(t.out.text.find("**expected load** = Growing") != std::string::npos);
  CHECK(t.out.text.find("You said **A startup or new product team**") != std::string::npos);
}

TEST_CASE("what something is not describes it - a position that fits is that position") {
  fixture f;
  f.svc.start(f.key, {}, true);
  f.pick("startup");
  REQUIRE(f.svc.current(f.key)->out.question == "startup_goal");
  // "not about data", "not chasing a data job": what the thing is not; no answer to the data
  // question.
  auto t = f.say(
      "We're not testing an idea, it's not about data, and our devs aren't JavaScript "
      "people. So none I guess");
  CHECK(t.out.text.find("**startup focus** = None of these really") != std::string::npos);
  CHECK(t.out.text.find("data and ML") == std::string::npos);
  fixture g;
  g.svc.start(g.key, {}, true);
  for (const char* o :
       {"startup", "fullstack", "realtime", "javascript", "none", "moderate", "medium"})
    g.pick(o);
  REQUIRE(g.svc.current(g.key)->out.question == "priority");
  t = g.say("the 3rd sounds right for us");
  CHECK(t.out.text.find("**what you value** = Fast iteration") != std::string::npos);
}

TEST_CASE("two things that are not stacks set against each other are asked of the sources") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* said :
       {"What's the actual difference between Django and Flask?", "django vs flask?"}) {
    CAPTURE(said);
    auto t = f.say(said);
    CHECK(t.out.action != dialogue::command::compare);
    REQUIRE_FALSE(t.out.facts.empty());
    CHECK(t.out.facts.front() == "frameworks-python-esg");
  }
  // With nothing named, the stacks are compared.
  CHECK(f.say("what's the difference between them?").out.action == dialogue::command::compare);
  auto t = f.say(
      "Which one gets a first rough version built the fastest? We need a demo for "
      "investors in 6 weeks");
  REQUIRE_FALSE(t.out.facts.empty());
  CHECK(t.out.facts.front() != "lts-node");
}

TEST_CASE("a year is no count - 'both our devs' are people - what did you write down is status") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"enterprise", "legacy"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "legacy_stack");
  auto t = f.say(
      "The old patient records thing is some Microsoft dot net setup a vendor built for us back in "
      "2010");
  CHECK(t.out.text.find("expected load") == std::string::npos);
  fixture g;
  g.svc.start(g.key, {}, true);
  for (const char* o : {"startup", "validate", "api"}) g.pick(o);
  REQUIRE(g.svc.current(g.key)->out.question == "team");
  t = g.say("javascript and typescript, both our devs are front end people");
  CHECK(t.out.text.find("**team skills** = JavaScript or TypeScript") != std::string::npos);
  CHECK(g.say("what answers did you write down for me again?").out.action ==
        dialogue::command::status);
}

TEST_CASE("a 'which is' clause without a '?' goes on about the answer - it asks nothing") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"enterprise", "other", "web", "both"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "realtime");
  auto t = f.say(
      "Yes. Drivers need to see new orders the moment they land, or they phone the office, "
      "which is to say my desk.");
  CHECK(t.out.text.find("**real-time needs** = Yes") != std::string::npos);
  fixture g;
  g.svc.start(g.key, {}, true);
  for (const char* o : {"startup", "validate", "api", "javascript", "yes", "none"}) g.pick(o);
  REQUIRE(g.svc.current(g.key)->out.question == "scale");
  t = g.say("Growing. Paying customers we've never met are signing up, which is new for us.");
  CHECK(t.out.text.find("**expected load** = Growing") != std::string::npos);
  CHECK(g.say("back").out.action == dialogue::command::back);
  t = g.say(
      "A big client may sign next month, which could mean tens of thousands of people "
      "connected at once.");
  CHECK(t.out.text.find("**expected load** = Very high") != std::string::npos);
  // With a comparison it still asks.
  CHECK(g.say("we need to push lots of files, which is better at that?").out.text.find("Got it") ==
        std::string::npos);
}

TEST_CASE("a language named in passing beside a question about a stack is not what is asked") {
  fixture f;
  f.svc.start(f.key, {}, true);
  // After the question, or "like X" / "the way X does" inside it.
  CHECK_FALSE(f.first_fact("Is node any good at CPU-bound work? In Go we'd just spawn goroutines.")
                  .empty());
  CHECK_FALSE(
      f.first_fact("Which frameworks do Python teams reach for? I'm used to Spring.").empty());
  CHECK(f.first_fact("does django give you an ORM and an admin out of the box, the way rails does?")
            .rfind("frameworks-python", 0) == 0);
  // Asked about, it is still not covered.
  auto t = f.say("what about Go?");
  CHECK(t.out.facts.empty());
  CHECK(t.out.text.find("don't cover") != std::string::npos);
  t = f.say("is there something like rails for node?");
  CHECK(t.out.facts.empty());
  // "go back to" after the question is no step back.
  t = f.say("How do you get type safety in node? I won't go back to untyped code.");
  CHECK(t.out.action != dialogue::command::back);
  REQUIRE_FALSE(t.out.facts.empty());
  CHECK(t.out.facts.front().rfind("typing-node", 0) == 0);
}

TEST_CASE("a question that opens and ends as one is asked - though it names both stacks' words") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"enterprise", "legacy", "other", "api"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "team");
  auto t = f.say("Is asynchronous code hard to learn for developers used to blocking Java calls?");
  REQUIRE_FALSE(t.out.facts.empty());
  CHECK(t.out.facts.front() == "learn-node-async");
  CHECK(f.svc.current(f.key)->out.question == "team");
}

TEST_CASE("a position with the list named or an item noun is a position") {
  fixture f;
  f.svc.start(f.key, {}, true);
  f.pick("startup");
  REQUIRE(f.svc.current(f.key)->out.question == "startup_goal");
  auto t = f.say("The third of those describes our team well enough.");
  CHECK(t.out.text.find("**startup focus** = A full-stack") != std::string::npos);
  fixture g;
  g.svc.start(g.key, {}, true);
  for (const char* o : {"enterprise", "other"}) g.pick(o);
  REQUIRE(g.svc.current(g.key)->out.question == "workload");
  t = g.say("The fourth item on your list.");
  CHECK(t.out.text.find("**main workload** = Heavy computation") != std::string::npos);
}

TEST_CASE("a what-if with its condition first - then the question - replays that condition") {
  fixture f;
  f.to_review();
  REQUIRE(f.say("confirm").out.recommendation);
  auto t = f.say("If our team knew JavaScript, what would you recommend then?");
  CHECK(t.out.action == dialogue::command::whatif);
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**team skills** were **JavaScript or TypeScript**") != std::string::npos);
  // Before the recommendation it says what-if waits for one.
  fixture g;
  g.to_review();
  t = g.say("If we had no data work at all, what would you recommend instead?");
  CHECK(t.out.action == dialogue::command::whatif);
}

TEST_CASE("a summary given for people in a hurry is the decision record") {
  fixture f;
  f.to_review();
  REQUIRE(f.say("confirm").out.recommendation);
  auto t = f.say("Give me a written summary, short enough for people who only skim.");
  CHECK(t.out.action == dialogue::command::summary);
  CHECK(t.out.text.find("Decision record") != std::string::npos);
}

TEST_CASE("'half a million' is a number - 'remains to be seen' leaves the question open") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "api", "javascript", "yes", "none", "moderate"})
    f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "size");
  auto t = f.say("Half a million lines, give or take, by the time we're done.");
  CHECK(t.out.text.find("**project size** = Large") != std::string::npos);
  // Lines of code are the codebase's size, not a load.
  f.say("back");
  t = f.say("maybe 5k lines of code all told");
  CHECK(t.out.text.find("**project size** = Small") != std::string::npos);
  CHECK(t.out.text.find("expected load") == std::string::npos);
  fixture g;
  g.svc.start(g.key, {}, true);
  for (const char* o : {"startup", "validate", "api", "javascript"}) g.pick(o);
  REQUIRE(g.svc.current(g.key)->out.question == "realtime");
  t = g.say("That remains to be seen, honestly.");
  CHECK(t.out.action == dialogue::command::skip);
  CHECK(g.svc.current(g.key)->out.question != "realtime");
}

TEST_CASE("denials before the answer to what the backend does strike out its options only") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "workload");
  auto t = f.say("no live updates, no machine learning, only a site where members fill in forms");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**main workload** = A classic web app") != std::string::npos);
  CHECK(t.out.text.find("real-time needs") == std::string::npos);
  CHECK(t.out.text.find("data and ML") == std::string::npos);
  // Said after the answer, a denial adds to it.
  fixture g;
  g.svc.start(g.key, {}, true);
  for (const char* o : {"startup", "validate"}) g.pick(o);
  t = g.say("JSON endpoints for the mobile app, nothing real-time whatsoever");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**main workload** = APIs") != std::string::npos);
  CHECK(t.out.text.find("**real-time needs** = No") != std::string::npos);
}

TEST_CASE("an answer between two options is asked back - by name or by place in the list") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "api", "javascript", "no", "none", "low"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "size");
  for (const char* text :
       {"medium-to-large?", "small or medium, hard to say which", "small to medium"}) {
    CAPTURE(text);
    auto t = f.say(text);
    CHECK(t.out.notice == dialogue::notice::ambiguous);
    CHECK(f.svc.current(f.key)->out.question == "size");
  }
  // A count between two numbers is no pair of places in the list.
  fixture h;
  h.svc.start(h.key, {}, true);
  for (const char* o : {"startup", "validate", "api", "javascript", "no", "none"}) h.pick(o);
  REQUIRE(h.svc.current(h.key)->out.question == "scale");
  CHECK(h.say("between 1 and 2 million users").out.text.find("**expected load** = Very high") !=
        std::string::npos);
  // Denied, the two are no answer between them.
  auto t = f.say("not small or medium, it will be huge");
  CHECK(t.out.text.find("**project size** = Large") != std::string::npos);
  fixture g;
  g.svc.start(g.key, {}, true);
  g.pick("startup");
  REQUIRE(g.svc.current(g.key)->out.question == "startup_goal");
  t = g.say("we want to move quickly, though the whole thing is about our data... so 1 or 2?");
  CHECK(t.out.notice == dialogue::notice::ambiguous);
  CHECK(g.svc.current(g.key)->out.question == "startup_goal");
  // A question with an option for both reads "python/ts" as it.
  g.pick("validate");
  g.pick("api");
  REQUIRE(g.svc.current(g.key)->out.question == "team");
  t = g.say("python/typescript");
  CHECK(t.out.text.find("**team skills** = Both") != std::string::npos);
}

TEST_CASE("a question left open in the message is no answer - 'it depends' inside a question") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "api", "javascript", "no"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "data");
  auto t = f.say("no clue, the board still hasn't decided whether we'll need machine learning");
  CHECK(t.out.action == dialogue::command::skip);
  CHECK(f.svc.current(f.key)->out.question == "scale");
  t = f.say("honestly we can't really predict that");
  CHECK(t.out.action == dialogue::command::skip);
  CHECK(f.svc.current(f.key)->out.question == "size");
  // A question that opens and ends as one asks, though "it depends" stands in it.
  t = f.say("Is one of them simply better, or does it depend on the project?");
  CHECK(t.out.action != dialogue::command::skip);
  CHECK_FALSE(t.out.facts.empty());
  CHECK(f.svc.current(f.key)->out.question == "size");
}

TEST_CASE("a count answers the load - the size word beside the codebase answers its size") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "web"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "team");
  auto t = f.say("typescript folks. around 300 users, small codebase");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**team skills** = JavaScript") != std::string::npos);
  CHECK(t.out.text.find("**expected load** = Modest") != std::string::npos);
  CHECK(t.out.text.find("**project size** = Small") != std::string::npos);
}

TEST_CASE("a reply under a quote of the question answers it - the quote is not read") {
  fixture f;
  f.svc.start(f.key, {}, true);
  auto t = f.say("> Which of these describes you?\n\nme, on my own, learning to code");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**who is choosing** = Just me") != std::string::npos);
}

TEST_CASE("'don't care about' an option denies it - the one kept is the answer") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "api", "python", "no", "none", "low", "small"})
    f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "priority");
  auto t = f.say("we don't care about sharing code with the browser; code that's easy to maintain");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**what you value** = Readable") != std::string::npos);
}

TEST_CASE("what a clause calls small beside the rest is not the main answer") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "data_product"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "workload");
  auto t = f.say("feature pipelines and model training; the API bit is minor");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**main workload** = Data processing") != std::string::npos);
  fixture g;
  g.svc.start(g.key, {}, true);
  for (const char* o : {"startup", "validate"}) g.pick(o);
  t = g.say("live chat for our users, the REST side is secondary");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**main workload** = Real-time") != std::string::npos);
}

TEST_CASE("'yeah nah' says no and 'nah yeah' says yes") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "api", "javascript"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "realtime");
  auto t = f.say("yeah nah");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**real-time needs** = No") != std::string::npos);
}

TEST_CASE("a count in lakh is a count - a clause of time opened by 'when' asks nothing") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"enterprise", "high_traffic", "web", "python", "no", "some"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "scale");
  auto t = f.say("when the results come out about 2 lakh students log in at once");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**expected load** = Very high") != std::string::npos);
  // A later clause may still ask.
  fixture g;
  g.svc.start(g.key, {}, true);
  for (const char* o : {"enterprise", "high_traffic", "web", "python", "no", "some"}) g.pick(o);
  t = g.say("when we launch, is node faster");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("Here's what the sources say") != std::string::npos);
}

TEST_CASE("an answer said again beside a new one is no news - only the new one is taken") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"enterprise", "legacy", "python", "web", "both", "no", "some"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "scale");
  auto t = f.say("roughly 300 staff will use it. that's the number");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("Got it: **expected load** = Modest") != std::string::npos);
  CHECK(t.out.text.find("**who is choosing**") == std::string::npos);
}

TEST_CASE("two places in the list opening the message are asked back - with articles or hedges") {
  for (const char* said : {"the second or the third one, I keep flip-flopping",
                           "sort of the first and the second? we need both really",
                           "more than a few reports, somewhere between your first two"}) {
    fixture f;
    f.svc.start(f.key, {}, true);
    for (const char* o : {"startup", "validate", "api", "javascript", "no"}) f.pick(o);
    REQUIRE(f.svc.current(f.key)->out.question == "data");
    auto t = f.say(said);
    CAPTURE(said);
    CAPTURE(t.out.text);
    CHECK(t.out.notice == dialogue::notice::ambiguous);
  }
}

TEST_CASE("a command word that is a noun's verb or in a relative clause is no command") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"individual", "first_language", "web", "no", "none"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "priority");
  auto t = f.say("code I can actually read back later without crying");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**what you value** = Readable") != std::string::npos);
  // A question still asks for it.
  t = f.say("what have i told you so far?");
  CHECK(t.out.action == dialogue::command::status);
}

TEST_CASE("denials while the question asked is unanswered are about its options") {
  fixture f;
  f.svc.start(f.key, {}, true);
  f.pick("enterprise");
  REQUIRE(f.svc.current(f.key)->out.question == "enterprise_focus");
  auto t = f.say("not a busy website, no analytics, no ancient systems to hook into");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**system's main job** = Something else") != std::string::npos);
  CHECK(t.out.text.find("**data and ML**") == std::string::npos);
}

TEST_CASE("'in one go' names no language - 'what about go?' still does") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "api", "javascript", "no", "some", "low", "small",
                        "iteration", "confirm"})
    f.pick(o);
  auto t = f.say("python vs node side by side, every point in one go");
  CAPTURE(t.out.text);
  CHECK(t.out.action == dialogue::command::compare);
  t = f.say("what about go?");
  CHECK(t.out.notice == dialogue::notice::not_covered);
}

TEST_CASE("a rhetorical question after the answer asks nothing") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "api"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "team");
  auto t = f.say("python. what else would we use?");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**team skills** = Python") != std::string::npos);
}

TEST_CASE("a change in passing that names the old answer beside the new one - the new one") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "api", "javascript", "no", "some"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "scale");
  // No marker: the answer given is why, the other language is the change.
  auto t = f.say(
      "a couple hundred people. our node dev left last week so the team is basically python "
      "people now");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**expected load** = Modest") != std::string::npos);
  CHECK(t.out.text.find("Change it to **Python**?") != std::string::npos);
  CHECK(t.out.stage == dialogue::stage::confirming);
  f.say("no");
  REQUIRE(f.svc.current(f.key)->out.question == "size");
  // The answer given said again beside another language, with nothing that says it changed:
  // no change.
  for (const char* kept : {"small. the team is still javascript even though python tempts us",
                           "small. the team is javascript but a couple of us know python too",
                           "small, our team of javascript devs can't stand python"}) {
    t = f.say(kept);
    CAPTURE(t.out.text);
    CHECK(t.out.text.find("Change it to") == std::string::npos);
    f.svc.start(f.key, {}, true);
    for (const char* o : {"startup", "validate", "api", "javascript", "no", "some", "low"})
      f.pick(o);
    REQUIRE(f.svc.current(f.key)->out.question == "size");
  }
}

TEST_CASE("'i got the X wrong' admits a correction of X - 'scrap' quotes an old answer") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"enterprise", "high_traffic", "realtime", "both"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "data");
  auto t =
      f.say("hardly any. oh and i had the team skills wrong, it's pretty much only typescript");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**data and ML** = Little or none") != std::string::npos);
  CHECK(t.out.text.find("Change it to **JavaScript or TypeScript**?") != std::string::npos);

  f.svc.start(f.key, {}, true);
  for (const char* o : {"individual", "first_language", "web", "no", "none"}) f.pick(o);
  t = f.say("speed. also scrap the web app bit, it's going to be a plain API");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("Change it to **APIs") != std::string::npos);
}

TEST_CASE("a correction beside the answer of the question asked - it names what it corrects") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"enterprise", "legacy", "python", "web"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "team");
  // Its words name Python too, which the question asked would take: the first sentence answers
  // that question, so the correction is about the old systems.
  auto t = f.say(
      "python people mostly. correction on the existing systems: it's all java, the python was "
      "a few glue scripts");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**team skills** = Python") != std::string::npos);
  CHECK(t.out.text.find("Change it to **Something else") != std::string::npos);
}

TEST_CASE("'nowhere near' denies the count it comes before") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"enterprise", "other", "web", "python", "no", "none"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "scale");
  auto t = f.say("nowhere near tens of thousands, it's a single depot with 80 drivers");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**expected load** = Modest") != std::string::npos);
}

TEST_CASE("a correction that names its question - when the old words answered two") {
  fixture f;
  f.svc.start(f.key, {}, true);
  // Python is both the old systems' stack and the team's skills.
  for (const char* o : {"enterprise", "legacy", "python", "web", "python", "no", "some"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "scale");
  auto t = f.say("oh, correction: the team is really typescript people, not python");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**team skills**") != std::string::npos);
  CHECK(t.out.text.find("Change it to **JavaScript or TypeScript**?") != std::string::npos);
}

TEST_CASE("a question about things the advisor never heard of is no command") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "workload");
  auto t = f.say("how do i hook node up to a thermal receipt printer");
  CAPTURE(t.out.text);
  CHECK(t.out.action == dialogue::command::none);
  CHECK(t.out.question == "workload");
  CHECK(t.out.text.find("How would you") == std::string::npos);
}

TEST_CASE("a number after a stack's name is its version - not a count") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"enterprise", "legacy"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "legacy_stack");
  auto t = f.say("the stock order system is plain express on node 10");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**legacy systems' stack** = JavaScript") != std::string::npos);
  CHECK(t.out.text.find("expected load") == std::string::npos);
}

TEST_CASE("going live is a launch date - not a live feature") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "workload");
  auto t = f.say("mostly a json api for the mobile app, we go live in june");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**main workload** = APIs") != std::string::npos);
  CHECK(t.out.text.find("real-time needs") == std::string::npos);
}

TEST_CASE("plugging into old systems names the old systems' stack") {
  fixture f;
  f.svc.start(f.key, {}, true);
  auto t = f.say(
      "we're a long-established insurer and this has to plug into our .net claims "
      "platform");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**who is choosing** = An established company") != std::string::npos);
  CHECK(t.out.text.find("Integrating with legacy systems") != std::string::npos);
  CHECK(t.out.text.find("Something else") != std::string::npos);
}

TEST_CASE("'what would it say if' asks a what-if about the advisor's pick") {
  fixture f;
  f.start_saying({"a startup", "validating an idea fast", "a classic web app", "python",
                  "no live stuff", "no data work", "hundreds of users", "small", "readable code",
                  "confirm"});
  auto t = f.say("what would it say if the team was typescript people");
  CAPTURE(t.out.text);
  CHECK(t.out.action == dialogue::command::whatif);
  CHECK(t.out.text.find("JavaScript or TypeScript") != std::string::npos);
}

TEST_CASE("a count of endpoints or screens answers the codebase size only when it is asked") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "data_product", "data", "python", "no", "core", "moderate"})
    f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "size");
  // Endpoints name no change of the workload here: they count the codebase.
  auto t = f.say("honestly a handful, probably 4 or 5 endpoints in total");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**project size** = Small") != std::string::npos);
  CHECK(t.out.text.find("Change it to") == std::string::npos);

  f.svc.start(f.key, {}, true);
  for (const char* o :
       {"enterprise", "high_traffic", "realtime", "javascript", "no", "some", "high"})
    f.pick(o);
  t = f.say("around 250 screens across the back office by the end");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**project size** = Large") != std::string::npos);

  // Asked about the workload, a count of endpoints says nothing sure about size.
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate"}) f.pick(o);
  t = f.say("a REST backend, maybe 30 endpoints");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**main workload** = APIs") != std::string::npos);
  CHECK(t.out.text.find("project size") == std::string::npos);
}

TEST_CASE("a marked position with a yes after it picks that option - and a bare yes picks none") {
  fixture f;
  f.svc.start(f.key, {}, true);
  f.pick("startup");
  REQUIRE(f.svc.current(f.key)->out.question == "startup_goal");
  auto t = f.say("#2 for sure lah, that's us");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**startup focus** = A product built around data") != std::string::npos);

  // "for sure" to a question without a yes among its options is no answer.
  f.svc.start(f.key, {}, true);
  f.pick("startup");
  t = f.say("for sure");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("startup focus** =") == std::string::npos);
  CHECK(f.svc.current(f.key)->out.question == "startup_goal");
}

TEST_CASE("two clauses that each say skip are a skip") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"enterprise", "analytics", "data", "python", "yes", "moderate"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "size");
  auto t = f.say("pass, next one");
  CAPTURE(t.out.text);
  CHECK(t.out.action == dialogue::command::skip);
  CHECK(t.out.text.find("project size** =") == std::string::npos);
}

TEST_CASE("'our number one worry' is a rank - not the first option") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"enterprise", "high_traffic", "realtime", "javascript", "no", "none"})
    f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "scale");
  auto t = f.say("if heavy load is our number one worry, which one should we go for?");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("expected load** =") == std::string::npos);
  CHECK(f.svc.current(f.key)->out.question == "scale");
  // "number one" alone is still the first option.
  t = f.say("number one");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**expected load** = Modest") != std::string::npos);
}

TEST_CASE("maintenance requests are a feature - not a wish for readable code") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "none"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "workload");
  auto t = f.say(
      "It's a normal website really. Tenants log in, submit maintenance requests, landlords "
      "see a list and pay invoices");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**main workload** = A classic web app") != std::string::npos);
  CHECK(t.out.text.find("what you value") == std::string::npos);
}

TEST_CASE(
    "questions about longevity - number crunching - next steps and automation find their facts") {
  fixture f;
  f.svc.start(f.key, {}, true);
  CHECK(f.first_fact("who's behind Node.js, is it going to be around in 10 years? we can't bet on "
                     "a fad") == "backers-node");
  CHECK(f.first_fact("for heavy number crunching, like our actuarial models, which one holds up "
                     "better?") == "task-python-cpu");
  CHECK(
      f.first_fact("heavy CPU stuff like pit optimisation, which of the two handles it better?") ==
      "task-python-cpu");
  CHECK(f.first_fact("sorry newbie question, is Node.js a language or something else?") ==
        "runtime-vs-language");
  CHECK(f.first_fact("What should we actually do next to be sure before committing?") ==
        "next-steps");
  CHECK(f.first_fact("how much time can automating stuff with Python save, is there a figure on "
                     "that?") == "automation-python");
  CHECK(f.first_fact("for a really big long-lived system, which of the two do the sources lean "
                     "towards?") == "large-python");
}

TEST_CASE("C# - .NET and certifications are not covered - though the facts mention C") {
  fixture f;
  f.svc.start(f.key, {}, true);
  CHECK(f.say("we're a .NET shop mostly, how does C# compare to both of these?").out.notice ==
        dialogue::notice::not_covered);
  CHECK(f.say("which one is easier to get SOC 2 certified with?").out.notice ==
        dialogue::notice::not_covered);
  // A fact that writes the subject as it is asked still covers it.
  auto t = f.say("is python good with C extensions?");
  CHECK(t.out.notice != dialogue::notice::not_covered);
  CHECK_FALSE(t.out.facts.empty());
}

TEST_CASE("'more than a small office' sets the answer against small") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "web", "javascript", "no", "none"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "scale");
  auto t =
      f.say("growing steadily I'd say, not massive but definitely more than a small office worth");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**expected load** = Growing") != std::string::npos);
}

TEST_CASE("'a bunch of other ancient stuff' does not answer 'something else'") {
  fixture f;
  f.svc.start(f.key, {}, true);
  f.pick("enterprise");
  REQUIRE(f.svc.current(f.key)->out.question == "enterprise_focus");
  auto t = f.say(
      "the main job is that it has to hook into our old policy admin system and a bunch of "
      "other ancient stuff");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("= Integrating with legacy systems") != std::string::npos);
  // "other" on its own still is.
  f.svc.start(f.key, {}, true);
  f.pick("enterprise");
  t = f.say("other");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("= Something else") != std::string::npos);
}

TEST_CASE("a yes with 'a little bit' answers live features - not the data question after it") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "web", "javascript"}) f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "realtime");
  auto t = f.say("I'd say yes, a little bit, like a notification bell that lights up");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**real-time needs** = Yes") != std::string::npos);
  CHECK(t.out.text.find("data and ML") == std::string::npos);
  CHECK(f.svc.current(f.key)->out.question == "data");
}

TEST_CASE("enormous amounts of traffic name the high-traffic job beside the company") {
  fixture f;
  f.svc.start(f.key, {}, true);
  auto t = f.say(
      "It's for my employer, a large established real estate group, and the main job is coping "
      "with enormous amounts of traffic");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**who is choosing** = An established company") != std::string::npos);
  CHECK(t.out.text.find("= A high-traffic web application") != std::string::npos);
}

TEST_CASE("options denied in a list joined by or leave the one wanted") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "web", "javascript", "no", "none", "low", "small"})
    f.pick(o);
  REQUIRE(f.svc.current(f.key)->out.question == "priority");
  auto t = f.say(
      "I don't care much about sharing code with the front end or prototyping speed. What I "
      "want is code that stays clean to maintain.");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("= Readable code that is easy to maintain") != std::string::npos);

  // "not the analytics side", asked the system's job: a denied option of the question asked,
  // no "none" for the data question.
  f.svc.start(f.key, {}, true);
  f.pick("enterprise");
  t = f.say(
      "it's not about traffic and not the analytics side, it's about talking to our old "
      "mainframe systems");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("= Integrating with legacy systems") != std::string::npos);
  CHECK(t.out.text.find("data and ML") == std::string::npos);
}

TEST_CASE("what you value is taken early only when said as a value") {
  fixture f;
  f.svc.start(f.key, {}, true);
  f.pick("individual");
  REQUIRE(f.svc.current(f.key)->out.question == "individual_goal");
  // Prototypes they build are their work, not what they value in development.
  auto t = f.say(
      "Hi! I do a fair bit of JS already, I build clickable front-end prototypes for our design "
      "team at work");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**your goal** = I already know JavaScript") != std::string::npos);
  CHECK(t.out.text.find("what you value") == std::string::npos);

  f.svc.start(f.key, {}, true);
  f.pick("individual");
  t = f.say("I already know JavaScript, and what I value most is rapid prototyping");
  CAPTURE(t.out.text);
  CHECK(t.out.text.find("**what you value** = Rapid prototyping") != std::string::npos);
}

TEST_CASE("number words count endpoints and screens - 'a dozen' and 'two dozen' too") {
  fixture f;
  const auto size_for = [&](const std::string& text) {
    f.svc.start(f.key, {}, true);
    for (const char* o : {"startup", "validate", "api", "javascript", "no", "none", "low"})
      f.pick(o);
    REQUIRE(f.svc.current(f.key)->out.question == "size");
    return f.say(text).out.text;
  };
  CHECK(size_for("maybe a dozen endpoints").find("**project size** = Small") != std::string::npos);
  CHECK(size_for("about twelve endpoints").find("**project size** = Small") != std::string::npos);
  CHECK(size_for("two dozen screens, give or take").find("**project size** = Medium") !=
        std::string::npos);
}

TEST_CASE("a number grouped by spaces or written as a power of ten is one number - '3 000 users'") {
  for (const char* said : {"maybe 3 000, 4 000 users in the first year", "order of magnitude 10^3",
                           "somewhere around 1 500 to 2 000 people"}) {
    CAPTURE(said);
    fixture f;
    f.svc.start(f.key, {}, true);
    for (const char* o : {"startup", "data_product", "data", "python", "yes"}) f.pick(o);
    CHECK(f.say(said).out.text.find("**expected load** = Growing") != std::string::npos);
  }
}

TEST_CASE("people counted in one clause are no load because another clause says live - a team") {
  fixture f;
  auto t = f.svc.start(f.key,
                       "We're a startup of 3 people, making an app for live chat between patients "
                       "and their therapists",
                       true);
  CHECK(t.out.text.find("who is choosing = A startup") != std::string::npos);
  CHECK(t.out.text.find("expected load") == std::string::npos);
  // In one clause with the number, "at once" still makes people a load.
  fixture g;
  t = g.svc.start(g.key, "we are a startup expecting tens of thousands of people at once", true);
  CHECK(t.out.text.find("expected load") != std::string::npos);
}

TEST_CASE("page views name a high-traffic system - analysing data names analytics - past denials") {
  const auto main_job = [](const char* said) {
    fixture f;
    f.svc.start(f.key, {}, true);
    f.pick("enterprise");
    return f.say(said).out.text;
  };
  CHECK(main_job("It's the public portal of the national library, millions of page views each "
                 "month")
            .find("**system's main job** = A high-traffic web application") != std::string::npos);
  CHECK(main_job("It is not about traffic and not legacy. The main thing is analysing clinical "
                 "trial data")
            .find("**system's main job** = Data analytics") != std::string::npos);
}

TEST_CASE("leaving this one open is a skip") {
  fixture f;
  f.svc.start(f.key, {}, true);
  CHECK(f.say("can we leave this open and go further?").out.action == dialogue::command::skip);
}

TEST_CASE(
    "Julia - CUDA - HDF5 and licences are not covered - two named things or two stacks "
    "qualifying a subject ask the sources") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* said : {"What about Julia? Many in our group use it for the ODE models",
                           "can you tell me how to install the CUDA drivers on Ubuntu 22.04?",
                           "Which has better support for HDF5 and NetCDF files?",
                           "Under which licence is Node.js released? Our legal department asks"}) {
    CAPTURE(said);
    CHECK(f.say(said).out.notice == dialogue::notice::not_covered);
  }
  auto t = f.say("Django or Flask, what is the difference between them in few words?");
  CHECK(t.out.action != dialogue::command::compare);
  REQUIRE_FALSE(t.out.facts.empty());
  t = f.say("Do you have numbers on Stack Overflow questions for Python vs Node?");
  CHECK(t.out.action != dialogue::command::compare);
  REQUIRE_FALSE(t.out.facts.empty());
  CHECK(t.out.facts.front() == "community-so");
  // With nothing named before them, the two stacks set against each other are a side by side.
  CHECK(f.say("can you put python vs node side by side?").out.action == dialogue::command::compare);
}

TEST_CASE(
    "learning without a programming background and the libraries for data analysis find "
    "their facts") {
  fixture f;
  f.svc.start(f.key, {}, true);
  CHECK(f.first_fact("Which is easier to learn for a biologist without any programming "
                     "background?") == "learn-python-easy");
  CHECK(f.first_fact("Which Python libraries are the standard ones for data analysis? our students "
                     "ask") == "libraries-python-ds");
}

TEST_CASE("half a year is a time - not a mix") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "data_product", "data", "python", "yes", "moderate", "medium"})
    f.pick(o);
  CHECK(f.say("code that I still understand in half a year").out.text.find("= Readable code") !=
        std::string::npos);
}

TEST_CASE("two options said to apply both are asked back - 'so two of them apply'") {
  fixture f;
  f.svc.start(f.key, {}, true);
  f.pick("individual");
  CHECK(f.say("I know some JavaScript already but I'm also moving towards a data science career, "
              "so two of them apply")
            .out.notice == dialogue::notice::ambiguous);
  fixture g;
  g.svc.start(g.key, {}, true);
  g.pick("enterprise");
  CHECK(g.say("high traffic and also the connection to the old SAP, both are the main job honestly")
            .out.notice == dialogue::notice::ambiguous);
}

TEST_CASE("'I remember now' marks a correction of an earlier answer beside the answer asked for") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "data_product", "data", "python", "no"}) f.pick(o);
  auto t = f.say(
      "moderate, some thousands. Also I remember now we DO need live updates, for the "
      "experiment monitor");
  CHECK(t.out.text.find("**expected load** = Growing") != std::string::npos);
  CHECK(std::any_of(t.out.events.begin(), t.out.events.end(), [](const dialogue::event& e) {
    return e.kind == dialogue::event_kind::propose && e.question == "realtime" && e.option == "yes";
  }));
}

TEST_CASE(
    "a yes that is the whole first clause answers - though a question the sources cannot "
    "answer follows") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "data_product", "data", "python"}) f.pick(o);
  CHECK(f.say("Yes of course, what is a lab tool today without notifications 🙂")
            .out.text.find("**real-time needs** = Yes") != std::string::npos);
  fixture g;
  g.svc.start(g.key, {}, true);
  for (const char* o : {"startup", "data_product", "data", "python"}) g.pick(o);
  // "no idea" is no "no".
  CHECK(g.say("no idea, what is a lab tool anyway?").out.text.find("**real-time needs** = No") ==
        std::string::npos);
}

TEST_CASE("'but also' adds a second option - asked back and not a contrast that keeps the later") {
  for (const char* said :
       {"i know a bit of js but i also want to get into data science eventually",
        "I know a fair bit of JS from frontend work but I'm also aiming for DS jobs eventually"}) {
    CAPTURE(said);
    fixture f;
    f.svc.start(f.key, {}, true);
    f.pick("individual");
    CHECK(f.say(said).out.notice == dialogue::notice::ambiguous);
  }
}

TEST_CASE("a shrug about which way it goes is asked back - not the option the sentence named") {
  const std::vector<std::pair<std::string, std::vector<const char*>>> cases{
      {"live updates would be nice, could go either way though",
       {"startup", "validate", "web", "javascript"}},
      {"a handful of users at first but who knows, it could get huge",
       {"startup", "validate", "web", "javascript", "no", "none"}},
      {"depends whether the pilot gets funded, so hundreds or thousands",
       {"startup", "validate", "web", "javascript", "no", "none"}},
      {"honestly a coin flip between tiny and massive",
       {"startup", "validate", "web", "javascript", "no", "none", "low"}}};
  for (const auto& [said, picks] : cases) {
    CAPTURE(said);
    fixture f;
    f.svc.start(f.key, {}, true);
    for (const char* o : picks) f.pick(o);
    CHECK(f.say(said).out.notice == dialogue::notice::ambiguous);
  }
}

TEST_CASE("'the codebase'll stay small' answers the size - and 'd'you' asks why") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "web", "javascript", "no", "none", "low"}) f.pick(o);
  CHECK(f.say("the codebase'll stay small, it's one feed and a player")
            .out.text.find("**project size** = Small") != std::string::npos);
  CHECK(f.say("why d'you need to know what we value?").out.action == dialogue::command::why);
}

TEST_CASE("a bare no on a question without a yes and a no says nothing of its options") {
  for (const char* said : {"no, an old company", "Not a startup, no. We are 90 years old"}) {
    CAPTURE(said);
    fixture f;
    f.svc.start(f.key, {}, true);
    CHECK(f.say(said).out.text.find("**who is choosing** = An established company") !=
          std::string::npos);
  }
}

TEST_CASE(
    "'can't see why we would' is a no - 'don't see why not' a yes - 'not meant to last' no undo") {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"Can't see why we would", "**real-time needs** = No"},
      {"can't see why not, users would love it", "**real-time needs** = Yes"}};
  for (const auto& [said, stored] : cases) {
    CAPTURE(said);
    fixture f;
    f.svc.start(f.key, {}, true);
    for (const char* o : {"startup", "validate", "web", "javascript"}) f.pick(o);
    CHECK(f.say(said).out.text.find(stored) != std::string::npos);
  }
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate", "web", "javascript", "no", "none", "low"}) f.pick(o);
  const auto t = f.say("Won't be big. It's not meant to last, it's for the one festival");
  CHECK(t.out.action != dialogue::command::back);
  CHECK(t.out.text.find("**project size** = Small") != std::string::npos);
}

TEST_CASE("asking whether to pick from the list or type is help - not a question on typing") {
  for (const char* said : {"help, am I picking from the list or just typing whatever?",
                           "do I have to click one or can I type anything?"}) {
    CAPTURE(said);
    fixture f;
    f.svc.start(f.key, {}, true);
    CHECK(f.say(said).out.action == dialogue::command::help);
  }
  fixture g;
  g.svc.start(g.key, {}, true);
  CHECK(g.say("is python's typing any good?").out.action != dialogue::command::help);
}

TEST_CASE(
    "'still working out what it does' leaves the question open - an option named beside it "
    "answers") {
  fixture f;
  f.svc.start(f.key, {}, true);
  for (const char* o : {"startup", "validate"}) f.pick(o);
  CHECK(f.say("that's the million-dollar question, we're still working out what the thing does")
            .out.action == dialogue::command::skip);
  fixture g;
  g.svc.start(g.key, {}, true);
  for (const char* o : {"startup", "validate"}) g.pick(o);
  CHECK(g.say("still working out the details but it's mostly an API")
            .out.text.find("**main workload** = APIs") != std::string::npos);
}

TEST_CASE("an option denied is not what the rest of the words mean - the rest is read alone") {
  fixture f;
  f.start_saying({"just me", "learning my first language"});
  REQUIRE(f.svc.current(f.key)->out.question == "workload");
  auto t =
      f.say("no heavy number crunching or anything live, just pages and a db for the stock list");
  CHECK(t.out.text.find("A classic web app") != std::string::npos);
  CHECK(t.out.text.find("Heavy computation") == std::string::npos);
}

TEST_CASE("'any of them is fine' opens like a question and answers the one asked") {
  for (std::string said : {"honestly any of them is fine by me, dont mind", "any is fine by me"}) {
    CAPTURE(said);
    fixture f;
    f.to_review();
    f.pick("change:priority");
    REQUIRE(f.svc.current(f.key)->out.question == "priority");
    auto t = f.say(said);
    CHECK(t.out.notice != dialogue::notice::not_covered);
    CHECK(t.out.text.find("No strong preference") != std::string::npos);
  }
}

TEST_CASE("'sweet as - go' (Australian and New Zealand for yes) confirms the review") {
  fixture f;
  f.to_review();
  auto t = f.say("sweet as, go");
  CHECK(t.out.recommendation);
}

TEST_CASE(
    "knowledge questions in chat words - 'good things about' - 'its own language' - 'a big jump'") {
  fixture f;
  f.svc.start(f.key, {}, true);
  CHECK(f.first_fact("good things about python? convince me") == "pros-python");
  CHECK(f.first_fact("wait whats node exactly, is it its own language or what") ==
        "runtime-vs-language");
  const auto jump = f.first_fact("i only ever did frontend js, is node a big jump for me");
  CHECK(jump.starts_with("learn-node"));
}

TEST_CASE("'whats the difference' after a noun asks - it opens no relative clause") {
  fixture f;
  f.start_saying({"startup", "validate", "an api for our mobile app"});
  REQUIRE(f.svc.current(f.key)->out.question == "team");
  auto t = f.say("django vs flask whats the actual difference");
  CHECK_FALSE(t.out.facts.empty());
  CHECK(t.out.text.find("team skills") == std::string::npos);
}
