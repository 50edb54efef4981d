// The Slack channel: POST /slack/commands (slash command /advisor), /slack/events (Events
// API: url_verification, app_mention, direct messages) and /slack/interactions (button
// clicks). Every request is verified (signature, timestamp window, replay) before anything
// else; a handler then parses, de-duplicates, queues the turn on the worker pool keyed by
// the conversation and acknowledges at once, well within Slack's 3 seconds. The worker runs
// the turn through bot::service and talks to the Slack Web API (chat.postMessage,
// chat.update, chat.postEphemeral) through libcurl. Conversations are keyed
// "TEAM/CHANNEL/THREAD_TS/USER" on channel "slack": two people in one thread have their own.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "adapters/common/http.hpp"
#include "adapters/common/outbound.hpp"
#include "adapters/common/replay_window.hpp"
#include "adapters/common/worker_pool.hpp"
#include "adapters/slack/blocks.hpp"
#include "adapters/slack/seen_set.hpp"
#include "bot/infra/config.hpp"
#include "bot/service/service.hpp"
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
};

class adapter {
 public:
  // `svc` and `pool` must outlive the adapter; so must the router's use of it (stop the
  // server first). The destructor waits for the pool's queued jobs.
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
  struct conversation {
    std::string team, channel, thread, user;
    std::string key() const { return team + "/" + channel + "/" + thread + "/" + user; }
    bot::channel_key channel_key() const { return {"slack", key()}; }
  };
  // The question message whose buttons are live, per conversation, to retire them when the
  // answer comes as text instead of a click.
  struct open_question {
    std::string channel, ts;
    nlohmann::json blocks;
  };

  // Signature, timestamp window, replay (and a full replay memory: 503); an error response
  // when the request must go.
  std::optional<adapters::http_response> reject(const adapters::http_request& req,
                                                std::string_view route);

  void handle_event(const nlohmann::json& envelope);
  // False when the shared memory could not be reached (the request gets 503).
  bool handle_block_action(const nlohmann::json& payload);
  // Remembers `key` in the shared memory (if any) until `expires_at`: first, seen, or
  // unavailable.
  dialogue::seen_store::outcome remember_shared(const std::string& key, std::int64_t expires_at);
  void forget_shared(const std::string& key);

  // Worker jobs.
  void start_from_command(std::map<std::string, std::string> form);
  void text_turn(const conversation& c, const std::string& text);
  void click_turn(const conversation& c, const button_value& v, const std::string& label,
                  const std::string& message_ts, const nlohmann::json& blocks,
                  const std::string& claim);
  void deliver(const conversation& c, const bot::turn& t);

  // A Slack Web API call; the response body when it said ok, otherwise nothing (logged, counted).
  std::optional<nlohmann::json> call(const std::string& method, const nlohmann::json& body);
  void post_webhook(const conversation& c, const dialogue::recommendation& rec);
  void retire(const open_question& q, const std::string& note);
  void remember(const conversation& c, open_question q);
  std::optional<open_question> forget(const conversation& c);

  render_context context_for(const conversation& c) const;

  bot::slack_config cfg_;
  bot::service& svc_;
  adapters::worker_pool& pool_;
  options opts_;
  adapters::http_client client_;
  std::map<std::string, std::string> stack_labels_;
  adapters::replay_window signatures_;  // request signatures already served: replays
  seen_set events_;                     // event_ids already handled: Slack's retries
  seen_set clicks_;  // messages whose buttons were already clicked: double clicks
  std::mutex open_mutex_;
  std::map<std::string, open_question> open_;
};

// Creates the Slack adapter and adds its routes to `r`. Keep the returned object alive while
// the server runs, and destroy it before `pool` and after the server has stopped.
std::unique_ptr<adapter> register_routes(adapters::router& r, const bot::slack_config& cfg,
                                         bot::service& svc, adapters::worker_pool& pool,
                                         options opts = {});

}  // namespace advisor::slack
