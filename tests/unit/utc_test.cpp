// utc_now: the one place the clock becomes text; each thread formats a second once.
#include "bot/infra/utc.hpp"

#include <doctest/doctest.h>

#include <regex>
#include <string>
#include <thread>

TEST_CASE("utc_now: the three shapes - and the same second formatted alike") {
  const std::regex with_millis(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
  const std::regex seconds(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)");
  const std::regex date(R"(\d{4}-\d{2}-\d{2})");
  for (int i = 0; i < 2000; ++i) {  // crosses millisecond (and likely second) boundaries
    std::string a = advisor::utc_now();
    std::string b = advisor::utc_now(false);
    std::string d = advisor::utc_now(false, true);
    REQUIRE(std::regex_match(a, with_millis));
    REQUIRE(std::regex_match(b, seconds));
    REQUIRE(std::regex_match(d, date));
    // Taken one after the other: the same day, and b's second is a's or the next one.
    CHECK((a.substr(0, 10) == d || b.substr(0, 10) == d));
    CHECK(a.substr(0, 19) <= b.substr(0, 19));
  }
  // Another thread has its own remembered second and agrees on the date.
  std::string other;
  std::thread([&] { other = advisor::utc_now(false, true); }).join();
  CHECK(other.size() == 10);
}

TEST_CASE("utc_now agrees with gmtime for the current second") {
  std::time_t before = std::time(nullptr);
  std::string s = advisor::utc_now(false);
  std::time_t after = std::time(nullptr);
  auto format = [](std::time_t t) {
    std::tm utc{};
    gmtime_r(&t, &utc);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return std::string(buf);
  };
  CHECK((s == format(before) || s == format(after)));
}
