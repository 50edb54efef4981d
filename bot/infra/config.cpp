#include "bot/infra/config.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace advisor::bot {

using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& file, int line, const std::string& problem) {
  throw config_error(file + (line > 0 ? ":" + std::to_string(line) : "") + ": " + problem);
}

int line_of_key(const std::string& text, const std::string& key) {
  auto pos = text.find("\"" + key + "\"");
  if (pos == std::string::npos) return 0;
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
}

template <typename T>
void read(const json& j, const char* key, T& out, const std::string& file,
          const std::string& text) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  try {
    out = it->get<T>();
  } catch (const json::exception&) {
    fail(file, line_of_key(text, key), std::string("\"") + key + "\" has the wrong type");
  }
}

// A whole number from `lo` to `hi` (a number written with a fraction of zero, 8080.0, counts).
// Not read with get<T>(): converting 1e30 to an integer is undefined behaviour and -1 read as
// unsigned wraps around to 4294967295.
template <typename T>
void read_whole(const json& j, const char* key, T& out, std::int64_t lo, std::int64_t hi,
                const std::string& file, const std::string& text) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  bool ok = false;
  std::int64_t v = 0;
  if (it->is_number_unsigned()) {
    auto u = it->get<std::uint64_t>();
    ok = u <= static_cast<std::uint64_t>(hi) && static_cast<std::int64_t>(u) >= lo;
    v = ok ? static_cast<std::int64_t>(u) : 0;
  } else if (it->is_number_integer()) {
    v = it->get<std::int64_t>();
    ok = v >= lo && v <= hi;
  } else if (it->is_number_float()) {
    double d = it->get<double>();
    ok = std::trunc(d) == d && d >= static_cast<double>(lo) && d <= static_cast<double>(hi);
    v = ok ? static_cast<std::int64_t>(d) : 0;
  } else {
    fail(file, line_of_key(text, key), std::string("\"") + key + "\" has the wrong type");
  }
  if (!ok)
    fail(file, line_of_key(text, key),
         std::string("\"") + key + "\" must be a whole number from " + std::to_string(lo) + " to " +
             std::to_string(hi));
  out = static_cast<T>(v);
}

void env(const char* name, std::string& out) {
  if (const char* v = std::getenv(name); v && *v) out = v;
}

// The keys a config file may hold, at the top and in "slack" and "discord".
const std::vector<std::string> top_keys{"host",
                                        "port",
                                        "data_dir",
                                        "database_url",
                                        "framework_file",
                                        "knowledge_file",
                                        "frameworks_dir",
                                        "log_level",
                                        "threads",
                                        "allowed_origins",
                                        "messages_per_second",
                                        "message_burst",
                                        "idle_timeout_seconds",
                                        "request_timeout_seconds",
                                        "conversation_idle_days",
                                        "turn_threads",
                                        "bytes_per_second",
                                        "byte_burst",
                                        "bytes_per_second_per_ip",
                                        "byte_burst_per_ip",
                                        "max_outgoing_bytes",
                                        "max_connections",
                                        "max_connections_per_ip",
                                        "frame_ancestors",
                                        "slack",
                                        "discord"};
const std::vector<std::string> slack_keys{"signing_secret",    "bot_token",
                                          "api_url",           "webhook_url",
                                          "job_lease_seconds", "job_sweep_seconds"};
const std::vector<std::string> discord_keys{"public_key", "app_id", "bot_token", "api_url",
                                            "webhook_url"};

// A typo would otherwise be ignored and its default used (a server on the wrong port): every
// key must be known, and the nearest known one is suggested.
void check_keys(const json& j, const std::vector<std::string>& known, const std::string& where,
                const std::string& file, const std::string& text) {
  for (const auto& item : j.items()) {
    const std::string& key = item.key();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string problem = "unknown key \"" + key + "\"" + where;
    std::string near = nearest_key(key, known);
    if (!near.empty()) problem += " (did you mean \"" + near + "\"?)";
    fail(file, line_of_key(text, key), problem);
  }
}

}  // namespace

bool valid_log_level(const std::string& level) {
  static const std::vector<std::string> levels{"trace", "debug", "info", "warn", "error", "off"};
  return std::find(levels.begin(), levels.end(), level) != levels.end();
}

std::string nearest_key(const std::string& key, const std::vector<std::string>& known) {
  // Levenshtein distance, one row at a time; a suggestion must be within a third of the key.
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        std::size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = up;
      }
    }
    return row[b.size()];
  };
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, (key.size() + 2) / 3) + 1;
  for (const auto& k : known)
    if (auto d = distance(key, k); d < best_distance) {
      best = k;
      best_distance = d;
    }
  return best;
}

config load_config(const std::string& file) {
  config c;
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error(file + ": cannot read the config file");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    json j;
    try {
      j = json::parse(text);
    } catch (const json::parse_error& e) {
      std::size_t pos = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
      int line = 1 + static_cast<int>(
                         std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
      fail(file, line, "not valid JSON");
    } catch (const json::exception&) {
      // A number too large for a double ("1e400") is out_of_range, not a parse_error (found by
      // fuzz_loader: it escaped the loader).
      fail(file, 0, "not valid JSON: a number is too large");
    }
    if (!j.is_object()) fail(file, 1, "a config file must hold one JSON object");
    c.source = file;
    check_keys(j, top_keys, "", file, text);
    for (const auto& [name, keys] : {std::pair{"slack", &slack_keys}, {"discord", &discord_keys}})
      if (auto it = j.find(name); it != j.end() && !it->is_null()) {
        if (!it->is_object())
          fail(file, line_of_key(text, name), std::string("\"") + name + "\" must be an object");
        check_keys(*it, *keys, std::string(" in \"") + name + "\"", file, text);
      }
    read(j, "host", c.host, file, text);
    read_whole(j, "port", c.port, 0, 65535, file, text);
    read(j, "data_dir", c.data_dir, file, text);
    read(j, "database_url", c.database_url, file, text);
    read(j, "framework_file", c.framework_file, file, text);
    read(j, "knowledge_file", c.knowledge_file, file, text);
    read(j, "frameworks_dir", c.frameworks_dir, file, text);
    read(j, "log_level", c.log_level, file, text);
    read_whole(j, "threads", c.threads, 1, 256, file, text);
    read(j, "allowed_origins", c.allowed_origins, file, text);
    read(j, "messages_per_second", c.messages_per_second, file, text);
    read(j, "message_burst", c.message_burst, file, text);
    read_whole(j, "idle_timeout_seconds", c.idle_timeout_seconds, 0,
               std::numeric_limits<unsigned>::max(), file, text);
    read_whole(j, "request_timeout_seconds", c.request_timeout_seconds, 0,
               std::numeric_limits<unsigned>::max(), file, text);
    read_whole(j, "conversation_idle_days", c.conversation_idle_days, 0, 36500, file, text);
    read_whole(j, "turn_threads", c.turn_threads, 1, 256, file, text);
    read(j, "bytes_per_second", c.bytes_per_second, file, text);
    read(j, "byte_burst", c.byte_burst, file, text);
    read(j, "bytes_per_second_per_ip", c.bytes_per_second_per_ip, file, text);
    read(j, "byte_burst_per_ip", c.byte_burst_per_ip, file, text);
    read_whole(j, "max_outgoing_bytes", c.max_outgoing_bytes, 4096, std::int64_t{1} << 40, file,
               text);
    read_whole(j, "max_connections", c.max_connections, 1, 10000000, file, text);
    read_whole(j, "max_connections_per_ip", c.max_connections_per_ip, 1, 10000000, file, text);
    read(j, "frame_ancestors", c.frame_ancestors, file, text);
    for (const auto& [key, value] :
         {std::pair{"bytes_per_second", c.bytes_per_second}, std::pair{"byte_burst", c.byte_burst},
          std::pair{"bytes_per_second_per_ip", c.bytes_per_second_per_ip},
          std::pair{"byte_burst_per_ip", c.byte_burst_per_ip}})
      if (!(value > 0))
        fail(file, line_of_key(text, key), std::string("\"") + key + "\" must be a number above 0");
    if (c.frame_ancestors.find_first_of(";,\r\n") != std::string::npos || c.frame_ancestors.empty())
      fail(file, line_of_key(text, "frame_ancestors"),
           "\"frame_ancestors\" must be CSP sources separated by spaces ('none', 'self', "
           "https://portal.example)");
    if (auto s = j.find("slack"); s != j.end() && s->is_object()) {
      read(*s, "signing_secret", c.slack.signing_secret, file, text);
      read(*s, "bot_token", c.slack.bot_token, file, text);
      read(*s, "api_url", c.slack.api_url, file, text);
      read(*s, "webhook_url", c.slack.webhook_url, file, text);
      read_whole(*s, "job_lease_seconds", c.slack.job_lease_seconds, 1, 86400, file, text);
      read_whole(*s, "job_sweep_seconds", c.slack.job_sweep_seconds, 1, 86400, file, text);
    }
    if (auto d = j.find("discord"); d != j.end() && d->is_object()) {
      read(*d, "public_key", c.discord.public_key, file, text);
      read(*d, "app_id", c.discord.app_id, file, text);
      read(*d, "bot_token", c.discord.bot_token, file, text);
      read(*d, "api_url", c.discord.api_url, file, text);
      read(*d, "webhook_url", c.discord.webhook_url, file, text);
    }
    if (!valid_log_level(c.log_level))
      fail(file, line_of_key(text, "log_level"),
           "\"log_level\" must be one of trace, debug, info, warn, error, off");
  }
  env("ADVISOR_DATA_DIR", c.data_dir);
  env("ADVISOR_LOG_LEVEL", c.log_level);
  env("ADVISOR_DATABASE_URL", c.database_url);
  // Unknown to spdlog, a level would switch every log off.
  if (!valid_log_level(c.log_level))
    throw config_error("ADVISOR_LOG_LEVEL: \"" + c.log_level +
                       "\" is not a log level; use one of trace, debug, info, warn, error, off");
  env("ADVISOR_SLACK_SIGNING_SECRET", c.slack.signing_secret);
  env("ADVISOR_SLACK_BOT_TOKEN", c.slack.bot_token);
  env("ADVISOR_SLACK_API_URL", c.slack.api_url);
  env("ADVISOR_SLACK_WEBHOOK_URL", c.slack.webhook_url);
  env("ADVISOR_DISCORD_PUBLIC_KEY", c.discord.public_key);
  env("ADVISOR_DISCORD_APP_ID", c.discord.app_id);
  env("ADVISOR_DISCORD_BOT_TOKEN", c.discord.bot_token);
  env("ADVISOR_DISCORD_API_URL", c.discord.api_url);
  env("ADVISOR_DISCORD_WEBHOOK_URL", c.discord.webhook_url);
  return c;
}

}  // namespace advisor::bot
