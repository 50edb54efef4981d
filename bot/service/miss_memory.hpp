// Keys looked up in the store and not found there, remembered for a short time, so that a flood
// of the same look-up does not reach the store each time (every turn of a conversation started
// on a framework version that no instance has stored). Bounded: at most `capacity` keys, the
// soonest to expire dropped first. Not thread-safe: its owner locks.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

namespace advisor::bot {

class miss_memory {
 public:
  using clock = std::chrono::steady_clock;
  miss_memory(std::size_t capacity, clock::duration ttl) : capacity_(capacity), ttl_(ttl) {}

  // Whether `key` was remembered missing less than the ttl before `now`.
  bool missing(const std::string& key, clock::time_point now);
  // `key` was looked up at `now` and not found.
  void remember(const std::string& key, clock::time_point now);
  // `key` is there now (stored meanwhile): the next look-up asks the store.
  void forget(const std::string& key) { until_.erase(key); }
  std::size_t size() const { return until_.size(); }

 private:
  std::size_t capacity_;
  clock::duration ttl_;
  std::map<std::string, clock::time_point> until_;  // key -> when it is asked again
};

}  // namespace advisor::bot
