#include "bot/infra/log.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <variant>

#include "bot/infra/utc.hpp"

namespace advisor::log {

namespace {

std::shared_ptr<spdlog::logger>& logger() {
  static std::shared_ptr<spdlog::logger> l = [] {
    auto lg = spdlog::stderr_logger_mt("advisor");
    // The message is already a JSON object; spdlog adds nothing around it but the newline.
    lg->set_pattern("%v");
    lg->set_level(spdlog::level::info);
    return lg;
  }();
  return l;
}

spdlog::level::level_enum to_spd(level l) {
  switch (l) {
    case level::trace:
      return spdlog::level::trace;
    case level::debug:
      return spdlog::level::debug;
    case level::info:
      return spdlog::level::info;
    case level::warn:
      return spdlog::level::warn;
    case level::error:
      return spdlog::level::err;
    case level::off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

const char* name_of(level l) {
  switch (l) {
    case level::trace:
      return "trace";
    case level::debug:
      return "debug";
    case level::info:
      return "info";
    case level::warn:
      return "warn";
    case level::error:
      return "error";
    case level::off:
      return "off";
  }
  return "info";
}

}  // namespace

void set_level(std::string_view name) {
  // spdlog reads any unknown name as "off": a typo would silence every log.
  static constexpr std::string_view names[] = {"trace", "debug", "info", "warn", "error", "off"};
  for (auto n : names)
    if (n == name) return logger()->set_level(spdlog::level::from_str(std::string(name)));
  throw std::invalid_argument("\"" + std::string(name) +
                              "\" is not a log level; use one of trace, debug, info, warn, "
                              "error, off");
}

void to_file(const std::string& path) {
  try {
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path);
    logger()->sinks().assign({sink});
  } catch (const spdlog::spdlog_ex& e) {
    throw std::runtime_error(path + ": cannot open the log file: " + e.what());
  }
}

bool enabled(level l) { return logger()->should_log(to_spd(l)); }

void write(level l, std::string_view event, std::initializer_list<field> fields) {
  if (!enabled(l)) return;
  nlohmann::ordered_json j;
  j["ts"] = utc_now();
  j["level"] = name_of(l);
  j["event"] = event;
  for (const auto& [k, v] : fields)
    std::visit([&j, key = std::string(k)](const auto& x) { j[key] = x; }, v.get());
  logger()->log(to_spd(l), j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace advisor::log
