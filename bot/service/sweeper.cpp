#include "bot/service/sweeper.hpp"

#include <exception>
#include <string>

#include "bot/infra/log.hpp"

namespace advisor::bot {

sweeper::sweeper(service& svc, std::chrono::seconds idle, std::chrono::seconds every, clock_fn now)
    : svc_(svc), idle_(idle), every_(every), now_(std::move(now)) {
  thread_ = std::thread([this] { loop(); });
}

sweeper::~sweeper() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::size_t sweeper::sweep_once() { return svc_.expire_idle(now_() - idle_, batch); }

std::size_t sweeper::passes() const {
  std::lock_guard lock(mutex_);
  return passes_;
}

void sweeper::wait_for_passes(std::size_t n) const {
  std::unique_lock lock(mutex_);
  wake_.wait(lock, [&] { return passes_ >= n; });
}

void sweeper::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      std::size_t gone = sweep_once();
      if (gone > 0) log::info("conversations_expired", {{"count", gone}});
    } catch (const std::exception& e) {
      // A busy or failing database: the next pass tries again.
      log::error("expiry_failed", {{"error", e.what()}});
    }
    lock.lock();
    ++passes_;
    wake_.notify_all();
    wake_.wait_for(lock, every_, [this] { return stopping_; });
  }
}

}  // namespace advisor::bot
