#include "adapters/common/flat_frame.hpp"

namespace advisor::bot {

frame_value* frame_fields::find(std::string_view key) {
  switch (key.size()) {
    case 4:
      return key == "type" ? &type : key == "text" ? &text : nullptr;
    case 5:
      return key == "fresh" ? &fresh : nullptr;
    case 6:
      return key == "option" ? &option : nullptr;
    case 7:
      return key == "session" ? &session : key == "history" ? &history : nullptr;
    case 8:
      return key == "question" ? &question : nullptr;
    case 9:
      return key == "framework" ? &framework : nullptr;
    default:
      return nullptr;
  }
}

namespace {

// A cursor over the frame; every read that finds something other than the simple form
// fails, and the frame goes to the full parser.
class scanner {
 public:
  explicit scanner(std::string_view s) : s_(s) {}

  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }

  bool take(char c) {
    if (i_ == s_.size() || s_[i_] != c) return false;
    ++i_;
    return true;
  }

  bool take(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  // A string with nothing to undo: printable ASCII up to the closing quote (no escape, no
  // control character, no byte of a multi-byte sequence: those need the full parser).
  std::optional<std::string_view> plain_string() {
    if (!take('"')) return std::nullopt;
    std::size_t start = i_;
    for (; i_ < s_.size(); ++i_) {
      auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') return s_.substr(start, i_++ - start);
      if (c < 0x20 || c == '\\' || c >= 0x80) return std::nullopt;
    }
    return std::nullopt;
  }

  std::optional<frame_value> value() {
    if (i_ == s_.size()) return std::nullopt;
    frame_value v;
    switch (s_[i_]) {
      case '"': {
        auto text = plain_string();
        if (!text) return std::nullopt;
        v.is = frame_value::kind::string;
        v.text = *text;
        return v;
      }
      case 't':
      case 'f':
        v.is = frame_value::kind::boolean;
        v.boolean = s_[i_] == 't';
        if (!take(v.boolean ? "true" : "false")) return std::nullopt;
        return v;
      case 'n':
        v.is = frame_value::kind::null;
        if (!take("null")) return std::nullopt;
        return v;
      default:  // numbers, arrays, objects
        return std::nullopt;
    }
  }

  bool at_end() const { return i_ == s_.size(); }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

std::optional<frame_fields> scan_flat_frame(std::string_view frame) {
  scanner in(frame);
  frame_fields out;
  in.skip_space();
  if (!in.take('{')) return std::nullopt;
  in.skip_space();
  if (!in.take('}')) {
    for (;;) {
      auto key = in.plain_string();
      if (!key) return std::nullopt;
      in.skip_space();
      if (!in.take(':')) return std::nullopt;
      in.skip_space();
      auto v = in.value();
      if (!v) return std::nullopt;
      if (frame_value* slot = out.find(*key)) {
        // A known member given twice: which one counts is the full parser's call.
        if (slot->is != frame_value::kind::missing) return std::nullopt;
        *slot = *v;
      }
      in.skip_space();
      if (in.take('}')) break;
      if (!in.take(',')) return std::nullopt;
      in.skip_space();
    }
  }
  in.skip_space();
  if (!in.at_end()) return std::nullopt;
  return out;
}

}  // namespace advisor::bot
