#include "adapters/web/connection_limits.hpp"

namespace advisor::web {

connection_limits::connection_limits(std::size_t max_total, std::size_t max_per_address)
    : max_total_(max_total), max_per_address_(max_per_address) {}

std::optional<connection_limits::ticket> connection_limits::admit(const std::string& address, refusal* why) {
  std::lock_guard lock(counts_->mutex);
  auto set = [&](refusal r) {
    if (why) *why = r;
  };
  if (counts_->total >= max_total_) {
    set(refusal::total);
    return std::nullopt;
  }
  auto& mine = counts_->per_address[address];
  if (mine >= max_per_address_) {
    set(refusal::per_address);
    return std::nullopt;
  }
  ++mine;
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
  return it == counts_->per_address.end() ? 0 : it->second;
}

void connection_limits::ticket::release() {
  if (!counts_) return;
  std::lock_guard lock(counts_->mutex);
  --counts_->total;
  auto it = counts_->per_address.find(address_);
  if (it != counts_->per_address.end() && --it->second == 0) counts_->per_address.erase(it);
  counts_.reset();
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
