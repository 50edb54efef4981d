// A bounded set of recently seen keys, each forgotten after a time to live: Events API
// event_ids (Slack's retries), clicked messages (double clicks). When full, the oldest key
// goes: a forgotten retry or click is done twice, which is harmless. (Request signatures,
// where forgetting early would let a replay through, are in adapters::replay_window.)
// Thread-safe: the server's I/O threads share one. Kept in memory: Slack retries within
// minutes, and a restart within those minutes is the accepted gap.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>

namespace advisor::slack {

class seen_set {
 public:
  seen_set(std::int64_t ttl_seconds, std::size_t capacity)
      : ttl_(ttl_seconds), capacity_(capacity) {}

  // Records `key` at time `now`; false when it was already there and has not expired.
  bool insert(const std::string& key, std::int64_t now) {
    std::lock_guard lock(mutex_);
    expire(now);
    auto it = expiry_.find(key);
    if (it != expiry_.end()) return false;
    if (expiry_.size() >= capacity_) {  // full of live keys: the oldest goes first
      auto oldest = order_.begin();
      expiry_.erase(oldest->second);
      order_.erase(oldest);
    }
    expiry_.emplace(key, now + ttl_);
    order_.emplace(now + ttl_, key);
    return true;
  }

  // Forgets `key`, so that a job that failed before doing anything can be tried again.
  void erase(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = expiry_.find(key);
    if (it == expiry_.end()) return;
    order_.erase({it->second, key});
    expiry_.erase(it);
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return expiry_.size();
  }

 private:
  void expire(std::int64_t now) {
    while (!order_.empty() && order_.begin()->first <= now) {
      expiry_.erase(order_.begin()->second);
      order_.erase(order_.begin());
    }
  }

  std::int64_t ttl_;
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::map<std::string, std::int64_t> expiry_;
  std::set<std::pair<std::int64_t, std::string>> order_;
};

}  // namespace advisor::slack
