#include "adapters/web/connection_limits.hpp"

#include <algorithm>

namespace advisor::web {

connection_limits::connection_limits(std::size_t max_total, std::size_t max_per_address,
                                     double bytes_per_second, double byte_burst)
    : max_total_(max_total), max_per_address_(max_per_address) {
  counts_->bytes_per_second = bytes_per_second;
  counts_->byte_burst = byte_burst;
}

std::optional<connection_limits::ticket> connection_limits::admit(const std::string& address,
                                                                  refusal* why) {
  std::lock_guard lock(counts_->mutex);
  auto set = [&](refusal r) {
    if (why) *why = r;
  };
  if (counts_->total >= max_total_) {
    set(refusal::total);
    return std::nullopt;
  }
  auto [it, added] = counts_->per_address.try_emplace(address);
  auto& mine = it->second;
  if (added) {
    mine.bytes = counts_->byte_burst;
    mine.refilled = std::chrono::steady_clock::now();
  }
  if (mine.open >= max_per_address_) {
    set(refusal::per_address);
    return std::nullopt;
  }
  ++mine.open;
  ++counts_->total;
  set(refusal::none);
  return ticket(counts_, address);
}

std::size_t connection_limits::open() const {
  std::lock_guard lock(counts_->mutex);
  return counts_->total;
}

std::size_t connection_limits::open_from(const std::string& address) const {
  std::lock_guard lock(counts_->mutex);
  auto it = counts_->per_address.find(address);
  return it == counts_->per_address.end() ? 0 : it->second.open;
}

void connection_limits::ticket::release() {
  if (!counts_) return;
  std::lock_guard lock(counts_->mutex);
  --counts_->total;
  auto it = counts_->per_address.find(address_);
  // The address's budget goes with its last connection: reconnecting refills it, but only
  // after every connection from it has closed.
  if (it != counts_->per_address.end() && --it->second.open == 0) counts_->per_address.erase(it);
  counts_.reset();
}

bool connection_limits::ticket::take_bytes(std::size_t n) {
  if (!counts_) return true;
  std::lock_guard lock(counts_->mutex);
  auto it = counts_->per_address.find(address_);
  if (it == counts_->per_address.end()) return true;
  auto& a = it->second;
  auto now = std::chrono::steady_clock::now();
  double elapsed = std::chrono::duration<double>(now - a.refilled).count();
  a.refilled = now;
  a.bytes = std::min(counts_->byte_burst, a.bytes + elapsed * counts_->bytes_per_second);
  bool ok = a.bytes >= static_cast<double>(n);
  a.bytes = std::max(0.0, a.bytes - static_cast<double>(n));
  return ok;
}

connection_limits::ticket& connection_limits::ticket::operator=(ticket&& other) noexcept {
  if (this != &other) {
    release();
    counts_ = std::move(other.counts_);
    address_ = std::move(other.address_);
  }
  return *this;
}

connection_limits::ticket::~ticket() { release(); }

}  // namespace advisor::web
