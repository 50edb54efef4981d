// The presentation module as pure functions (typed parts in, Markdown out), the engine's
// outcome as typed parts that present() words, and typed actions: a command given as an
// action, never as English words, and the outcome's predicates.
#include "dialogue/presentation.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "dialogue/engine.hpp"
#include "support.hpp"

using namespace advisor;
using advisor::test::temp_dir;
namespace part = dialogue::part;

namespace {

dialogue::reason sourced_reason(int i) {
  dialogue::reason r;
  r.text = "reason " + std::to_string(i);
  r.sources = {"Source " + std::to_string(i)};
  r.question = "q" + std::to_string(i);
  r.effect = {{"python", 1}};
  return r;
}

std::size_t count_lines_starting(const std::string& text, const std::string& prefix) {
  std::size_t n = 0;
  for (std::size_t at = 0; at < text.size();) {
    auto nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    if (text.compare(at, prefix.size(), prefix) == 0) ++n;
    at = nl + 1;
  }
  return n;
}

// Walks a conversation on the shipped framework with the first option every time, until the
// answers are reviewed.
std::vector<dialogue::event> to_review(const dialogue::engine& eng, dialogue::outcome& out) {
  std::vector<dialogue::event> history;
  dialogue::input in;
  in.type = dialogue::input::kind::start;
  for (int i = 0; i < 40; ++i) {
    out = eng.step(history, in);
    history.insert(history.end(), out.events.begin(), out.events.end());
    if (out.reviewing()) return history;
    in = {};
    in.type = dialogue::input::kind::choose;
    in.option = out.options.front().id;
  }
  FAIL("no review after 40 turns");
  return history;
}

}  // namespace

TEST_CASE("presentation words an acknowledgement from typed answers") {
  CHECK(dialogue::present(part::got_it{{{"Team", "Python", false}}}) ==
        "Got it: **Team** = Python.");
  CHECK(
      dialogue::present(part::took{{{"Team", "Python", false}, {"Scale", "High", false}}, false}) ==
      "I took: Team = Python; Scale = High. Say `back` to change that.");
  CHECK(dialogue::present(part::skipped{"Team"}) == "Fine, I'll leave **Team** open.");
  CHECK(dialogue::present(part::status{{{"Team", "Python", false}, {"Scale", "", true}}}) ==
        "Your answers so far:\n- **Team**: Python\n- **Scale**: not sure");
  CHECK(dialogue::present(part::status{}) == "No answers yet.");
}

TEST_CASE("parts are paragraphs - a back_to joins the part after it - empty parts vanish") {
  std::vector<dialogue::say> parts{part::okay{}, part::back_to{part::where::review},
                                   part::asked{"Which one?"}};
  CHECK(dialogue::present(parts) == "Okay.\n\nBack to the review: Which one?");
  std::vector<dialogue::say> restart{part::restarted{}, part::intro{""}, part::asked{"Q?"}};
  CHECK(dialogue::present(restart) == "Starting over.\n\nQ?");
}

TEST_CASE("notices quote the user's words escaped and cut at a character boundary") {
  CHECK(dialogue::present(part::unknown_option{"*bold* @here"}) ==
        "\"\\*bold\\* \\@here\" is not one of the options here.");
  std::string long_words(99, 'a');
  long_words += "\xC3\xA9xyz";  // a two-byte character across the 100-byte cut
  std::string quoted = dialogue::echo(long_words);
  CHECK(quoted == std::string(99, 'a') + "...");
  CHECK(dialogue::present(part::too_long{2000}) ==
        "That message is too long for me: I read up to 2000 characters. Could you say it in a "
        "sentence or two?");
}

TEST_CASE("the stale notice is worded once for every channel - a button or a typed number") {
  const std::string said =
      "its question was already answered, or the conversation started over, so nothing was "
      "changed.";
  CHECK(dialogue::present(part::stale{.typed = false, .then_now = false, .resume = ""}) ==
        "That button is out of date: " + said);
  CHECK(dialogue::present(part::stale{.typed = true, .then_now = false, .resume = ""}) ==
        "That number is out of date: " + said);
  // Before the question the conversation is on now.
  CHECK(dialogue::present(part::stale{.typed = false, .then_now = true, .resume = ""}) ==
        "That button is out of date: " + said + " Here is where we are now:");
  // Alone, with the channel's command that picks the conversation up again.
  CHECK(dialogue::present(part::stale{.typed = false, .then_now = false, .resume = "/advisor"}) ==
        "That button is out of date: " + said +
            " Use the buttons on the latest message, or type `/advisor` to pick up where you left "
            "off.");
}

TEST_CASE("the recommendation shows at most max_reasons_shown reasons and no idle answers") {
  dialogue::recommendation rec;
  rec.choice = "python";
  rec.choice_label = "Python";
  rec.confidence = 0.72;
  for (int i = 0; i < 8; ++i) rec.reasons.push_back(sourced_reason(i));
  dialogue::reason idle;  // an answer that moved nothing
  idle.text = "idle";
  idle.question = "q9";
  rec.reasons.insert(rec.reasons.begin(), idle);

  auto shown = dialogue::shown_reasons(rec);
  REQUIRE(shown.size() == dialogue::max_reasons_shown);
  CHECK(shown.front()->text == "reason 0");
  CHECK(dialogue::shown_reasons(rec, 2).size() == 2);

  part::recommended p{rec, {{"Python", 6.5}, {"Node.js", 2}}, false, {"Budget"}};
  std::string text = dialogue::present(p);
  CHECK(
      text.starts_with("**My recommendation: Python** (confidence 72%)\n\n"
                       "Scores: Python 6.5, Node.js 2.\n\n**Why:**\n"
                       "- reason 0 _Sources: Source 0_\n"));
  CHECK(count_lines_starting(text, "- reason ") == dialogue::max_reasons_shown);
  CHECK(text.find("idle") == std::string::npos);
  CHECK(text.find("- Also taken into account, moving neither score: Budget.\n") !=
        std::string::npos);
  p.close_call = true;
  CHECK(dialogue::present(p).find("Scores: Python 6.5, Node.js 2. It's a close call") !=
        std::string::npos);
}

TEST_CASE("a decision record is worded from its typed content") {
  part::record r;
  r.title = "Backend";
  r.date = "2026-12-01";
  r.done = true;
  r.answers = {{"Team", "Python", false}};
  r.choice = "Python";
  r.confidence = 0.8;
  r.scores = {{"Python", 5}, {"Node.js", 1}};
  r.reasons = {sourced_reason(1)};
  r.consequences = {{true, "Python", "Rich ML libraries."}};
  r.next_steps = {"Prototype."};
  r.sources = {{"Guide", "Ann", "Press"}};
  CHECK(dialogue::present(r) ==
        "# Decision record: Backend\n\n- Date: 2026-12-01\n- Status: Proposed\n\n"
        "## Context\n\n- Team: Python\n\n"
        "## Decision\n\nBuild the backend with **Python** (confidence 80%; scores: Python 5, "
        "Node.js 1).\n\n"
        "## Reasons\n\n- reason 1 (Sources: Source 1)\n\n"
        "## Consequences\n\n- Good (Python): Rich ML libraries.\n\n"
        "## Contested points\n\nNone of the points where the sources disagree bears on these "
        "answers.\n\n"
        "## Next steps\n\n- Prototype.\n\n"
        "## Sources\n\n- Guide (Ann, Press)\n");
}

TEST_CASE("the added options are labelled by the presentation") {
  CHECK(dialogue::accept_label(1) == "Yes");
  CHECK(dialogue::accept_label(2) == "Yes, take them");
  CHECK(dialogue::change_label("Team") == "Change Team");
  CHECK(dialogue::command_label(dialogue::command::why) == "Why this choice?");
}

TEST_CASE("every outcome's text is present(parts) and a refusal starts with its notice") {
  temp_dir dir;
  auto app = test::open_test_app(dir.str());
  const dialogue::engine& eng = app->service->engine();
  dialogue::outcome out;
  auto history = to_review(eng, out);
  CHECK(out.text == dialogue::present(out.parts));
  CHECK(std::holds_alternative<part::review>(out.parts.back()));

  dialogue::input in;
  in.type = dialogue::input::kind::choose;
  in.option = "no-such-option";
  dialogue::outcome refused = eng.step(history, in);
  CHECK(refused.notice == dialogue::notice::unknown_option);
  REQUIRE(refused.parts.size() >= 3);
  CHECK(std::holds_alternative<part::unknown_option>(refused.parts.front()));
  CHECK(std::holds_alternative<part::back_to>(refused.parts[1]));
  CHECK(refused.text == dialogue::present(refused.parts));
}

TEST_CASE("the review's options have roles and the predicates follow the stage") {
  temp_dir dir;
  auto app = test::open_test_app(dir.str());
  const dialogue::engine& eng = app->service->engine();
  dialogue::outcome out;
  auto history = to_review(eng, out);
  CHECK(out.reviewing());
  CHECK_FALSE(out.asking());
  CHECK_FALSE(out.just_recommended());
  REQUIRE(!out.options.empty());
  CHECK(out.options.front().role == dialogue::option_role::confirm);
  CHECK(std::all_of(out.options.begin() + 1, out.options.end(),
                    [](const auto& o) { return o.role == dialogue::option_role::change; }));

  // Confirming by the confirm-role option's id gives the recommendation, this turn only.
  dialogue::input in;
  in.type = dialogue::input::kind::choose;
  in.option = out.options.front().id;
  dialogue::outcome done = eng.step(history, in);
  CHECK(done.just_recommended());
  CHECK_FALSE(done.reviewing());
  CHECK(std::holds_alternative<part::recommended>(done.parts.back()));
  history.insert(history.end(), done.events.begin(), done.events.end());
  CHECK_FALSE(eng.current(history).just_recommended());
  for (const auto& o : done.options) {
    CHECK(o.role == dialogue::option_role::command);
    CHECK(o.action != dialogue::command::none);
    CHECK(o.label == dialogue::command_label(o.action));
  }
}

TEST_CASE("a typed command does what its words do without being read as words") {
  temp_dir dir;
  auto app = test::open_test_app(dir.str());
  const dialogue::engine& eng = app->service->engine();
  dialogue::input start;
  start.type = dialogue::input::kind::start;
  auto first = eng.step({}, start);
  std::vector<dialogue::event> history = first.events;
  dialogue::input pick;
  pick.type = dialogue::input::kind::choose;
  pick.option = first.options.front().id;
  auto second = eng.step(history, pick);
  history.insert(history.end(), second.events.begin(), second.events.end());

  dialogue::input why;
  why.type = dialogue::input::kind::command;
  why.action = dialogue::command::why;
  auto typed = eng.step(history, why);
  dialogue::input words;
  words.type = dialogue::input::kind::text;
  words.text = "why";
  auto said = eng.step(history, words);
  CHECK(typed.action == dialogue::command::why);
  CHECK(typed.events.empty());
  CHECK(typed.informing);
  CHECK(std::holds_alternative<part::why_question>(typed.parts.front()));
  CHECK(typed.text == said.text);

  dialogue::input back;
  back.type = dialogue::input::kind::command;
  back.action = dialogue::command::back;
  auto undone = eng.step(history, back);
  REQUIRE(undone.events.size() == 1);
  CHECK(undone.events.front().kind == dialogue::event_kind::undo);
  CHECK(undone.question == first.question);
}

TEST_CASE("the service runs a typed command on the key's conversation") {
  temp_dir dir;
  auto app = test::open_test_app(dir.str());
  auto& svc = *app->service;
  const bot::channel_key key{"discord", "typed"};
  auto first = svc.start(key);
  auto why = svc.command(key, dialogue::command::why);
  CHECK(why.conversation == first.conversation);
  CHECK(why.seq == first.seq);  // nothing changed
  CHECK(std::holds_alternative<part::why_question>(why.out.parts.front()));
  auto answered = svc.choose(key, first.out.options.front().id);
  auto back = svc.command(key, dialogue::command::back);
  CHECK(back.seq == answered.seq + 1);
  CHECK(back.out.question == first.out.question);
}
