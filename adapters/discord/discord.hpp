// Discord as a channel: the advisor as a Discord application. POST /discord/interactions
// verifies each request's Ed25519 signature, answers PING, runs /advisor and button clicks as
// turns of the bot service (sessions per guild, channel and user), and replies with messages,
// buttons and embeds; a turn that outlasts a short budget is deferred and its result sent
// through the interaction webhook. Also: registering the /advisor command with Discord.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>

#include "adapters/common/http.hpp"
#include "adapters/common/outbound.hpp"
#include "adapters/common/replay_window.hpp"
#include "adapters/common/worker_pool.hpp"
#include "bot/infra/config.hpp"
#include "bot/service/service.hpp"
#include "dialogue/seen_store.hpp"

namespace advisor::discord {

struct adapter_options {
  // A turn finished within this is answered inline; a slower one is deferred (Discord waits
  // 3 s). Zero: always defer. The handler blocks its route thread for at most this long.
  std::chrono::milliseconds inline_budget{1500};
  // Unix time in seconds, for the timestamp check; empty: the system clock.
  std::function<std::int64_t()> clock;
  // Outbound calls (follow-ups, webhook).
  adapters::retry_policy retry{};
  // Request signatures remembered at most, each until its timestamp is 5 minutes old; when
  // that many are live, new requests get 503 until some expire.
  std::size_t replay_capacity = adapters::replay_window::default_capacity;
  // Several instances on one database: signatures are also remembered there, so a replay
  // sent to another instance is refused too; when it cannot be reached, 503 (fail closed).
  // Must outlive the adapter; null: memory only.
  dialogue::seen_store* shared = nullptr;
};

class adapter {
 public:
  // Throws std::invalid_argument when cfg.public_key is not a hex Ed25519 public key.
  adapter(const bot::discord_config& cfg, bot::service& svc, adapters::worker_pool& pool,
          adapter_options opts = {});
  // Waits for its own jobs in flight (turns and follow-ups); destroy it before the pool.
  ~adapter();
  adapter(const adapter&) = delete;
  adapter& operator=(const adapter&) = delete;

  // Adds POST /discord/interactions.
  void register_routes(adapters::router& routes);

  // The route itself: runs on the server's route pool; waits at most inline_budget for a turn.
  adapters::http_response handle(const adapters::http_request& req);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// `advisor discord register`: registers the global /advisor command with Discord's API and
// prints what happened. Returns 0 on success, 1 when Discord refused, 2 when not configured.
int register_command(const bot::discord_config& cfg, std::ostream& out);

}  // namespace advisor::discord
