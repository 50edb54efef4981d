// The earlier messages of a conversation, rebuilt from its stored events, for a client that
// resumes it (a reload of the web widget shows them again). The event log keeps what each
// turn changed, not the words exchanged: each turn that recorded events is decided again on
// the history before it, with the input that gives the same events (a button of the options
// offered then, or the words the answer came from), so the advisor's messages come back in the
// words it used. Turns that changed nothing (help, why, a question) are not in the log.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dialogue/engine.hpp"

namespace advisor::bot {

struct past_message {
  enum class author { advisor, user };
  author from = author::advisor;
  std::string text;  // the advisor's: its light Markdown; the user's: plain text, shown as is
  std::string at;    // when the turn was stored (ISO 8601 UTC); empty when not known
};

// Every message up to and including the advisor's reply to the last stored turn, oldest first,
// from the conversation's last restart on. `times` runs parallel to `events` (the store's time
// of each event); when it does not, the messages carry no time.
std::vector<past_message> transcript(const dialogue::engine& eng,
                                     const std::vector<dialogue::event>& events,
                                     const std::vector<std::string>& times);

std::string_view to_string(past_message::author a);

}  // namespace advisor::bot
