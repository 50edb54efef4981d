// The core's replies are a light Markdown (docs/protocol.md). Text a user typed is placed in a
// reply only through quote_user_text: it comes back as text on every channel, never as a link,
// a mention, a code span or formatting. Each renderer (the widget, the terminal, Slack, Discord)
// honours the backslash escapes it writes, showing the character itself in the channel's inert
// form. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace advisor::dialogue {

// The characters quote_user_text escapes with a backslash: Markdown and chat markup
// (\ ` * _ ~ | [ ] ( ) < > @ : #).
bool escapable(char c);

// The user's words for a reply: every escapable character behind a backslash, and line breaks,
// tabs and other control characters as spaces (so no line of it can start a list, a heading or
// a quote).
std::string quote_user_text(std::string_view text);

// Reply text with the escapes resolved: what the user typed, for channels that show plain text.
std::string unescape_markdown(std::string_view text);

}  // namespace advisor::dialogue
