// Block Kit rendering: the exact JSON of a question, Slack's limits with oversized input, the
// recommendation card, retired buttons, and text conversion both ways.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "adapters/slack/blocks.hpp"
#include "slack_block_kit_check.hpp"

using namespace advisor;
using namespace advisor::slack;
using nlohmann::json;

TEST_SUITE("slack blocks") {
  TEST_CASE("the core's markdown becomes mrkdwn - with & - < - > escaped") {
    CHECK(to_mrkdwn("Fine, I'll leave **who is choosing** open.") ==
          "Fine, I'll leave *who is choosing* open.");
    CHECK(to_mrkdwn("- **a**: b\n- c") == "\xE2\x80\xA2 *a*: b\n\xE2\x80\xA2 c");
    CHECK(to_mrkdwn("# Decision record\n## Context") == "*Decision record*\n*Context*");
    CHECK(to_mrkdwn("x < y && <script>") == "x &lt; y &amp;&amp; &lt;script&gt;");
    CHECK(to_mrkdwn("see [the article](https://example.com/a?b=1&c=2)") ==
          "see <https://example.com/a?b=1&amp;c=2|the article>");
    CHECK(to_mrkdwn("[not a link](javascript:alert(1))") == "[not a link](javascript:alert(1))");
    CHECK(to_plain("**My recommendation: Python** (confidence 26%)\n- one") ==
          "My recommendation: Python (confidence 26%)\n\xE2\x80\xA2 one");
  }

  TEST_CASE("a user's Slack text loses mentions and entities") {
    CHECK(inbound_text("<@U0BOT> not sure") == "not sure");
    CHECK(inbound_text("<@U0BOT|advisor>   startup  ") == "startup");
    CHECK(inbound_text("we use <https://nodejs.org|nodejs.org> &amp; <#C1|general> &lt;3") ==
          "we use nodejs.org & #general <3");
    CHECK(inbound_text("<!here> back") == "back");
    CHECK(inbound_text("a <b") == "a <b");
  }

  TEST_CASE("truncation keeps whole UTF-8 characters") {
    std::string s = "caf\xC3\xA9 caf\xC3\xA9";
    CHECK(truncate_utf8(s, 100) == s);
    std::string t = truncate_utf8(s, 7);  // "caf" + 1 byte of é would be cut: back off
    CHECK(t == "caf\xE2\x80\xA6");
    CHECK(t.size() <= 7);
  }

  TEST_CASE("a question: section - progress context and one button per option - exactly") {
    dialogue::outcome out;
    out.text =
        "Fine, I'll leave **who is choosing** open.\n\nWhat will the backend spend most of its "
        "time doing?";
    out.question = "workload";
    out.progress = {2, 5};
    out.options = {{"realtime", "Real-time features: chat, live updates, streaming"},
                   {"not_sure", "Not sure"}};
    render_context ctx{"U1", "1700000000.000100", {}};
    message m = render_turn(out, ctx, false);
    CHECK(m.text ==
          "Fine, I'll leave who is choosing open.\n\nWhat will the backend spend most of its time "
          "doing?");
    json expected = json::parse(R"([
      {"type":"section","text":{"type":"mrkdwn","verbatim":true,"text":"Fine, I'll leave *who is choosing* open.\n\nWhat will the backend spend most of its time doing?"}},
      {"type":"context","elements":[{"type":"mrkdwn","verbatim":true,"text":"Step 2 of about 5"},{"type":"mrkdwn","verbatim":true,"text":"for <@U1>"},
                                    {"type":"mrkdwn","verbatim":true,"text":"Click an answer, or reply in words"}]},
      {"type":"actions","block_id":"advisor:workload:0","elements":[
        {"type":"button","action_id":"advisor_option_0","text":{"type":"plain_text","text":"Real-time features: chat, live updates, streaming","emoji":true},
         "value":"{\"o\":\"realtime\",\"q\":\"workload\",\"t\":\"1700000000.000100\",\"u\":\"U1\"}"},
        {"type":"button","action_id":"advisor_option_1","text":{"type":"plain_text","text":"Not sure","emoji":true},
         "value":"{\"o\":\"not_sure\",\"q\":\"workload\",\"t\":\"1700000000.000100\",\"u\":\"U1\"}"}]}
    ])");
    CHECK(m.blocks == expected);
    auto v = decode_button_value(m.blocks[2]["elements"][0]["value"].get<std::string>());
    REQUIRE(v);
    CHECK(v->question == "workload");
    CHECK(v->option == "realtime");
    CHECK(v->owner == "U1");
    CHECK(v->thread == "1700000000.000100");
    CHECK(test::block_kit_problems(m.blocks).empty());
  }

  TEST_CASE(
      "oversized input still gives valid Block Kit: rows of 25 - short labels - sections of 3000") {
    dialogue::outcome out;
    out.question = "big";
    out.progress = {1, 1};
    for (int i = 0; i < 60; ++i)
      out.options.push_back(
          {"option-" + std::to_string(i), std::string(200, 'x') + " " + std::to_string(i)});
    for (int i = 0; i < 400; ++i)
      out.text +=
          "A long line of text about Python and Node.js, number " + std::to_string(i) + ".\n";
    out.text += std::string(7000, 'y');  // one line longer than a section
    message m = render_turn(out, {"U1", "", {}}, false);
    CHECK(test::block_kit_problems(m.blocks).empty());
    int actions = 0, buttons = 0;
    for (const auto& b : m.blocks)
      if (b["type"] == "actions") {
        ++actions;
        buttons += static_cast<int>(b["elements"].size());
      }
    CHECK(actions == 3);
    CHECK(buttons == 60);  // the buttons survive; text sections give way to fit 50 blocks
    CHECK(m.blocks.size() <= max_blocks);
    CHECK(m.text.size() <= max_fallback_text);
  }

  TEST_CASE(
      "the recommendation card: header - confidence and scores - reasons with sources - disputes - "
      "next steps") {
    dialogue::recommendation rec;
    rec.choice = "nodejs";
    rec.choice_label = "Node.js";
    rec.confidence = 0.8;
    rec.scores = {{"nodejs", 7}, {"python", 2.5}};
    rec.reasons = {{"Real-time work favours **Node.js**",
                    {"Article A", "Article B"},
                    {},
                    "workload",
                    {{"nodejs", 3}}},
                   {"An answer that moved nothing", {}, {}, "other", {}}};
    rec.unknowns = {"team skills"};
    rec.contested = {{"large",
                      "Which stack suits large projects",
                      {{"python", "Python scales with discipline", {"Article C"}},
                       {"nodejs", "Node.js scales out", {"Article D"}}}}};
    rec.next_steps = {"Prototype both", "Audit team skills"};
    render_context ctx{"U1", "1.2", {{"python", "Python"}, {"nodejs", "Node.js"}}};
    message m =
        render_recommendation(rec, ctx, {{"why", "Why this choice?"}, {"restart", "Start over"}});
    CHECK(test::block_kit_problems(m.blocks).empty());
    CHECK(m.text == "My recommendation: Node.js (confidence 80%)");
    const json& b = m.blocks;
    CHECK(
        b[0] ==
        json::parse(
            R"({"type":"header","text":{"type":"plain_text","text":"Recommendation: Node.js","emoji":true}})"));
    CHECK(
        b[1] ==
        json::parse(
            R"({"type":"section","fields":[{"type":"mrkdwn","verbatim":true,"text":"*Confidence*\n80%"},
                                  {"type":"mrkdwn","verbatim":true,"text":"*Scores*\nNode.js: 7\nPython: 2.5"}]})"));
    CHECK(b[2]["text"]["text"] ==
          "*Why*\n\xE2\x80\xA2 Real-time work favours *Node.js* _(Sources: Article A; Article B)_");
    CHECK(b[3]["elements"][0]["text"] == "Left open: team skills. That lowers the confidence.");
    CHECK(b[4]["type"] == "divider");
    CHECK(b[5]["text"]["text"] ==
          "*Where the sources disagree*\n\xE2\x80\xA2 Which stack suits large projects\n    "
          "_Python_: Python scales with "
          "discipline (Article C)\n    _Node.js_: Node.js scales out (Article D)");
    CHECK(b[6]["text"]["text"] == "*Next steps*\n1. Prototype both\n2. Audit team skills");
    CHECK(b[7]["type"] == "context");
    CHECK(b[8]["type"] == "actions");
    CHECK(b[8]["block_id"] == "advisor::0");
    CHECK(b[8]["elements"].size() == 2);
  }

  TEST_CASE("a turn that just recommended renders as the card: later turns as text") {
    dialogue::outcome out;
    out.text = "**My recommendation: Python**";
    out.finished = true;
    dialogue::recommendation rec;
    rec.choice_label = "Python";
    out.recommendation = std::make_shared<const dialogue::recommendation>(std::move(rec));
    out.options = {{"why", "Why this choice?"}};
    CHECK(render_turn(out, {"U1", "", {}}, true).blocks[0]["type"] == "header");
    CHECK(render_turn(out, {"U1", "", {}}, false).blocks[0]["type"] == "section");
  }

  TEST_CASE("the review: confirming is the primary button by its role - the context says so") {
    dialogue::outcome out;
    out.text = "Is that right?";
    out.question = "check";  // any id: the stage and the roles say what the buttons do
    out.stage = dialogue::stage::reviewing;
    out.options = {{"yes", "Looks right", dialogue::option_role::confirm},
                   {"redo:team", "Change Team", dialogue::option_role::change}};
    message m = render_turn(out, {"U1", "", {}}, false);
    const json* actions = nullptr;
    const json* context = nullptr;
    for (const auto& b : m.blocks) {
      if (b["type"] == "actions") actions = &b;
      if (b["type"] == "context") context = &b;
    }
    REQUIRE(actions);
    REQUIRE(context);
    CHECK((*actions)["elements"][0]["style"] == "primary");
    CHECK_FALSE((*actions)["elements"][1].contains("style"));
    CHECK((*context)["elements"][0]["text"] == "Last check before the recommendation");
  }

  TEST_CASE("retired buttons: the actions go - a note comes at the end") {
    json blocks = json::parse(R"([{"type":"section","text":{"type":"mrkdwn","text":"Q?"}},
      {"type":"actions","block_id":"advisor:q:0","elements":[]}])");
    json out = retire_buttons(blocks, "chose *A*");
    CHECK(out == json::parse(R"([{"type":"section","text":{"type":"mrkdwn","text":"Q?"}},
      {"type":"context","elements":[{"type":"mrkdwn","verbatim":true,"text":"chose *A*"}]}])"));
  }

  TEST_CASE("a button value that is not ours is refused") {
    CHECK_FALSE(decode_button_value("not json"));
    CHECK_FALSE(decode_button_value(R"({"q":"a"})"));
    CHECK_FALSE(decode_button_value(R"({"q":1,"o":"a","u":"U","t":""})"));
  }
}
