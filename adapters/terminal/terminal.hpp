// The terminal channel: `advisor chat` on a terminal (numbered options, bold as ANSI when the
// output is a terminal), or as JSON lines (the WebSocket's frames, one a line, on stdin and
// stdout). Like every channel it implements the channel contract (adapters/common/channel.hpp):
// parse (a line to an action), render (a turn to text, pure) and deliver (the stream); the
// service decides and stores.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "adapters/common/channel.hpp"
#include "bot/service/service.hpp"

namespace advisor::terminal {

struct chat_settings {
  std::string conversation = "default";  // the terminal conversation's key
  std::string framework;                 // start a new conversation on this framework
  bool fresh = false;                    // start a new conversation instead of resuming
  std::string record_file;  // write the decision record here when the conversation ends
  bool color = false;       // ANSI bold and dim
};

// Talks with `in` and `out` until the input ends or the user says quit, exit or bye; returns
// the exit code. Throws std::runtime_error for a framework the service does not offer.
int chat(bot::service& svc, const chat_settings& s, std::istream& in, std::ostream& out);

// JSON lines: each line of `in` a client frame, each reply frame a line of `out`.
int json_lines(bot::service& svc, std::istream& in, std::ostream& out);

// parse: one line typed at the prompt, while `now` is on screen: a bare number picks the option
// with that number (carrying `now`'s question and conversation for the service's stale check),
// other words are said; nothing for an empty line or quit, exit, bye (the
// caller tells them apart with is_quit).
std::optional<adapters::action> parse_line(const std::string& line, const bot::turn& now);
bool is_quit(const std::string& line);

// render: a turn as the terminal shows it: the stale notice's words if the service refused a
// typed number, its text, then (while asking) the step and the numbered options.
std::string render_turn(const bot::turn& t, bool color);

// Renders the core's light markdown for a terminal: bold as ANSI when `color`, else plain; a
// link as its label then its address in parentheses.
std::string terminal_text(const std::string& text, bool color);

}  // namespace advisor::terminal
