// Block Kit for the advisor's turns: a question as a section, a progress context and buttons;
// the recommendation as a card (header, confidence and scores, reasons with sources, contested
// points, next steps); a clicked message with its buttons replaced by the answer. Also the
// text conversions both ways: the core's light markdown to Slack mrkdwn, and a user's Slack
// message text (mentions, links, entities) to plain words for the engine. Pure functions.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "dialogue/engine.hpp"

namespace advisor::slack {

// Block Kit limits (https://api.slack.com/reference/block-kit).
constexpr std::size_t max_blocks = 50;
constexpr std::size_t max_section_text = 3000;
constexpr std::size_t max_header_text = 150;
constexpr std::size_t max_actions_elements = 25;
constexpr std::size_t max_button_text = 75;
constexpr std::size_t max_button_value = 2000;
constexpr std::size_t max_block_id = 255;
constexpr std::size_t max_fallback_text = 3000;  // the notification text; Slack allows more

// What a button carries back to us: the question it answers (so a stale click is refused),
// the option, and whose conversation it belongs to (owner user id and thread ts).
struct button_value {
  std::string question;
  std::string option;
  std::string owner;
  std::string thread;
};
std::string encode(const button_value& v);
std::optional<button_value> decode_button_value(std::string_view value);

// A message for chat.postMessage / chat.update: notification text and blocks.
struct message {
  std::string text;
  nlohmann::json blocks = nlohmann::json::array();
};

// Who the message is for; stack ids to labels for the scores.
struct render_context {
  std::string owner;   // Slack user id
  std::string thread;  // thread ts ("" at the top of a DM)
  std::map<std::string, std::string> stack_labels;
};

// One turn: its text, progress, and a button per option. When the turn gives the
// recommendation (just confirmed), the card.
message render_turn(const dialogue::outcome& out, const render_context& ctx,
                    bool recommendation_card);

// The recommendation card, with a button per follow-up option (why, decision record, ...).
message render_recommendation(const dialogue::recommendation& rec, const render_context& ctx,
                              const std::vector<dialogue::option_view>& follow_ups = {});

// The message's blocks without their actions, with a context line (mrkdwn) at the end.
nlohmann::json retire_buttons(const nlohmann::json& blocks, std::string_view note);

// The core's **bold**, "- " lists, "# " headings and [label](url) links as Slack mrkdwn, with
// &, <, > escaped and the user's words (backslash-escaped by the core) inert: &lt; &gt; &amp;,
// look-alikes for * _ ~ `, a zero-width space after @ and :.
std::string to_mrkdwn(std::string_view text);
// A user's own words (or a label from a click's payload) as mrkdwn that shows them as typed:
// no link, mention or formatting of theirs is live (the core's quote_user_text, then to_mrkdwn).
std::string user_text(std::string_view words);
// The same without markup, for notification text.
std::string to_plain(std::string_view text);
// A user's message as Slack sends it ("<@U1> node &amp; <https://x|x>") as plain words.
std::string inbound_text(std::string_view slack_text);
// A source as mrkdwn: "<url|title>" when its address is known, else the title; &, <, > escaped.
std::string source_link(const dialogue::source_ref& s);
// &, <, > escaped for mrkdwn and plain_text.
std::string escape(std::string_view text);
// At most `max_bytes` bytes, cut on a UTF-8 boundary, "…" at the end when cut.
std::string truncate_utf8(std::string_view text, std::size_t max_bytes);

}  // namespace advisor::slack
