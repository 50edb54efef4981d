#include "adapters/common/worker_pool.hpp"

#include <exception>

#include "bot/infra/log.hpp"

namespace advisor::adapters {

worker_pool::worker_pool(unsigned threads, failure_fn on_failure)
    : on_failure_(std::move(on_failure)) {
  if (threads == 0) threads = 1;
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

worker_pool::~worker_pool() {
  drain();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void worker_pool::post(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void worker_pool::post(const std::string& key, std::function<void()> job) {
  std::unique_lock lock(mutex_);
  auto it = keyed_.find(key);
  if (it != keyed_.end()) {  // a job with this key is running or queued: wait behind it
    it->second.push_back(std::move(job));
    return;
  }
  keyed_.emplace(key, std::deque<std::function<void()>>{});
  jobs_.push_back([this, key, job = std::move(job)] { run_keyed(key, job); });
  lock.unlock();
  wake_.notify_one();
}

void worker_pool::run_keyed(const std::string& key, const std::function<void()>& job) {
  try {
    job();
  } catch (const std::exception& e) {
    failed(e.what());  // as in run(); the key must still move on
  } catch (...) {
    failed("an exception that is not a std::exception");
  }
  finish_keyed(key);
}

void worker_pool::finish_keyed(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = keyed_.find(key);
  if (it == keyed_.end()) return;
  if (it->second.empty()) {
    keyed_.erase(it);
    return;
  }
  auto next = std::move(it->second.front());
  it->second.pop_front();
  jobs_.push_back([this, key, next = std::move(next)] { run_keyed(key, next); });
  wake_.notify_one();
}

void worker_pool::failed(std::string_view what) const {
  if (on_failure_)
    on_failure_(what);
  else
    log::error("worker_job_failed", {{"error", std::string(what)}});
}

void worker_pool::drain() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return jobs_.empty() && busy_ == 0 && keyed_.empty(); });
}

void worker_pool::run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
      ++busy_;
    }
    try {
      job();
    } catch (const std::exception& e) {
      failed(e.what());  // one job that throws must not take the pool down
    } catch (...) {
      failed("an exception that is not a std::exception");
    }
    // What the job holds (a connection, say) is released before it stops counting as busy:
    // once drain() returns, no job's captures are left to be destroyed on a worker thread after
    // the things they point into (an I/O loop being torn down) are gone.
    job = nullptr;
    {
      std::lock_guard lock(mutex_);
      --busy_;
      if (jobs_.empty() && busy_ == 0 && keyed_.empty()) idle_.notify_all();
    }
  }
}

}  // namespace advisor::adapters
