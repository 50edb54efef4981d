// The memory behind "a signed request is served once": every accepted signature is remembered
// until its request's own timestamp has left the acceptance window, when the window check
// refuses a replay by itself. Memory is sized by time, never by forgetting early; a hard cap
// on entries bounds it, and when the cap is reached by live entries new requests are refused
// (`full`: the adapters answer 503) rather than admitted unchecked. Shared by the Slack and
// Discord adapters. Thread-safe: the server's I/O threads share one.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace advisor::adapters {

class replay_window {
 public:
  enum class verdict {
    fresh,          // first time: remembered, serve it
    replay,         // already served
    out_of_window,  // timestamp too far from now, or older than what was already forgotten
    full,           // the memory is full of live entries: refuse for now (503)
    malformed,      // fewer than 32 hex digits of signature
  };

  static constexpr std::size_t default_capacity = 1'000'000;
  static constexpr std::size_t key_bytes = 16;

  // `window_seconds`: a timestamp up to this far from now, either side, is accepted.
  // `not_before`: timestamps below it are refused (out_of_window). The adapters pass the time
  // they started: a request signed before then may have been served by the process before a
  // restart, whose memory is gone, so it cannot be told from a replay.
  explicit replay_window(std::int64_t window_seconds, std::size_t capacity = default_capacity,
                         std::int64_t not_before = INT64_MIN);
  replay_window(const replay_window&) = delete;
  replay_window& operator=(const replay_window&) = delete;

  // Remembers the request signed `signature_hex` (its signature already verified) stamped
  // `timestamp`, at `now`; all three in seconds since the epoch.
  verdict admit(std::string_view signature_hex, std::int64_t timestamp, std::int64_t now);

  // Forgets a signature `admit` took as fresh, stamped `timestamp`: its request was answered
  // 503 (not served), so the same request sent again is served.
  void forget(std::string_view signature_hex, std::int64_t timestamp);

  // Seconds until an entry expires and makes room: the Retry-After for `full` (at least 1).
  std::int64_t retry_after(std::int64_t now) const;

  std::size_t size() const;
  std::size_t capacity() const { return capacity_; }

 private:
  using key = std::array<unsigned char, key_bytes>;
  struct key_hash {
    // The bytes of a verified HMAC or Ed25519 signature are already uniform, and only
    // verified signatures get here, so no one can aim keys at one hash bucket. Both halves
    // count all the same: keys made up by hand (tests) often differ only at one end.
    std::size_t operator()(const key& k) const noexcept {
      std::uint64_t a, b;
      std::memcpy(&a, k.data(), sizeof a);
      std::memcpy(&b, k.data() + sizeof a, sizeof b);
      return static_cast<std::size_t>(a ^ (b * 0x9E3779B97F4A7C15ull));
    }
  };

  void expire(std::int64_t now);

  const std::int64_t window_;
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_set<key, key_hash> seen_;
  // Keys by the second of their request's timestamp: expiry goes by timestamp, so a request
  // stamped in the future keeps only its own entry alive, not the ones that came after it.
  std::map<std::int64_t, std::vector<key>> by_second_;
  // Every timestamp below this may have been forgotten: refused, even if the caller's clock
  // (read on another thread a moment earlier) still puts it inside the window.
  std::int64_t forgotten_below_ = INT64_MIN;
};

std::string_view to_string(replay_window::verdict v);

}  // namespace advisor::adapters
