// Structured logs: one JSON object a line on stderr, with a level, an event name and fields
// (a request or conversation id where there is one). Never pass a secret as a field.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace advisor::log {

enum class level { trace, debug, info, warn, error, off };

// Sets the lowest level written; "trace", "debug", "info", "warn", "error" or "off".
void set_level(std::string_view name);
bool enabled(level l);

using field = std::pair<std::string_view, std::string>;
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
