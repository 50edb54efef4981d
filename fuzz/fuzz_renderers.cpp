// The Slack and Discord renderers under hostile user text (issue 19, part 6). An input is what a
// user typed. It goes through the real engine (as an opening sentence, as a message at the
// first question or as a button id, by its length) and, escaped by the core, into advisor texts
// with a link of the advisor's own (inline, in a list item, in bold, in a heading, long enough to
// be split). Checks: what Slack's mrkdwn (to_mrkdwn, to_plain, the Block Kit turn) and Discord's
// messages (to_discord, text_message, question_message) would make live, links, mentions, spoilers,
// is exactly what the advisor wrote; and the escaping loses nothing of the user's words.
#include "adapters/discord/messages.hpp"
#include "adapters/slack/blocks.hpp"
#include "common.hpp"
#include "dialogue/markdown.hpp"
#include "live_markup.hpp"

using namespace advisor;

namespace {

constexpr std::size_t max_input = 4096;
const std::string advisor_link = "[the guide](https://example.com/guide)";
const std::vector<std::string> slack_link{"<https://example.com/guide|the guide>"};
const std::vector<std::string> discord_link{"masked link [the guide](https://example.com/guide)"};

std::string show(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += "[" + s + "] ";
  return out;
}

void expect(const std::vector<std::string>& live, const std::vector<std::string>& wanted,
            std::string_view where, const std::string& text) {
  if (live != wanted)
    fuzz::fail(std::string(where) + ": live markup " + show(live) + "instead of " + show(wanted),
               text);
}

std::vector<std::string> all_slack(const slack::message& m) {
  std::vector<std::string> live = test::slack_live(m.text);
  auto add = [&](const nlohmann::json& t) {
    if (t.is_object() && t.value("type", "") == "mrkdwn") {
      if (!t.value("verbatim", false)) fuzz::fail("a mrkdwn object without verbatim", t.dump());
      auto more = test::slack_live(t["text"].get<std::string>());
      live.insert(live.end(), more.begin(), more.end());
    }
  };
  for (const auto& b : m.blocks) {
    if (b.contains("text")) add(b["text"]);
    for (const auto& e : b.value("elements", nlohmann::json::array())) add(e);
    for (const auto& f : b.value("fields", nlohmann::json::array())) add(f);
  }
  return live;
}

std::vector<std::string> all_discord(const nlohmann::json& m) {
  if (m["allowed_mentions"] != nlohmann::json{{"parse", nlohmann::json::array()}})
    fuzz::fail("a Discord message that may parse mentions", m.dump());
  std::vector<std::string> live = test::discord_live(m.value("content", ""));
  for (const auto& e : m.value("embeds", nlohmann::json::array())) {
    auto more = test::discord_live(e.value("description", ""));
    live.insert(live.end(), more.begin(), more.end());
  }
  return live;
}

// A reply of the engine's: its own text writes no link, so nothing may be live in it.
void check_reply(const dialogue::outcome& out, std::string_view where) {
  expect(test::slack_live(slack::to_mrkdwn(out.text)), {}, where, out.text);
  expect(test::slack_live(slack::to_plain(out.text)), {}, where, out.text);
  expect(all_slack(slack::render_turn(out, {"U1", "1.0", {}}, false)), {"<@U1>"}, where, out.text);
  expect(test::discord_live(discord::to_discord(out.text)), {}, where, out.text);
  bot::turn t;
  t.out = out;
  expect(all_discord(discord::question_message(t)), {}, where, out.text);
  expect(all_discord(discord::text_message(out.text)), {}, where, out.text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > max_input) return 0;
  const std::string user(fuzz::as_text(data, size));
  const std::string quoted = dialogue::quote_user_text(user);

  // Nothing of the user's words is lost (control characters become spaces).
  std::string typed = user;
  for (char& c : typed)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  if (dialogue::unescape_markdown(quoted) != typed)
    fuzz::fail("unescape_markdown(quote_user_text(x)) != x", user);

  // Advisor texts with the user's words in every kind of place.
  const std::vector<std::string> texts{
      "Sorry, I couldn't match \"" + quoted + "\" to an answer. See " + advisor_link +
          ", or say `skip`.",
      "- " + quoted + " " + advisor_link,
      "**" + quoted + "**\n" + advisor_link + " _Source: " + quoted + "_",
      "# " + quoted + "\n\n" + advisor_link,
      quoted + quoted + quoted + "\n" + advisor_link + "\n" + quoted,
  };
  for (const auto& text : texts) {
    expect(test::slack_live(slack::to_mrkdwn(text)), slack_link, "to_mrkdwn", text);
    expect(test::discord_live(discord::to_discord(text)), discord_link, "to_discord", text);
    auto m = discord::text_message(text);
    // Past 2,000 bytes the text goes to embeds; one may be cut short (and lose the link).
    auto live = all_discord(m);
    if (live != discord_link && !(m["content"] == "" && live.empty()))
      fuzz::fail("text_message: live markup " + show(live), text);
  }
  expect(test::slack_live(slack::user_text(user), true), {}, "user_text", user);

  // Through the real engine (about 25 ms a step here, against 0.4 ms for all of the above, so
  // one step an input, chosen by its length): the opening sentence ("I took"), a message at
  // the first question (a re-prompt quotes it), or a button id (an unknown option is quoted).
  const dialogue::engine& eng = fuzz::fixture::get().app->service->engine();
  static const std::vector<dialogue::event> started = [&] {
    dialogue::input plain_start;
    plain_start.type = dialogue::input::kind::start;
    return eng.step({}, plain_start).events;
  }();
  dialogue::input in;
  switch (size % 3) {
    case 0:
      in.type = dialogue::input::kind::start;
      in.text = user;
      check_reply(eng.step({}, in), "opening");
      break;
    case 1:
      in.text = user;
      check_reply(eng.step(started, in), "message");
      break;
    default:
      in.type = dialogue::input::kind::choose;
      in.option = user;
      check_reply(eng.step(started, in), "button");
  }
  return 0;
}
