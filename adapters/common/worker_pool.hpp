// A fixed pool of worker threads for blocking work (SQLite turns, libcurl calls) that must
// stay off the server's I/O threads. Jobs keyed by the same string run one at a time, in the
// order they were posted, so a conversation's turns never run on two threads at once.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace advisor::adapters {

class worker_pool {
 public:
  // Jobs report their own failures: one that throws is a bug. The pool goes on, and says so
  // through `on_failure` (on the worker's thread), by default as an error log line.
  using failure_fn = std::function<void(std::string_view what)>;
  explicit worker_pool(unsigned threads, failure_fn on_failure = {});
  ~worker_pool();  // finishes every posted job, then joins
  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;

  void post(std::function<void()> job);
  // Runs after every job posted earlier with the same key has finished.
  void post(const std::string& key, std::function<void()> job);
  // Blocks until every job posted so far has finished.
  void drain();

 private:
  void run();
  void run_keyed(const std::string& key, const std::function<void()>& job);
  void finish_keyed(const std::string& key);
  void failed(std::string_view what) const;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> jobs_;
  std::map<std::string, std::deque<std::function<void()>>> keyed_;  // waiting behind a running job
  std::size_t busy_ = 0;
  bool stopping_ = false;
  failure_fn on_failure_;
  std::vector<std::thread> threads_;
};

}  // namespace advisor::adapters
