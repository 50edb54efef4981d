#include "bot/service/miss_memory.hpp"

#include <algorithm>

namespace advisor::bot {

bool miss_memory::missing(const std::string& key, clock::time_point now) {
  auto it = until_.find(key);
  if (it == until_.end()) return false;
  if (now < it->second) return true;
  until_.erase(it);
  return false;
}

void miss_memory::remember(const std::string& key, clock::time_point now) {
  if (capacity_ == 0) return;
  if (until_.size() >= capacity_ && !until_.count(key)) {
    std::erase_if(until_, [now](const auto& kept) { return kept.second <= now; });
    if (until_.size() >= capacity_)
      until_.erase(std::min_element(until_.begin(), until_.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      }));
  }
  until_[key] = now + ttl_;
}

}  // namespace advisor::bot
