// A user's words come back inert on every channel (issue 19, part 3): wherever a reply repeats
// or follows from what the user typed ("I took", the review, re-prompts, the status, the
// decision record), the Slack and Discord renderings hold no link, mention, spoiler or
// formatting of the user's, and the advisor's own links still work.
#include <doctest/doctest.h>

#include "adapters/discord/messages.hpp"
#include "adapters/slack/blocks.hpp"
#include "dialogue/markdown.hpp"
#include "live_markup.hpp"
#include "support.hpp"

using namespace advisor;
using advisor::test::discord_live;
using advisor::test::slack_live;
using advisor::test::temp_dir;

namespace {

// Everything a hostile user might try, on one line.
const std::string hostile =
    "[click me](https://evil.example/x) <https://evil.example|y> <!channel> <!here> <@U123> <#C1> "
    "<@&42> @everyone @here @channel ||spoiler|| `code` *bold* _it_ ~strike~ "
    "\\[x\\](https://evil.example) "
    "https://evil.example/bare :smile:";

bool has(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

// The user's words may not add anything live to either channel's rendering.
void check_inert_everywhere(const std::string& reply) {
  CAPTURE(reply);
  std::string slack = slack::to_mrkdwn(reply);
  std::string slack_plain = slack::to_plain(reply);
  std::string discord = discord::to_discord(reply);
  CAPTURE(slack);
  CAPTURE(discord);
  CHECK(slack_live(slack).empty());
  CHECK(slack_live(slack_plain).empty());
  CHECK(discord_live(discord).empty());
}

// The quoted part of a reply: between the first pair of straight double quotes.
std::string quoted_part(const std::string& s) {
  auto a = s.find('"');
  auto b = s.find('"', a + 1);
  REQUIRE(b != std::string::npos);
  return s.substr(a + 1, b - a - 1);
}

}  // namespace

TEST_CASE(
    "quote_user_text escapes markup and line breaks - unescape_markdown gives the words back") {
  CHECK(dialogue::quote_user_text("[a](https://x) <@U1> @here *b* _c_ `d` ~e~ ||f|| \\") ==
        "\\[a\\]\\(https\\://x\\) \\<\\@U1\\> \\@here \\*b\\* \\_c\\_ \\`d\\` \\~e\\~ "
        "\\|\\|f\\|\\| \\\\");
  CHECK(dialogue::quote_user_text("line\n# heading\r\n- item\t\x1b[31m") ==
        "line \\# heading  - item  \\[31m");
  CHECK(dialogue::quote_user_text("plain words, 3.5 & more!") == "plain words, 3.5 & more!");
  for (std::string s : {hostile, std::string("a\\b"), std::string("\\\\[x]")})
    CHECK(dialogue::unescape_markdown(dialogue::quote_user_text(s)) == s);
}

TEST_CASE("Slack: the user's escaped words are inert mrkdwn - the advisor's links and bold stay") {
  std::string reply = "Sorry, I couldn't match \"" + dialogue::quote_user_text(hostile) +
                      "\". See [the guide](https://example.com/guide) or say `skip`, **now**.";
  std::string m = slack::to_mrkdwn(reply);
  CAPTURE(m);
  auto live = slack_live(m);
  REQUIRE(live.size() == 1);
  CHECK(live[0] == "<https://example.com/guide|the guide>");
  CHECK(has(m, "`skip`"));
  CHECK(has(m, "*now*"));
  std::string user = slack::user_text(hostile);
  CAPTURE(user);
  CHECK(slack_live(user, true).empty());
  CHECK(has(user, "&lt;!channel&gt;"));
  CHECK(has(user,
            "&lt;@\xE2\x80\x8B"
            "U123&gt;"));
  CHECK(has(user,
            "@\xE2\x80\x8B"
            "everyone"));
  CHECK(has(user,
            "\xE2\x88\x97"
            "bold"
            "\xE2\x88\x97"));  // look-alike asterisks
  CHECK(has(user, "[click me](https:\xE2\x80\x8B//evil.example/x)"));
  CHECK(slack_live(slack::to_plain(quoted_part(reply))).empty());
  // Every mrkdwn object is verbatim: Slack links no bare URL, channel or @name in it.
  dialogue::outcome out;
  out.text = reply;
  auto msg = slack::render_turn(out, {"U1", "1.0", {}}, false);
  for (const auto& b : msg.blocks)
    if (b.contains("text") && b["text"]["type"] == "mrkdwn") CHECK(b["text"]["verbatim"] == true);
}

TEST_CASE("Discord: the user's escaped words stay escaped - mentions get a zero-width space") {
  std::string reply = "Sorry, I couldn't match \"" + dialogue::quote_user_text(hostile) +
                      "\". See [the guide](https://example.com/guide).";
  std::string d = discord::to_discord(reply);
  CAPTURE(d);
  auto live = discord_live(d);
  REQUIRE(live.size() == 1);
  CHECK(live[0] == "masked link [the guide](https://example.com/guide)");
  CHECK(discord_live(quoted_part(d), true).empty());
  CHECK(has(d, "\\[click me\\]\\(https:\xE2\x80\x8B//evil.example/x\\)"));
  CHECK(has(d, "\\|\\|spoiler\\|\\|"));
  CHECK(has(d,
            "\\<@\xE2\x80\x8B"
            "U123\\>"));
  // @everyone / @here that reach Discord unescaped (the advisor's own text) cannot ping either.
  CHECK(discord::to_discord("hi @everyone and @here") ==
        "hi @\xE2\x80\x8B"
        "everyone and @\xE2\x80\x8B"
        "here");
  // Every message the bot posts parses no mention.
  CHECK(discord::text_message(reply)["allowed_mentions"] ==
        nlohmann::json{{"parse", nlohmann::json::array()}});
  auto long_one = discord::text_message(std::string(2100, 'a') + "\n" + reply);
  CHECK(discord_live(long_one["embeds"].back()["description"].get<std::string>()).size() == 1);
}

TEST_CASE("every place the user's words come back is inert on Slack and Discord") {
  temp_dir dir;
  auto app = test::open_test_app(dir.str());
  bot::service& svc = *app->service;
  const bot::channel_key key{"slack", "T1/C1/1.0/U1"};

  SUBCASE("\"I took\" after an opening sentence") {
    auto t = svc.start(key, "we are a startup " + hostile, true);
    CHECK(has(t.out.text, "I took:"));
    CHECK_FALSE(has(t.out.text, "evil"));
    check_inert_everywhere(t.out.text);
  }
  SUBCASE("the re-prompt of a message that answers nothing quotes it inert") {
    svc.start(key, {}, true);
    auto t = svc.message(key, hostile);
    REQUIRE(t.out.notice == dialogue::notice::no_match);
    CHECK(has(t.out.text, "Sorry, I couldn't match"));
    check_inert_everywhere(t.out.text);
    CHECK(slack_live(slack::to_mrkdwn(quoted_part(t.out.text)), true).empty());
    CHECK(discord_live(discord::to_discord(quoted_part(t.out.text)), true).empty());
    // What was quoted is what the user typed (its first 100 bytes).
    CHECK(hostile.rfind(dialogue::unescape_markdown(quoted_part(t.out.text)).substr(0, 90), 0) ==
          0);
  }
  SUBCASE("an unknown option id is quoted inert") {
    svc.start(key, {}, true);
    auto t = svc.choose(key, "<!channel> [x](https://evil.example)");
    CHECK(t.out.notice == dialogue::notice::unknown_option);
    check_inert_everywhere(t.out.text);
    CHECK(slack_live(slack::to_mrkdwn(quoted_part(t.out.text)), true).empty());
  }
  SUBCASE(
      "answers given in hostile sentences: status, review, recommendation and decision record") {
    auto t = svc.start(key, "we're a python shop building an ML pipeline " + hostile, true);
    check_inert_everywhere(t.out.text);
    for (int guard = 0; guard < 30 && t.out.question != "review"; ++guard) {
      REQUIRE_FALSE(t.out.options.empty());
      // Every other turn a hostile message first (re-prompt or answer), then a click.
      auto said = svc.message(key, hostile + " " + t.out.options.front().label);
      check_inert_everywhere(said.out.text);
      t = svc.current(key).value();
      if (t.out.question == "review" || t.out.finished) break;
      t = svc.choose(key, t.out.options.front().id, t.out.question);
      check_inert_everywhere(t.out.text);
    }
    auto status = svc.message(key, "status");
    check_inert_everywhere(status.out.text);
    CHECK_FALSE(has(status.out.text, "evil"));
    auto review = svc.current(key).value();
    REQUIRE(review.out.question == "review");
    check_inert_everywhere(review.out.text);
    auto done = svc.choose(key, "confirm", "review");
    REQUIRE(done.out.finished);
    check_inert_everywhere(done.out.text);
    auto record = svc.decision_record(key);
    REQUIRE(record);
    CHECK_FALSE(has(*record, "evil"));
    CHECK_FALSE(has(*record, "@everyone"));
    auto summary = svc.message(key, "summary");
    check_inert_everywhere(summary.out.text);
    // Asked after the recommendation, a hostile question is answered from the sources or refused.
    check_inert_everywhere(svc.message(key, hostile).out.text);
  }
}

TEST_CASE("quoted lines are left out of what the user wrote - a quote alone is kept whole") {
  using dialogue::without_quoted_lines;
  CHECK(without_quoted_lines("> who is this decision for?\n\nour platform team") ==
        "our platform team");
  CHECK(without_quoted_lines("  > quoted\nmine\n> again") == "mine");
  CHECK(without_quoted_lines("> just a quote").empty());
  CHECK(without_quoted_lines("python -> node").empty());
  CHECK(without_quoted_lines("").empty());
  // A comparison is no quote.
  CHECK(without_quoted_lines("yes\n>100 users at peak").empty());
}
