// Hands the turns read from the sockets to the turn threads fairly: each peer address has its
// own queue, addresses take turns (round robin), and one address never holds more than
// `per_address` threads at once. With the default two turn threads, one address (however many
// connections it opens, however costly its messages) holds one thread, and the other serves
// everyone else: a victim's turn never waits behind an attacker's.
// Thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace advisor::web {

class turn_queue {
 public:
  using job = std::function<void()>;
  // `post` runs a piece of work on one of the turn threads (e.g. asio::post to their io_context).
  turn_queue(std::function<void(job)> post, std::size_t per_address);

  // Queues `j` behind the jobs of the same address; it runs on a turn thread when its address's
  // turn comes and fewer than `per_address` of its jobs are running.
  void post(const std::string& address, job j);

  std::size_t waiting() const;

 private:
  struct queue {
    std::deque<job> jobs;
    std::size_t running = 0;
    bool ready = false;  // in ready_
  };
  void run_one();
  void make_ready(const std::string& address, queue& q);  // mutex_ held

  std::function<void(job)> post_;
  std::size_t per_address_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, queue> queues_;
  std::deque<std::string> ready_;  // addresses with a job that may start, in turn order
  std::size_t waiting_ = 0;
};

}  // namespace advisor::web
