#include "adapters/common/replay_window.hpp"

#include <algorithm>
#include <optional>

namespace advisor::adapters {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The key is the first 16 bytes of the decoded signature: decoding first means hex case
// cannot make a signature look new. The timestamp is left out on purpose: both schemes sign
// it (Slack: HMAC over "v0:" + timestamp + ":" + body; Discord: Ed25519 over timestamp +
// body), so signature bytes that verify belong to one timestamp only, and a key that
// identifies the signature already identifies (timestamp, signature). 128 bits of an HMAC or
// Ed25519 signature do not collide by chance, and no one without the secret or key can make
// one collide on purpose.
template <std::size_t N>
std::optional<std::array<unsigned char, N>> decode_prefix(std::string_view hex) {
  if (hex.size() < 2 * N) return std::nullopt;
  std::array<unsigned char, N> out{};
  for (std::size_t i = 0; i < N; ++i) {
    int hi = hex_value(hex[2 * i]);
    int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace

replay_window::replay_window(std::int64_t window_seconds, std::size_t capacity,
                             std::int64_t not_before)
    : window_(std::max<std::int64_t>(window_seconds, 0)),
      capacity_(capacity),
      forgotten_below_(not_before) {}

replay_window::verdict replay_window::admit(std::string_view signature_hex, std::int64_t timestamp,
                                            std::int64_t now) {
  auto k = decode_prefix<key_bytes>(signature_hex);
  if (!k) return verdict::malformed;
  if (timestamp < now - window_ || timestamp > now + window_) return verdict::out_of_window;
  std::lock_guard lock(mutex_);
  expire(now);
  if (timestamp < forgotten_below_) return verdict::out_of_window;
  if (seen_.contains(*k)) return verdict::replay;
  if (seen_.size() >= capacity_) return verdict::full;
  seen_.insert(*k);
  by_second_[timestamp].push_back(*k);
  return verdict::fresh;
}

void replay_window::forget(std::string_view signature_hex, std::int64_t timestamp) {
  auto k = decode_prefix<key_bytes>(signature_hex);
  if (!k) return;
  std::lock_guard lock(mutex_);
  auto second = by_second_.find(timestamp);
  if (second == by_second_.end()) return;  // never admitted, or already expired
  auto& keys = second->second;
  auto it = std::find(keys.begin(), keys.end(), *k);
  if (it == keys.end()) return;
  keys.erase(it);
  if (keys.empty()) by_second_.erase(second);
  seen_.erase(*k);
}

void replay_window::expire(std::int64_t now) {
  // An entry may go once its timestamp is older than the window: the window check refuses
  // its replay from then on.
  while (!by_second_.empty() && by_second_.begin()->first < now - window_) {
    auto first = by_second_.begin();
    for (const auto& k : first->second) seen_.erase(k);
    forgotten_below_ = std::max(forgotten_below_, first->first + 1);
    by_second_.erase(first);
  }
}

std::int64_t replay_window::retry_after(std::int64_t now) const {
  std::lock_guard lock(mutex_);
  if (by_second_.empty()) return 1;
  return std::max<std::int64_t>(1, by_second_.begin()->first + window_ + 1 - now);
}

std::size_t replay_window::size() const {
  std::lock_guard lock(mutex_);
  return seen_.size();
}

std::string_view to_string(replay_window::verdict v) {
  switch (v) {
    case replay_window::verdict::fresh:
      return "fresh";
    case replay_window::verdict::replay:
      return "replay";
    case replay_window::verdict::out_of_window:
      return "out_of_window";
    case replay_window::verdict::full:
      return "full";
    case replay_window::verdict::malformed:
      return "malformed";
  }
  return "unknown";
}

}  // namespace advisor::adapters
