// advisor-bench's reply scanner: reads the few fields a load generator needs from one of the
// advisor's frames (docs/protocol.md: session, reply, error) in one pass over the bytes, with no
// tree and no allocation (only a field that holds an escape is decoded, into the result's own
// storage). Values the generator does not need (the text, the recommendation, the history) are
// skipped: strings by memchr to their closing quote, objects and arrays by counting brackets.
// It reads the top level to its end, so a frame that is cut short or is not an object is
// invalid; it does not check what it skips (numbers, the grammar inside skipped values).
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace bench {

struct reply_fields {
  bool valid = false;             // a JSON object, read to its closing brace
  std::string_view type;          // top-level "type" when it is a string: session, reply, error
  std::string_view question;      // top-level "question" when a string (reply)
  std::string_view code;          // top-level "code" when a string (error)
  bool finished = false;          // top-level "finished" when it is true
  bool recommendation = false;    // a top-level "recommendation" key, whatever its value
  bool has_options = false;       // a top-level "options" array
  std::size_t options = 0;        // its elements
  std::string_view first_option;  // options[0].id when that is a string

  // The views point into the frame, or into this storage when the field held an escape: valid
  // while the frame and this object live and until the next scan into it.
  std::array<std::string, 4> decoded_;
};

// Scans `frame` into `out` (reset first); returns out.valid.
bool scan_reply(std::string_view frame, reply_fields& out);

}  // namespace bench
