// The Discord channel's render, as pure functions: button custom_ids (what a button carries
// back: conversation, question, option) and messages that stay within Discord's limits.
#include <doctest/doctest.h>

#include <set>

#include "adapters/discord/messages.hpp"
#include "discord_limits_check.hpp"

using namespace advisor;
using nlohmann::json;

TEST_SUITE("discord custom ids") {
  bot::turn make_turn(std::string conversation, std::string question,
                      std::vector<dialogue::option_view> options) {
    bot::turn t;
    t.conversation = std::move(conversation);
    t.out.question = std::move(question);
    t.out.options = std::move(options);
    return t;
  }

  TEST_CASE("a custom id names the conversation and question and option within 100 characters") {
    std::string id =
        discord::encode_custom_id("0123456789abcdef0123456789abcdef", "team", "javascript", 1);
    CHECK(id == "adv:89abcdef:team:javascript");
    auto ref = discord::decode_custom_id(id);
    REQUIRE(ref);
    CHECK(ref->conversation == "89abcdef");
    CHECK(ref->question == "team");
    CHECK(ref->option == "javascript");
    // Option ids with colons (the review's "change:team") survive.
    auto change = discord::decode_custom_id(
        discord::encode_custom_id("0123456789", "review", "change:team", 0));
    REQUIRE(change);
    CHECK(change->option == "change:team");
  }

  TEST_CASE("conversations started in the same minute still get different buttons") {
    // Conversation ids start with the time they were made; the button carries the random end.
    auto first = make_turn(
        "019ab3c4d5e6"
        "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        "team", {{"python", "Python"}});
    auto second = make_turn(
        "019ab3c4d5e6"
        "aaaabbbbccccddddeeeeffff00001111",
        "team", {{"python", "Python"}});
    auto ref = discord::decode_custom_id(
        discord::encode_custom_id(first.conversation, "team", "python", 0));
    REQUIRE(ref);
    // The service takes it for the conversation whose id ends with what it carries.
    auto b = discord::read_button(*ref, first);
    REQUIRE(b);
    CHECK(b->option == "python");
    CHECK(first.conversation.ends_with(b->conversation));
    CHECK_FALSE(second.conversation.ends_with(b->conversation));
  }

  TEST_CASE("ids too long for Discord fall back to a question hash and an option index") {
    std::string q(90, 'q');
    std::string o(90, 'o');
    std::string id = discord::encode_custom_id("0123456789abcdef", q, o, 3);
    CHECK(id.size() <= discord::limits::custom_id);
    auto ref = discord::decode_custom_id(id);
    REQUIRE(ref);
    auto t = make_turn("0123456789abcdef", q, {{"a", "A"}, {"b", "B"}, {"c", "C"}, {o, "O"}});
    auto b = discord::read_button(*ref, t);
    REQUIRE(b);
    CHECK(b->option == o);
    CHECK(b->question == q);
    // Read against another question, the hash stays a hash: never that question's id, so the
    // service finds the button out of date.
    t.out.question = "other";
    b = discord::read_button(*ref, t);
    REQUIRE(b);
    CHECK(b->question != "other");
    CHECK(b->question.starts_with("#"));
  }

  TEST_CASE(
      "a button says which conversation and question and option it was made for - the service "
      "judges whether it is out of date") {
    // (tests/unit/service_test and the endpoint tests show the service's refusals.)
    auto t = make_turn("0123456789abcdef", "team", {{"python", "Python"}, {"javascript", "JS"}});
    auto read = [&](std::string_view id) {
      auto ref = discord::decode_custom_id(id);
      REQUIRE(ref);
      auto b = discord::read_button(*ref, t);
      REQUIRE(b);
      return *b;
    };
    auto ok = read("adv:89abcdef:team:python");
    CHECK(ok.conversation == "89abcdef");
    CHECK(ok.question == "team");
    CHECK(ok.option == "python");
    CHECK(read("adv:ffffffff:team:python").conversation == "ffffffff");
    CHECK(read("adv:89abcdef:scale:python").question == "scale");
    // Not among the options: passed on as it is, and refused by the engine as unknown.
    CHECK(read("adv:89abcdef:team:cobol").option == "cobol");
    CHECK(read("adv:89abcdef:team:#7").option == "#7");
    CHECK(read("adv:89abcdef:team:#1").option == "javascript");
    CHECK(read("adv:89abcdef:team:!back").option == "!back");
    // A select menu's choice is the value it sent; without one there is nothing to press.
    auto menu = discord::decode_custom_id("adv:89abcdef:team:?0");
    REQUIRE(menu);
    CHECK(discord::read_button(*menu, t, "javascript")->option == "javascript");
    CHECK_FALSE(discord::read_button(*menu, t));
  }

  TEST_CASE("button styles follow the option's role - not its id") {
    auto t = make_turn("0123456789abcdef", "review",
                       {{"ok", "Looks right", dialogue::option_role::confirm},
                        {"redo:team", "Change Team", dialogue::option_role::change},
                        {"confirm", "An answer called confirm", dialogue::option_role::answer}});
    t.out.stage = dialogue::stage::reviewing;
    json m = discord::turn_message(t, [](std::string_view id) { return std::string(id); });
    const auto& row = m["components"][0]["components"];
    REQUIRE(row.size() == 3);
    CHECK(row[0]["style"] == 3);  // success: confirming stands out
    CHECK(row[1]["style"] == 2);
    CHECK(row[2]["style"] == 1);
    CHECK(m["components"].size() == 1);  // no "Why this question?" while reviewing
  }

  TEST_CASE("the recommendation's colour follows the choice's place among the stacks") {
    dialogue::recommendation rec;
    rec.choice = "go";  // stacks are data: any names get the palette by position
    rec.choice_label = "Go";
    auto label = [](std::string_view id) { return std::string(id); };
    rec.choice_position = 0;
    CHECK(discord::recommendation_embed(rec, label)["color"] == 0x3776AB);
    rec.choice_position = 1;
    CHECK(discord::recommendation_embed(rec, label)["color"] == 0x5FA04E);
    rec.choice_position = -1;  // the hybrid
    CHECK(discord::recommendation_embed(rec, label)["color"] == 0x8E6BBF);
  }

  TEST_CASE("foreign or broken custom ids are not ours") {
    CHECK_FALSE(discord::decode_custom_id(""));
    CHECK_FALSE(discord::decode_custom_id("other:1:2:3"));
    CHECK_FALSE(discord::decode_custom_id("adv:"));
    CHECK_FALSE(discord::decode_custom_id("adv:0123"));
    CHECK_FALSE(discord::decode_custom_id("adv:0123:q:"));
    CHECK_FALSE(discord::decode_custom_id("adv::q:o"));
    CHECK_FALSE(discord::decode_custom_id("adv:0123:q:" + std::string(100, 'o')));
  }
}

TEST_SUITE("discord messages") {
  TEST_CASE("fit cuts on a character boundary and says it cut") {
    CHECK(discord::fit("short", 10) == "short");
    std::string cut = discord::fit("abcdefghij", 8);
    CHECK(cut == "abcde\xE2\x80\xA6");
    CHECK(cut.size() <= 8);
    // "é" is two bytes: never split.
    std::string accents = discord::fit("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 6);
    CHECK(accents == "\xC3\xA9\xE2\x80\xA6");
  }

  TEST_CASE("many options become buttons in rows of five and more than 25 become select menus") {
    bot::turn t;
    t.conversation = "0123456789abcdef";
    t.out.question = "q";
    t.out.progress = {3, 9};
    t.out.text = "Pick one.";
    for (int i = 0; i < 12; ++i)
      t.out.options.push_back({"o" + std::to_string(i), std::string(120, 'L')});
    json m = discord::question_message(t);
    test::check_message_limits(m);
    REQUIRE(m["components"].size() == 4);  // 5 + 5 + 2 options, then Why? and Back
    CHECK(m["components"][0]["components"].size() == 5);
    CHECK(m["components"][2]["components"].size() == 2);
    CHECK(m["components"][3]["components"][0]["label"] == "Why this question?");
    CHECK(m["components"][3]["components"][1]["label"] == "Back");
    CHECK(m["components"][0]["components"][0]["label"].get<std::string>().size() <= 80);
    CHECK(m["content"] == "Pick one.\n\n_Question 3 of about 9_");

    for (int i = 12; i < 30; ++i)
      t.out.options.push_back({"o" + std::to_string(i), "Option " + std::to_string(i)});
    m = discord::question_message(t);
    test::check_message_limits(m);
    REQUIRE(m["components"].size() == 3);  // two selects (25 + 5), then Why? and Back
    CHECK(m["components"][0]["components"][0]["type"] == 3);
    CHECK(m["components"][0]["components"][0]["options"].size() == 25);
    CHECK(m["components"][1]["components"][0]["options"].size() == 5);
    auto ref = discord::decode_custom_id(
        m["components"][1]["components"][0]["custom_id"].get<std::string>());
    REQUIRE(ref);
    CHECK(discord::read_button(*ref, t, "o27")->option == "o27");
    // A value not offered goes to the engine as it came, which refuses it (unknown_option).
    CHECK(discord::read_button(*ref, t, "nope")->option == "nope");
  }

  TEST_CASE("a long question keeps its progress line within 2000 characters") {
    bot::turn t;
    t.conversation = "0123456789abcdef";
    t.out.question = "q";
    t.out.progress = {2, 8};
    t.out.text = std::string(5000, 'x');
    t.out.options = {{"a", "A"}};
    json m = discord::question_message(t);
    test::check_message_limits(m);
    std::string content = m["content"];
    CHECK(content.ends_with("_Question 2 of about 8_"));
  }

  TEST_CASE("a huge recommendation still fits one embed") {
    dialogue::recommendation rec;
    rec.choice = "nodejs";
    rec.choice_label = std::string(300, 'N');
    rec.confidence = 0.6;
    rec.scores = {{"python", 4}, {"nodejs", 6.5}};
    for (int i = 0; i < 40; ++i) {
      dialogue::reason r;
      r.text = "**reason " + std::to_string(i) + "** " + std::string(700, 'r');
      r.sources = {"Source A", "Source B"};
      r.effect = {{"nodejs", 1}};
      rec.reasons.push_back(r);
    }
    for (int i = 0; i < 10; ++i) rec.next_steps.push_back(std::string(300, 's'));
    rec.unknowns = {"team skills", "expected load"};
    json e =
        discord::recommendation_embed(rec, [](std::string_view id) { return std::string(id); });
    test::check_embed_limits(e);
    CHECK(discord::embed_length(e) <= 6000);
    CHECK(e["title"].get<std::string>().size() <= 256);
    CHECK(e["fields"][0]["name"] == "Confidence");
    CHECK(e["fields"][0]["value"] == "60% (lower: team skills, expected load left open)");
    CHECK(e["fields"][1]["value"] == "nodejs 6.5 \xC2\xB7 python 4");  // the leader first
    CHECK(e["footer"]["text"].get<std::string>().starts_with("Shortened to fit Discord."));
  }

  TEST_CASE("the recommendation embed - exactly") {
    dialogue::recommendation rec;
    rec.choice = "python";
    rec.choice_label = "Python";
    rec.choice_position = 0;  // the framework's first stack
    rec.confidence = 0.8;
    rec.scores = {{"nodejs", 2}, {"python", 5.5}};
    dialogue::reason team;
    team.text = "**team skills: Python** (Python +3). Your team knows Python.";
    team.sources = {"Guide A"};
    team.effect = {{"python", 3}};
    team.question = "team";
    dialogue::reason idle;  // an answer that moved nothing is left out
    idle.text = "**expected load: Modest**";
    idle.question = "scale";
    dialogue::reason rule;
    rule.text = "**A rule.** Something general.";
    rule.sources = {"Article B", "Article C"};
    rec.reasons = {team, idle, rule};
    rec.unknowns = {"expected load"};
    rec.contested = {{"large-projects",
                      "The sources disagree on large projects.",
                      {{"python", "Python suits large projects.", {"Guide A"}},
                       {"nodejs", "Node.js suits them too.", {"Article B", "Article C"}}}}};
    rec.next_steps = {"Prototype both.", "Audit your team's skills."};
    auto label = [](std::string_view id) {
      return std::string(id == "python" ? "Python" : "Node.js");
    };

    json expected = {
        {"title", "My recommendation: Python"},
        {"color", 0x3776AB},
        {"fields",
         json::array(
             {{{"name", "Confidence"},
               {"value", "80% (lower: expected load left open)"},
               {"inline", true}},
              {{"name", "Scores"}, {"value", "Python 5.5 \xC2\xB7 Node.js 2"}, {"inline", true}},
              {{"name", "Why"},
               {"value",
                "- **team skills: Python** (Python +3). Your team knows Python. _Source: Guide A_\n"
                "- **A rule.** Something general. _Sources: Article B; Article C_"},
               {"inline", false}},
              {{"name", "Where the sources disagree"},
               {"value",
                "**The sources disagree on large projects.**\n"
                "- Python: Python suits large projects. _Source: Guide A_\n"
                "- Node.js: Node.js suits them too. _Sources: Article B; Article C_"},
               {"inline", false}},
              {{"name", "Next steps"},
               {"value", "- Prototype both.\n- Audit your team's skills."},
               {"inline", false}}})},
        {"footer",
         {{"text", "Press \xE2\x80\x9CWhy this choice?\xE2\x80\x9D for the full breakdown."}}}};
    CHECK(discord::recommendation_embed(rec, label) == expected);
  }

  TEST_CASE("long texts go into embeds and ephemeral ones carry flag 64") {
    json short_text = discord::text_message("hello", true);
    CHECK(short_text["content"] == "hello");
    CHECK(short_text["flags"] == 64);
    std::string long_text;
    for (int i = 0; i < 300; ++i)
      long_text += "- line " + std::to_string(i) + " " + std::string(40, 'z') + "\n";
    json m = discord::text_message(long_text);
    test::check_message_limits(m);
    CHECK(m["content"] == "");
    CHECK(m["embeds"].size() >= 2);
    CHECK_FALSE(m.contains("flags"));
  }
}
