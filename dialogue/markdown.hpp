// The core's replies are a light Markdown (docs/protocol.md). Text a user typed is placed in a
// reply only through quote_user_text: it comes back as text on every channel, never as a link,
// a mention, a code span or formatting. Each renderer (the widget, the terminal, Slack, Discord)
// honours the backslash escapes it writes, showing the character itself in the channel's inert
// form. Pure functions.
#pragma once

#include <cstddef>
#include <optional>
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

// A message without the lines it quotes ("> who is this decision for?" and the answer below
// it): the words the user wrote. Empty when there is nothing to drop: a message that quotes
// nothing, or nothing but a quote, is read whole as it is.
std::string without_quoted_lines(std::string_view text);

// A link of the advisor's own ("[label](http...)", as cite() writes one) starting at text[i]:
// its label, its address and the index just past it. A span holding a backslash (a user's
// escaped character) or a second "[" in its label is no link.
struct markdown_link {
  std::string_view label;
  std::string_view url;
  std::size_t end = 0;
};
std::optional<markdown_link> link_at(std::string_view text, std::size_t i);

}  // namespace advisor::dialogue
