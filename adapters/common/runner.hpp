// The shared runner: one path for every request a channel receives, so that a channel's
// folder only implements the contract (channel.hpp):
//   verify -> parse (replay and de-dup included) -> ordered dispatch on the worker pool,
//   keyed by conversation -> serve (the service) -> answer inline within the budget, or
//   acknowledge (defer) and deliver when the turn is done -> follow up.
// Every outcome is logged and counted here, once, under the channel's name.
#pragma once

#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "adapters/common/channel.hpp"
#include "adapters/common/worker_pool.hpp"
#include "bot/infra/log.hpp"
#include "bot/infra/metrics.hpp"

namespace advisor::adapters {

template <http_channel C>
class runner {
 public:
  // `inline_budget`: a turn done within it is the HTTP answer; a slower one is deferred (the
  // route thread blocks at most this long). Zero: always defer (answer at once, deliver later).
  runner(C& channel, worker_pool& pool, std::string name, std::chrono::milliseconds inline_budget)
      : channel_(channel), pool_(pool), name_(std::move(name)), budget_(inline_budget) {}
  // Waits for its own jobs in flight (turns, deliveries, follow-ups).
  ~runner() {
    std::unique_lock lock(jobs_mutex_);
    jobs_idle_.wait(lock, [this] { return jobs_ == 0; });
  }
  runner(const runner&) = delete;
  runner& operator=(const runner&) = delete;

  // The whole path for one request; runs on the server's route thread.
  http_response handle(const http_request& req) requires requires(C& c) {
    { c.parse(req) } -> std::same_as<parsed<typename C::event>>;
  }
  {
    return handle(req, [this](const http_request& r) { return channel_.parse(r); });
  }
  // The same, for a channel with several routes: `parse` is the route's.
  template <class Parse>
  http_response handle(const http_request& req, Parse&& parse) {
    if (auto refused = channel_.verify(req)) return std::move(*refused);
    parsed<typename C::event> p = parse(req);
    if (auto* now = std::get_if<http_response>(&p)) return std::move(*now);
    return dispatch(std::move(std::get<typename C::event>(p)));
  }

  // Ordered dispatch, serve, then inline or deferred delivery.
  http_response dispatch(typename C::event e) {
    auto p = std::make_shared<pending>();
    p->deferred = budget_ <= std::chrono::milliseconds::zero();
    begin_job();
    bot::channel_key key = channel_.key_of(e);
    pool_.post(key.channel + ":" + key.key, [this, p, e] {
      typename C::reply r = serve(e);
      bool deliver_later = false;
      {
        std::lock_guard lock(p->mutex);
        if (p->deferred) {
          deliver_later = true;
        } else {
          p->result = r;
          p->done = true;
        }
      }
      p->done_cv.notify_all();
      if (deliver_later) report("delivery", channel_.deliver(e, r));
      report("follow_up", channel_.follow_up(e, r));
      end_job();
    });

    std::unique_lock lock(p->mutex);
    if (!p->deferred && p->done_cv.wait_for(lock, budget_, [&] { return p->done; }))
      return channel_.respond(p->result);
    p->deferred = true;
    return channel_.defer(e);
  }

 private:
  // A turn handed to a worker, and its result handed back if the route thread still waits.
  struct pending {
    std::mutex mutex;
    std::condition_variable done_cv;
    bool done = false;
    bool deferred = false;
    typename C::reply result{};
  };

  typename C::reply serve(const typename C::event& e) {
    try {
      return timed_turn(name_, [&] { return channel_.serve(e); });
    } catch (const std::exception& ex) {
      log::error(name_ + "_turn_failed",
                 {{"conversation", channel_.key_of(e).key}, {"error", ex.what()}});
      return channel_.failed(e);
    }
  }

  void report(std::string_view what, const delivery& d) {
    if (d.ok) {
      if (d.status) log::info(name_ + "_" + std::string(what), {{"status", d.status}});
      return;
    }
    log::error(name_ + "_" + std::string(what) + "_failed", {{"error", d.error}});
  }

  void begin_job() {
    std::lock_guard lock(jobs_mutex_);
    ++jobs_;
  }
  void end_job() {
    std::lock_guard lock(jobs_mutex_);
    if (--jobs_ == 0) jobs_idle_.notify_all();
  }

  C& channel_;
  worker_pool& pool_;
  std::string name_;
  std::chrono::milliseconds budget_;
  std::mutex jobs_mutex_;
  std::condition_variable jobs_idle_;
  std::size_t jobs_ = 0;
};

}  // namespace advisor::adapters
