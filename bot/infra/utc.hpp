// UTC time as text, the one place the advisor formats the clock (logs, stored rows, records).
#pragma once

#include <chrono>
#include <ctime>
#include <string>

namespace advisor {

// "2026-11-23T05:40:12.345Z" with `millis`, "2026-11-23T05:40:12Z" without; `date_only`:
// "2026-11-23".
inline std::string utc_now(bool millis = true, bool date_only = false) {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t t = system_clock::to_time_t(now);
  // Under load every turn asks within the same second: each thread formats a second once.
  thread_local std::time_t formatted = -1;
  thread_local char date[16];
  thread_local char second[24];
  if (t != formatted) {
    std::tm utc{};
    gmtime_r(&t, &utc);  // std::gmtime shares one buffer between threads
    std::strftime(date, sizeof date, "%Y-%m-%d", &utc);
    std::strftime(second, sizeof second, "%Y-%m-%dT%H:%M:%S", &utc);
    formatted = t;
  }
  if (date_only) return date;
  std::string out = second;
  if (!millis) return out + "Z";
  int ms = static_cast<int>(duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000);
  char tail[8] = {'.',
                  static_cast<char>('0' + ms / 100),
                  static_cast<char>('0' + ms / 10 % 10),
                  static_cast<char>('0' + ms % 10),
                  'Z',
                  0};
  return out + tail;
}

}  // namespace advisor
