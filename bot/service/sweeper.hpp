// Conversations expire: a background thread that, every `every`, deletes the conversations
// idle for longer than `idle` (service::expire_idle: with their events and bindings, in short
// batches between the turns' commits). The clock can be injected, and sweep_once runs a pass on
// the caller's thread, so tests need no waiting.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>

#include "bot/service/service.hpp"

namespace advisor::bot {

class sweeper {
 public:
  using clock_fn = std::function<std::chrono::system_clock::time_point()>;
  static constexpr std::chrono::minutes default_every{10};
  static constexpr std::size_t batch = 100;  // conversations a transaction deletes at most

  // Starts the thread; its first pass runs at once.
  sweeper(
      service& svc, std::chrono::seconds idle, std::chrono::seconds every = default_every,
      clock_fn now = [] { return std::chrono::system_clock::now(); });
  ~sweeper();  // stops the thread (a pass under way finishes its batch first)
  sweeper(const sweeper&) = delete;
  sweeper& operator=(const sweeper&) = delete;

  // One pass now, on this thread: how many conversations it deleted.
  std::size_t sweep_once();
  // Passes the thread has finished (each one logged).
  std::size_t passes() const;
  // Blocks until the thread has finished `n` passes (for tests: no sleeping, no timing).
  void wait_for_passes(std::size_t n) const;

 private:
  void loop();

  service& svc_;
  std::chrono::seconds idle_;
  std::chrono::seconds every_;
  clock_fn now_;
  mutable std::mutex mutex_;
  mutable std::condition_variable wake_;
  bool stopping_ = false;
  std::size_t passes_ = 0;
  std::thread thread_;
};

}  // namespace advisor::bot
