// The replay memory shared by the Slack and Discord adapters: a signature is refused as a
// replay for as long as its timestamp is inside the window, however many came after it;
// expiry goes by each request's own timestamp; a full memory refuses (fail closed) instead
// of forgetting.
#include "adapters/common/replay_window.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

using advisor::adapters::replay_window;
using verdict = replay_window::verdict;

namespace {

constexpr std::int64_t window = 300;

// 64 hex digits (an HMAC-SHA256) whose first 32, the part the memory keys on, encode `n`.
std::string sig(unsigned long long n) {
  char head[33];
  std::snprintf(head, sizeof head, "%016llx%016llx", n * 0x9E3779B97F4A7C15ull, n);
  return std::string(head) + std::string(32, 'a');
}

}  // namespace

TEST_SUITE("replay window") {
  TEST_CASE("a replay inside the window is refused - past it the window check refuses it") {
    replay_window w(window);
    CHECK(w.admit(sig(1), 1000, 1000) == verdict::fresh);
    CHECK(w.admit(sig(1), 1000, 1001) == verdict::replay);
    CHECK(w.admit(sig(1), 1000, 1300) == verdict::replay);  // the last second of its window
    CHECK(w.size() == 1);
    CHECK(w.admit(sig(1), 1000, 1301) == verdict::out_of_window);
    // The next request expires it: nothing is kept past its window.
    CHECK(w.admit(sig(2), 1301, 1301) == verdict::fresh);
    CHECK(w.size() == 1);
  }

  TEST_CASE("timestamps too far from now are refused either way and not remembered") {
    replay_window w(window);
    CHECK(w.admit(sig(1), 699, 1000) == verdict::out_of_window);
    CHECK(w.admit(sig(2), 1301, 1000) == verdict::out_of_window);
    CHECK(w.size() == 0);
    CHECK(w.admit(sig(3), 700, 1000) == verdict::fresh);
    CHECK(w.admit(sig(4), 1300, 1000) == verdict::fresh);
  }

  TEST_CASE("a forgotten signature (its request answered 503) is fresh again - others stay") {
    replay_window w(window);
    CHECK(w.admit(sig(1), 1000, 1000) == verdict::fresh);
    CHECK(w.admit(sig(2), 1000, 1000) == verdict::fresh);
    w.forget(sig(1), 1000);
    CHECK(w.size() == 1);
    CHECK(w.admit(sig(2), 1000, 1001) == verdict::replay);
    CHECK(w.admit(sig(1), 1000, 1001) == verdict::fresh);
    CHECK(w.admit(sig(1), 1000, 1002) == verdict::replay);
    // A wrong timestamp, a signature never admitted or malformed: nothing is forgotten.
    w.forget(sig(1), 999);
    w.forget(sig(3), 1000);
    w.forget("xyz", 1000);
    CHECK(w.size() == 2);
    CHECK(w.admit(sig(1), 1000, 1003) == verdict::replay);
  }

  TEST_CASE("hex case cannot make a signature look new") {
    replay_window w(window);
    std::string lower = sig(7);
    std::string upper = lower;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    REQUIRE(upper != lower);
    CHECK(w.admit(lower, 1000, 1000) == verdict::fresh);
    CHECK(w.admit(upper, 1000, 1000) == verdict::replay);
    CHECK(w.size() == 1);
  }

  TEST_CASE("fewer than 32 hex digits - or not hex - is malformed and not remembered") {
    replay_window w(window);
    CHECK(w.admit("abcdef", 1000, 1000) == verdict::malformed);
    CHECK(w.admit(std::string(31, 'a'), 1000, 1000) == verdict::malformed);
    CHECK(w.admit(std::string(31, 'a') + "g", 1000, 1000) == verdict::malformed);
    CHECK(w.admit(std::string(32, 'a'), 1000, 1000) == verdict::fresh);
    CHECK(w.size() == 1);
  }

  TEST_CASE("expiry goes by each timestamp: out of order and future timestamps") {
    replay_window w(window);
    // A request stamped 300 s ahead (a fast clock), then ones stamped now and a bit earlier.
    CHECK(w.admit(sig(1), 1300, 1000) == verdict::fresh);
    CHECK(w.admit(sig(2), 1000, 1000) == verdict::fresh);
    CHECK(w.admit(sig(3), 990, 1001) == verdict::fresh);
    CHECK(w.admit(sig(4), 995, 1001) == verdict::fresh);
    CHECK(w.size() == 4);
    // At 1291 the one stamped 990 has left the window; the later ones are still refused.
    CHECK(w.admit(sig(5), 1291, 1291) == verdict::fresh);
    CHECK(w.size() == 4);
    CHECK(w.admit(sig(3), 990, 1289) == verdict::out_of_window);  // forgotten: never fresh
    CHECK(w.admit(sig(4), 995, 1291) == verdict::replay);
    CHECK(w.admit(sig(2), 1000, 1291) == verdict::replay);
    // At 1301 the ones stamped 995 and 1000 go too, though the future one was accepted first.
    CHECK(w.admit(sig(6), 1301, 1301) == verdict::fresh);
    CHECK(w.size() == 3);  // stamped 1300, 1291, 1301
    CHECK(w.admit(sig(1), 1300, 1600) == verdict::replay);
    CHECK(w.admit(sig(1), 1300, 1601) == verdict::out_of_window);
    CHECK(w.admit(sig(7), 1601, 1601) == verdict::fresh);
    CHECK(w.size() == 2);  // stamped 1301, 1601
  }

  TEST_CASE("a timestamp already forgotten is refused even by a caller whose clock lags") {
    // Two threads read the clock a second apart; the later one expired second 700. The
    // earlier one still has 700 inside its window, but must not take it for new.
    replay_window w(window);
    CHECK(w.admit(sig(1), 700, 1000) == verdict::fresh);
    CHECK(w.admit(sig(2), 1001, 1001) == verdict::fresh);
    CHECK(w.admit(sig(1), 700, 1000) == verdict::out_of_window);
    CHECK(w.admit(sig(3), 700, 1000) == verdict::out_of_window);
    CHECK(w.admit(sig(4), 701, 1000) == verdict::fresh);
  }

  TEST_CASE("the first of 200000 signatures is still refused when replayed inside its window") {
    // The old memories forgot the oldest past 100,000 (Slack) or 20,000 (Discord) entries.
    replay_window w(window);
    const std::int64_t start = 1'700'000'000;
    constexpr unsigned long long n = 200'000;
    for (unsigned long long i = 0; i < n; ++i) {
      std::int64_t now = start + static_cast<std::int64_t>(i / 1000);  // 1,000 a second
      REQUIRE(w.admit(sig(i), now, now) == verdict::fresh);
    }
    CHECK(w.size() == n);
    const std::int64_t later = start + 199;
    CHECK(w.admit(sig(0), start, later) == verdict::replay);
    CHECK(w.admit(sig(n / 2), start + 100, later) == verdict::replay);
    CHECK(w.admit(sig(n - 1), start + 199, later) == verdict::replay);
    // Once the first second has left the window, its thousand entries go, and only those.
    CHECK(w.admit(sig(n), start + window + 1, start + window + 1) == verdict::fresh);
    CHECK(w.size() == n - 1000 + 1);
  }

  TEST_CASE("full of live entries: new requests are refused - never admitted by forgetting") {
    replay_window w(window, 3);
    CHECK(w.capacity() == 3);
    CHECK(w.admit(sig(1), 1000, 1000) == verdict::fresh);
    CHECK(w.admit(sig(2), 1010, 1010) == verdict::fresh);
    CHECK(w.admit(sig(3), 1020, 1020) == verdict::fresh);
    CHECK(w.admit(sig(4), 1020, 1020) == verdict::full);
    CHECK(w.admit(sig(1), 1000, 1020) == verdict::replay);  // still remembered, still refused
    CHECK(w.size() == 3);
    // The oldest leaves at 1301: that is the wait.
    CHECK(w.retry_after(1020) == 281);
    CHECK(w.admit(sig(4), 1300, 1300) == verdict::full);
    CHECK(w.retry_after(1300) == 1);
    CHECK(w.admit(sig(4), 1301, 1301) == verdict::fresh);
    CHECK(w.admit(sig(5), 1301, 1301) == verdict::full);
    CHECK(w.admit(sig(2), 1010, 1301) == verdict::replay);
  }

  TEST_CASE("threads admitting the same signature: exactly one is fresh") {
    replay_window w(window);
    std::atomic<int> fresh{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        for (unsigned long long i = 0; i < 2000; ++i) {
          if (w.admit(sig(i), 1000, 1000) == verdict::fresh) ++fresh;
          w.admit(sig(100000 + t * 10000 + i), 1000, 1000);
        }
      });
    for (auto& th : threads) th.join();
    CHECK(fresh == 2000);
    CHECK(w.size() == 2000 + 4 * 2000);
  }
}

TEST_CASE(
    "replay_window: nothing signed before not_before is taken - so a restart cannot be used to "
    "replay") {
  // The adapters pass the time they started: what was signed before may have been served by
  // the process before a restart, whose memory is gone.
  replay_window w(300, 100, 1000);
  const std::string sig(64, 'a');
  CHECK(w.admit(sig, 999, 1000) == verdict::out_of_window);
  CHECK(w.admit(sig, 700, 1000) == verdict::out_of_window);
  CHECK(w.admit(sig, 1000, 1000) == verdict::fresh);
  CHECK(w.admit(sig, 1000, 1001) == verdict::replay);
}
