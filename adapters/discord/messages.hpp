// Discord's wire shapes for the advisor's turns, as pure functions: a question as message
// content with action rows of buttons, the recommendation as an embed, long texts split into
// embeds, all within Discord's documented limits; and the button custom_id that names the
// conversation, question and option it was made for, so an out-of-date button is recognised.
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/service/service.hpp"

namespace advisor::discord {

// Discord API limits (https://discord.com/developers/docs/resources/message).
namespace limits {
constexpr std::size_t content = 2000;
constexpr std::size_t buttons_per_row = 5;
constexpr std::size_t rows = 5;
constexpr std::size_t button_label = 80;
constexpr std::size_t custom_id = 100;
constexpr std::size_t select_options = 25;
constexpr std::size_t select_label = 100;
constexpr std::size_t select_value = 100;
constexpr std::size_t embed_title = 256;
constexpr std::size_t embed_description = 4096;
constexpr std::size_t field_name = 256;
constexpr std::size_t field_value = 1024;
constexpr std::size_t fields = 25;
constexpr std::size_t footer = 2048;
constexpr std::size_t embed_total = 6000;  // across all embeds of one message
constexpr std::size_t embeds = 10;
}  // namespace limits

// Interaction and response types
// (https://discord.com/developers/docs/interactions/receiving-and-responding).
namespace wire {
constexpr int ping = 1;
constexpr int application_command = 2;
constexpr int message_component = 3;
constexpr int pong = 1;
constexpr int channel_message = 4;
constexpr int deferred_channel_message = 5;
constexpr int deferred_update_message = 6;
constexpr int update_message = 7;
constexpr int ephemeral_flag = 64;
constexpr int action_row = 1;
constexpr int button = 2;
constexpr int string_select = 3;
}  // namespace wire

// Actions that are not options of the question: they travel in the option slot of a custom_id.
constexpr std::string_view back_action = "!back";
constexpr std::string_view why_action = "!why";

// What a button (or select menu) was made for, read back from its custom_id.
struct button_ref {
  std::string conversation;  // a prefix of the conversation id
  std::string question;      // the question id, or "#" + a hash when the id would not fit
  std::string option;        // option id, "#<index>", an action ("!back"), or "?<n>" for a select
};

std::string encode_custom_id(std::string_view conversation, std::string_view question,
                             std::string_view option, std::size_t index);
std::optional<button_ref> decode_custom_id(std::string_view custom_id);

// What a button asks for, read against the turn shown now (`now`; an empty turn when the key
// has no conversation): the option or action it stands for (a "#<index>" and a hashed question
// are read against `now`), and the conversation and question it was made for. Whether it is
// out of date is the service's rule, the same on every channel (bot::request::
// expected_conversation, expected_question); nothing here only when a select menu sent no value.
struct pressed_button {
  std::string option;        // an option id, or an action ("!back", "!why")
  std::string conversation;  // the end of the conversation id it was made for
  std::string question;      // the question id it was made for (a hash not `now`'s stays one)
};
std::optional<pressed_button> read_button(const button_ref& ref, const bot::turn& now,
                                          std::string_view select_value = {});

// The core's light Markdown for Discord, which reads the same Markdown and honours its backslash
// escapes: the user's words (escaped by the core) stay text, masked links, <@id>, ||spoilers||
// and code included; an escaped @ or : and any @everyone / @here get a zero-width space after
// the @ or : (no mention, no bare link).
std::string to_discord(std::string_view text);
// A source in Discord markdown, as the recommendation embed lists it: "[title](<url>)" (no
// preview embed under the message) when its address is known, else the title; [, ] and \ in
// the title escaped. In reply text a source is the core's masked link, which Discord shows as is.
std::string source_link(const dialogue::source_ref& s);

// Cuts text to at most `limit` bytes (never inside a UTF-8 sequence), ending in "…" when cut.
// Bytes are counted: never fewer than the characters Discord counts.
std::string fit(std::string_view text, std::size_t limit);

// Title, description, field names and values and footer: what Discord counts toward 6000.
std::size_t embed_length(const nlohmann::json& embed);

// A stack id's label ("nodejs" -> "Node.js").
using label_fn = std::function<std::string(std::string_view)>;

// The message for a turn: a question (content and buttons) or, once finished, the
// recommendation embed with its why / summary / restart buttons. `preface` goes first.
nlohmann::json turn_message(const bot::turn& t, const label_fn& label,
                            std::string_view preface = {});
nlohmann::json question_message(const bot::turn& t, std::string_view preface = {});
nlohmann::json recommendation_message(const bot::turn& t, const label_fn& label);
nlohmann::json recommendation_embed(const dialogue::recommendation& rec, const label_fn& label);

// Plain text: as content when it fits, else split over embeds; ephemeral adds flags 64.
nlohmann::json text_message(std::string_view text, bool ephemeral = false);

// A file sent with a message (the decision record).
struct attachment {
  std::string filename;
  std::string content_type = "text/markdown; charset=utf-8";
  std::string content;
};

// A message with a file, as Discord takes it: multipart/form-data with payload_json and
// files[0]; `payload` gets the matching "attachments" entry (inside "data" when it has one).
struct multipart_body {
  std::string content_type;  // with the boundary
  std::string body;
};
multipart_body with_attachment(nlohmann::json payload, const attachment& file);

// {"type": type, "data": data}; data is omitted when null.
nlohmann::json interaction_response(int type, nlohmann::json data = nullptr);

// Serialises for the wire; invalid UTF-8 from users is replaced, never thrown on.
std::string dump(const nlohmann::json& j);

}  // namespace advisor::discord
