// Checks that an interaction request really comes from Discord: an Ed25519 signature (OpenSSL
// EVP, never hand-written) over X-Signature-Timestamp + raw body with the application's public
// key, a timestamp close to now, and no exact replay of a request already accepted.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/common/replay_window.hpp"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace advisor::discord {

// Strict hex: an even number of [0-9a-fA-F]; nothing on anything else.
std::optional<std::vector<unsigned char>> from_hex(std::string_view hex);

// An Ed25519 public key and the check of signatures made with it. Safe to share between threads.
class signature_verifier {
 public:
  // Throws std::invalid_argument when the key is not 64 hex digits (32 bytes) OpenSSL accepts.
  explicit signature_verifier(std::string_view public_key_hex);
  ~signature_verifier();
  signature_verifier(const signature_verifier&) = delete;
  signature_verifier& operator=(const signature_verifier&) = delete;

  // True when `signature_hex` (128 hex digits) signs timestamp + body. False for anything
  // malformed, never an exception.
  bool verify(std::string_view signature_hex, std::string_view timestamp,
              std::string_view body) const;

 private:
  struct key_closer {
    void operator()(evp_pkey_st* key) const;
  };
  std::unique_ptr<evp_pkey_st, key_closer> key_;
};

// Refuses timestamps far from now and signatures already accepted. Every accepted signature
// is remembered until its timestamp has left the window (adapters::replay_window); when
// `capacity` live signatures fill the memory, new requests are refused (`full`) until some
// expire. Thread-safe.
class replay_guard {
 public:
  enum class verdict { fresh, bad_timestamp, bad_signature, out_of_window, replay, full };

  static constexpr std::chrono::seconds default_window{300};
  static constexpr std::size_t default_capacity = adapters::replay_window::default_capacity;

  // `not_before`: see adapters::replay_window (the adapter passes the time it started).
  explicit replay_guard(std::chrono::seconds window = default_window,
                        std::size_t capacity = default_capacity,
                        std::int64_t not_before = INT64_MIN);

  // Call only for a request whose signature verified. `now` is Unix time in seconds.
  verdict check(std::string_view timestamp, std::string_view signature, std::int64_t now);

  // Forgets a signature `check` found fresh: its request was answered 503, not served.
  void forget(std::string_view timestamp, std::string_view signature);

  // Seconds until a `full` memory has room again: the Retry-After.
  std::int64_t retry_after(std::int64_t now) const { return seen_.retry_after(now); }

  // Signatures remembered now.
  std::size_t size() const { return seen_.size(); }

 private:
  std::chrono::seconds window_;
  adapters::replay_window seen_;
};

std::string_view to_string(replay_guard::verdict v);

}  // namespace advisor::discord
