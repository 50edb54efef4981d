#include "reply_scan.hpp"

#include <cstdint>
#include <cstring>

namespace bench {

namespace {

// Where each decoded field keeps its bytes in reply_fields::decoded_.
enum slot : std::size_t { slot_type, slot_question, slot_code, slot_option };

class scanner {
 public:
  scanner(std::string_view s, reply_fields& out)
      : p_(s.data()), end_(s.data() + s.size()), out_(out) {}

  bool run() {
    ws();
    if (!eat('{')) return false;
    ws();
    if (eat('}')) return finish();
    for (;;) {
      std::string_view key;
      std::string key_storage;
      if (!string(key, key_storage)) return false;
      ws();
      if (!eat(':')) return false;
      ws();
      if (!member(key)) return false;
      ws();
      if (eat(',')) {
        ws();
        continue;
      }
      if (eat('}')) return finish();
      return false;
    }
  }

 private:
  bool finish() {
    ws();
    return p_ == end_;
  }

  bool member(std::string_view key) {
    if (key == "type") return string_field(out_.type, slot_type);
    if (key == "question") return string_field(out_.question, slot_question);
    if (key == "code") return string_field(out_.code, slot_code);
    if (key == "finished") {
      out_.finished = literal("true");
      return out_.finished || skip_value();
    }
    if (key == "recommendation") {
      out_.recommendation = true;
      return skip_value();
    }
    if (key == "options") return options();
    return skip_value();
  }

  // A string value goes to `field`; any other value clears it (as a missing field).
  bool string_field(std::string_view& field, slot s) {
    field = {};
    if (peek() != '"') return skip_value();
    return string(field, out_.decoded_[s]);
  }

  bool options() {
    out_.has_options = false;
    out_.options = 0;
    out_.first_option = {};
    if (peek() != '[') return skip_value();
    ++p_;
    out_.has_options = true;
    ws();
    if (eat(']')) return true;
    for (;;) {
      if (out_.options++ == 0 && peek() == '{') {
        if (!first_option()) return false;
      } else if (!skip_value()) {
        return false;
      }
      ws();
      if (eat(',')) {
        ws();
        continue;
      }
      return eat(']');
    }
  }

  // The first option's object: its "id" when a string.
  bool first_option() {
    ++p_;  // '{'
    ws();
    if (eat('}')) return true;
    for (;;) {
      std::string_view key;
      std::string key_storage;
      if (!string(key, key_storage)) return false;
      ws();
      if (!eat(':')) return false;
      ws();
      if (key == "id") {
        if (!string_field(out_.first_option, slot_option)) return false;
      } else if (!skip_value()) {
        return false;
      }
      ws();
      if (eat(',')) {
        ws();
        continue;
      }
      return eat('}');
    }
  }

  // Skips one value of any kind.
  bool skip_value() {
    if (p_ == end_) return false;
    char c = *p_;
    if (c == '"') return skip_string();
    if (c == '{' || c == '[') {
      std::size_t depth = 0;
      while (p_ < end_) {
        c = *p_;
        if (c == '"') {
          if (!skip_string()) return false;
          continue;
        }
        ++p_;
        if (c == '{' || c == '[') {
          ++depth;
        } else if (c == '}' || c == ']') {
          if (--depth == 0) return true;
        }
      }
      return false;
    }
    // A number or a literal: up to the next delimiter.
    const char* start = p_;
    while (p_ < end_ && *p_ != ',' && *p_ != '}' && *p_ != ']' && !space(*p_)) ++p_;
    return p_ > start;
  }

  // p_ at the opening quote; leaves p_ after the closing one and returns the raw contents' end.
  const char* close_quote() {
    const char* q = p_ + 1;
    for (;;) {
      q = static_cast<const char*>(std::memchr(q, '"', static_cast<std::size_t>(end_ - q)));
      if (!q) return nullptr;
      // Escaped when an odd number of backslashes precedes it.
      const char* b = q;
      while (b > p_ + 1 && b[-1] == '\\') --b;
      if ((q - b) % 2 == 0) break;
      ++q;
    }
    p_ = q + 1;
    return q;
  }

  bool skip_string() { return close_quote() != nullptr; }

  // A string at p_: its value in `v`, decoded into `storage` when it holds an escape.
  bool string(std::string_view& v, std::string& storage) {
    if (peek() != '"') return false;
    const char* begin = p_ + 1;
    const char* close = close_quote();
    if (!close) return false;
    std::string_view raw(begin, static_cast<std::size_t>(close - begin));
    if (raw.find('\\') == std::string_view::npos) {
      v = raw;
      return true;
    }
    if (!unescape(raw, storage)) return false;
    v = storage;
    return true;
  }

  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  static bool code_unit(std::string_view s, std::size_t at, std::uint32_t& u) {
    if (at + 4 > s.size()) return false;
    u = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      int h = hex(s[at + i]);
      if (h < 0) return false;
      u = u * 16 + static_cast<std::uint32_t>(h);
    }
    return true;
  }

  static void utf8(std::uint32_t cp, std::string& out) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  static bool unescape(std::string_view raw, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < raw.size(); ++i) {
      char c = raw[i];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (++i == raw.size()) return false;
      switch (raw[i]) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          std::uint32_t u;
          if (!code_unit(raw, i + 1, u)) return false;
          i += 4;
          if (u >= 0xD800 && u <= 0xDBFF) {  // a high surrogate: its low half must follow
            std::uint32_t low;
            if (i + 2 >= raw.size() || raw[i + 1] != '\\' || raw[i + 2] != 'u' ||
                !code_unit(raw, i + 3, low) || low < 0xDC00 || low > 0xDFFF)
              return false;
            i += 6;
            u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
          } else if (u >= 0xDC00 && u <= 0xDFFF) {
            return false;
          }
          utf8(u, out);
          break;
        }
        default:
          return false;
      }
    }
    return true;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word)
      return false;
    const char* after = p_ + word.size();
    if (after < end_ && *after != ',' && *after != '}' && *after != ']' && !space(*after))
      return false;
    p_ = after;
    return true;
  }

  static bool space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
  void ws() {
    while (p_ < end_ && space(*p_)) ++p_;
  }
  char peek() const { return p_ < end_ ? *p_ : '\0'; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++p_;
    return true;
  }

  const char* p_;
  const char* end_;
  reply_fields& out_;
};

}  // namespace

bool scan_reply(std::string_view frame, reply_fields& out) {
  out.valid = false;
  out.type = out.question = out.code = out.first_option = {};
  out.finished = out.recommendation = out.has_options = false;
  out.options = 0;
  out.valid = scanner(frame, out).run();
  return out.valid;
}

}  // namespace bench
