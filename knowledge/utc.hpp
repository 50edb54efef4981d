// UTC time as text, the one place the advisor formats the clock (logs, stored rows, records).
#pragma once

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace advisor {

// "2026-11-23T05:40:12.345Z" with `millis`, "2026-11-23T05:40:12Z" without; `date_only`: "2026-11-23".
inline std::string utc_now(bool millis = true, bool date_only = false) {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t t = system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&t, &utc);  // std::gmtime shares one buffer between threads
  char buf[40];
  std::strftime(buf, sizeof buf, date_only ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%S", &utc);
  if (date_only) return buf;
  if (!millis) return std::string(buf) + "Z";
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf,
                static_cast<int>(duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000));
  return out;
}

}  // namespace advisor
