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
#include <thread>
#include <vector>

namespace advisor::adapters {

class worker_pool {
 public:
  explicit worker_pool(unsigned threads);
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

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> jobs_;
  std::map<std::string, std::deque<std::function<void()>>> keyed_;  // waiting behind a running job
  std::size_t busy_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace advisor::adapters
