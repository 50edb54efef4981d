// The few Discord REST calls the advisor makes, through the shared libcurl http_client:
// editing an interaction's original response, follow-up messages, the optional webhook, and
// registering the /advisor command. Blocking: call them from a worker, never an I/O thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "adapters/common/outbound.hpp"
#include "adapters/discord/messages.hpp"
#include "bot/infra/config.hpp"

namespace advisor::discord {

// The /advisor command as Discord's API takes it.
nlohmann::json advisor_command();

class api {
 public:
  explicit api(const bot::discord_config& cfg, adapters::retry_policy policy = {});

  // PATCH {api_url}/webhooks/{app_id}/{token}/messages/@original
  adapters::outbound_result edit_original(std::string_view interaction_token,
                                          const nlohmann::json& message,
                                          const attachment* file = nullptr) const;
  // POST {api_url}/webhooks/{app_id}/{token}
  adapters::outbound_result follow_up(std::string_view interaction_token,
                                      const nlohmann::json& message,
                                      const attachment* file = nullptr) const;
  // POST to the configured webhook URL (no-op result with status 0 when there is none).
  adapters::outbound_result post_webhook(const nlohmann::json& message) const;
  // POST {api_url}/applications/{app_id}/commands with Authorization: Bot <token>.
  adapters::outbound_result register_advisor_command() const;

 private:
  // Sends, and when Discord still answers 429 with retry_after in its JSON body (the header
  // can be missing or coarser), waits that long and tries again, a bounded number of times.
  adapters::outbound_result send(const adapters::outbound_request& request) const;

  bot::discord_config cfg_;
  adapters::retry_policy policy_;
  adapters::http_client client_;
};

// The message Discord gave with an error response ("401: Unauthorized"), or the status.
std::string describe_failure(const adapters::outbound_result& r);

}  // namespace advisor::discord
