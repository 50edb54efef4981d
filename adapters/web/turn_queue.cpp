#include "adapters/web/turn_queue.hpp"

#include "bot/infra/log.hpp"

namespace advisor::web {

turn_queue::turn_queue(std::function<void(job)> post, std::size_t per_address)
    : post_(std::move(post)), per_address_(per_address == 0 ? 1 : per_address) {}

void turn_queue::make_ready(const std::string& address, queue& q) {
  if (q.ready || q.jobs.empty() || q.running >= per_address_) return;
  q.ready = true;
  ready_.push_back(address);
}

void turn_queue::post(const std::string& address, job j) {
  {
    std::lock_guard lock(mutex_);
    auto& q = queues_[address];
    q.jobs.push_back(std::move(j));
    ++waiting_;
    make_ready(address, q);
  }
  // One run_one per job posted: it takes whichever address's turn it is, so a job may run on
  // another's run_one; one that finds nothing ready (its address at its cap) is re-posted
  // when a job of that address ends.
  post_([this] { run_one(); });
}

void turn_queue::run_one() {
  std::string address;
  job j;
  {
    std::lock_guard lock(mutex_);
    if (ready_.empty()) return;
    address = std::move(ready_.front());
    ready_.pop_front();
    auto& q = queues_[address];
    q.ready = false;
    j = std::move(q.jobs.front());
    q.jobs.pop_front();
    --waiting_;
    ++q.running;
    make_ready(address, q);  // at the back: the other addresses go first
  }
  try {
    j();
  } catch (const std::exception& e) {
    log::error("turn_job_failed", {{"error", e.what()}});  // a bug: jobs answer their own errors
  }
  bool more = false;
  {
    std::lock_guard lock(mutex_);
    auto it = queues_.find(address);
    auto& q = it->second;
    --q.running;
    // A job of this address that waited for the cap: it may start now.
    more = !q.ready && !q.jobs.empty();
    make_ready(address, q);
    if (q.jobs.empty() && q.running == 0) queues_.erase(it);
  }
  if (more) post_([this] { run_one(); });
}

std::size_t turn_queue::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_;
}

}  // namespace advisor::web
