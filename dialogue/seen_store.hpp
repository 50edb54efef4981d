// What the chat platforms' endpoints have already handled, shared by every instance on one
// database: Slack request signatures and Discord's (replays), Slack event ids (Slack's
// retries) and clicked messages (double clicks). Each key is remembered until its expiry.
// Without a shared database each process keeps this in memory (adapters::replay_window,
// slack::seen_set); with one, a retry or a replay that reaches another instance is known
// there too.
#pragma once

#include <cstdint>
#include <string>

namespace advisor::dialogue {

class seen_store {
 public:
  enum class outcome {
    first,        // not seen before (or expired): now remembered until `expires_at`
    seen,         // already remembered and not expired
    unavailable,  // the store cannot be reached: refuse the request (fail closed)
  };
  virtual ~seen_store() = default;
  // Remembers `key` until `expires_at` (seconds since the epoch), if not already there at
  // `now`.
  virtual outcome remember(const std::string& key, std::int64_t expires_at, std::int64_t now) = 0;
  // Forgets `key` (a job that failed before it changed anything may be tried again).
  virtual void forget(const std::string& key) = 0;
};

}  // namespace advisor::dialogue
