// The Slack channel: POST /slack/commands (slash command /advisor), /slack/events (Events
// API: url_verification, app_mention, direct messages) and /slack/interactions (button
// clicks). Slack implements the channel contract (adapters/common/channel.hpp) and the shared
// runner drives it: every request is verified (signature, timestamp window, replay) before
// anything else; a route's parse then de-duplicates and makes an event; the runner queues the
// turn on the worker pool keyed by the conversation and acknowledges at once, well within
// Slack's 3 seconds (Slack always defers). The worker runs the turn through bot::service and
// delivers it through the Slack Web API (chat.postMessage, chat.update, chat.postEphemeral).
// Conversations are keyed "TEAM/CHANNEL/THREAD_TS/USER" on channel "slack": two people in one
// thread have their own.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "adapters/common/http.hpp"
#include "adapters/common/outbound.hpp"
#include "adapters/common/replay_window.hpp"
#include "adapters/common/worker_pool.hpp"
#include "adapters/slack/blocks.hpp"
#include "bot/infra/config.hpp"
#include "bot/service/service.hpp"
#include "dialogue/job_store.hpp"
#include "dialogue/seen_store.hpp"

namespace advisor::slack {

// Seconds since the epoch; tests set their own clock.
using clock_fn = std::function<std::int64_t()>;
std::int64_t system_now();

struct options {
  clock_fn now = system_now;
  adapters::retry_policy retry{4, std::chrono::milliseconds(250), std::chrono::seconds(30),
                               std::chrono::seconds(10)};
  // Request signatures remembered at most, each until its timestamp is 5 minutes old; when
  // that many are live, new requests get 503 until some expire.
  std::size_t replay_capacity = adapters::replay_window::default_capacity;
  // Several instances on one database: signatures, event ids and clicks are also remembered
  // there, so a replay or a retry that reaches another instance is known. When it cannot be
  // reached, requests get 503 (fail closed). Must outlive the adapter; null: memory only.
  dialogue::seen_store* shared = nullptr;
  // Events API messages, slash commands and button clicks are recorded here before their 200
  // and deleted once their reply is delivered; every job_sweep_seconds (and at start-up) the
  // adapter finishes the jobs whose holder's lease ran out (slack_config). Must outlive the
  // adapter; null: memory only.
  dialogue::job_store* jobs = nullptr;
  // With both of the above on one database: remembers an event's or a click's key and records
  // its job in one transaction (first), or neither (seen, unavailable). Two separate writes
  // would let an instance die between them and leave a key with no job: Slack's retry would
  // be dropped as a duplicate and the event never answered. Unset: the two writes in turn
  // (without `shared` the key is in this process's memory and dies with it).
  std::function<dialogue::seen_store::outcome(const std::string& key, std::int64_t expires_at,
                                              std::int64_t now, const dialogue::job& j,
                                              const std::string& owner, std::int64_t lease_until)>
      remember_with_job;
};

class adapter {
 public:
  // `svc` and `pool` must outlive the adapter; so must the router's use of it (stop the
  // server first). The destructor waits for the jobs it queued.
  adapter(const bot::slack_config& cfg, bot::service& svc, adapters::worker_pool& pool,
          options opts = {});
  ~adapter();
  adapter(const adapter&) = delete;
  adapter& operator=(const adapter&) = delete;

  // Adds the three POST routes.
  void register_routes(adapters::router& r);

  adapters::http_response on_command(const adapters::http_request& req);
  adapters::http_response on_event(const adapters::http_request& req);
  adapters::http_response on_interaction(const adapters::http_request& req);

 private:
  // Slack's side of the channel contract (adapters/common/channel.hpp), and the shared
  // runner that drives it; both in slack.cpp.
  struct contract;
  struct runs;
  std::unique_ptr<contract> channel_;
  std::unique_ptr<runs> runner_;  // destroyed first: waits for its jobs

  // Finishes the jobs abandoned by a dead instance (or this one's previous run).
  void sweep_loop(std::chrono::seconds every);
  std::mutex sweep_mutex_;
  std::condition_variable sweep_wake_;
  bool stopping_ = false;
  std::thread sweeper_;  // stopped first of all by the destructor
};

// Creates the Slack adapter and adds its routes to `r`. Keep the returned object alive while
// the server runs, and destroy it before `pool` and after the server has stopped.
std::unique_ptr<adapter> register_routes(adapters::router& r, const bot::slack_config& cfg,
                                         bot::service& svc, adapters::worker_pool& pool,
                                         options opts = {});

}  // namespace advisor::slack
