// Structured logs: one JSON object a line on stderr, with a level, an event name and fields
// (a request or conversation id where there is one). Numbers and booleans are written as JSON
// numbers and booleans. Never pass a secret as a field.
#pragma once

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace advisor::log {

enum class level { trace, debug, info, warn, error, off };

// Sets the lowest level written; "trace", "debug", "info", "warn", "error" or "off".
// Throws std::invalid_argument for any other name.
void set_level(std::string_view name);
bool enabled(level l);
// From now on, lines go to this file (appended) instead of stderr: the terminal chat keeps
// the terminal for the conversation. Throws std::runtime_error when the file cannot be opened.
void to_file(const std::string& path);

// A field's value: text, a whole number, a number or a boolean.
class value {
 public:
  value(std::string s) : v_(std::move(s)) {}
  value(std::string_view s) : v_(std::string(s)) {}
  value(const char* s) : v_(std::string(s)) {}
  value(bool b) : v_(b) {}
  template <std::signed_integral T>
  value(T n) : v_(static_cast<std::int64_t>(n)) {}
  template <std::unsigned_integral T>  // a bool takes value(bool): a non-template wins
  value(T n) : v_(static_cast<std::uint64_t>(n)) {}
  value(double d) : v_(d) {}
  const std::variant<std::string, std::int64_t, std::uint64_t, double, bool>& get() const {
    return v_;
  }

 private:
  std::variant<std::string, std::int64_t, std::uint64_t, double, bool> v_;
};

using field = std::pair<std::string_view, value>;
void write(level l, std::string_view event, std::initializer_list<field> fields = {});

inline void debug(std::string_view event, std::initializer_list<field> f = {}) {
  write(level::debug, event, f);
}
inline void info(std::string_view event, std::initializer_list<field> f = {}) {
  write(level::info, event, f);
}
inline void warn(std::string_view event, std::initializer_list<field> f = {}) {
  write(level::warn, event, f);
}
inline void error(std::string_view event, std::initializer_list<field> f = {}) {
  write(level::error, event, f);
}

}  // namespace advisor::log
