// Reads the simple client frame a widget sends ({"type":"choose","option":"web",...}: one flat
// object of plain ASCII strings, true, false and null) without building a JSON tree: the full
// parse cost about 10,000 instructions a turn. Anything else (escapes, non-ASCII text, numbers,
// nested values, a known key twice, not valid JSON) is left to the full parser, so what a frame
// means, and the error a bad one gets, does not depend on which reader read it.
#pragma once

#include <optional>
#include <string_view>

namespace advisor::bot {

// A top-level member of a client frame, as parse_frame sees it.
struct frame_value {
  enum class kind { missing, null, boolean, string, other };
  kind is = kind::missing;
  bool boolean = false;   // boolean: its value
  std::string_view text;  // string: its value (no escapes to undo on the fast path)

  bool operator==(const frame_value&) const = default;
};

// The members parse_frame reads; every other member is ignored.
struct frame_fields {
  frame_value type, session, text, framework, fresh, history, option, question;

  // The member named `key`, or null when it is not one of the above.
  frame_value* find(std::string_view key);
  bool operator==(const frame_fields&) const = default;
};

// The fields of `frame` when it is the simple flat object described above; nullopt otherwise
// (then the full parser reads it).
std::optional<frame_fields> scan_flat_frame(std::string_view frame);

}  // namespace advisor::bot
