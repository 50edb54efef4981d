#include "adapters/discord/api.hpp"

#include <thread>

namespace advisor::discord {

using nlohmann::json;

namespace {

constexpr int extra_rate_limit_attempts = 2;

void set_body(adapters::outbound_request& r, const json& message, const attachment* file) {
  if (!file) {
    r.body = dump(message);
    return;
  }
  auto m = with_attachment(message, *file);
  r.content_type = std::move(m.content_type);
  r.body = std::move(m.body);
}

std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

json advisor_command() {
  return {
      {"name", "advisor"},
      {"type", 1},
      // Installable on a server and by a user; usable in servers, in DMs with the bot and in
      // group DMs (Discord's integration_types 0, 1 and interaction contexts 0, 1, 2).
      {"integration_types", json::array({0, 1})},
      {"contexts", json::array({0, 1, 2})},
      {"description",
       "Python or Node.js for your backend? Answer a few questions and get a recommendation."},
      {"options",
       json::array({{{"type", 3},
                     {"name", "text"},
                     {"description",
                      "Start with a sentence about your project, or answer the current question"},
                     {"required", false},
                     {"max_length", 1000}}})}};
}

api::api(const bot::discord_config& cfg, adapters::retry_policy policy)
    : cfg_(cfg), policy_(policy), client_(policy) {
  cfg_.api_url = trim_slash(cfg_.api_url);
}

adapters::outbound_result api::edit_original(std::string_view token, const json& message,
                                             const attachment* file) const {
  adapters::outbound_request r;
  r.method = "PATCH";
  r.url =
      cfg_.api_url + "/webhooks/" + cfg_.app_id + "/" + std::string(token) + "/messages/@original";
  set_body(r, message, file);
  return send(r);
}

adapters::outbound_result api::follow_up(std::string_view token, const json& message,
                                         const attachment* file) const {
  adapters::outbound_request r;
  r.url = cfg_.api_url + "/webhooks/" + cfg_.app_id + "/" + std::string(token);
  set_body(r, message, file);
  return send(r);
}

adapters::outbound_result api::post_webhook(const json& message) const {
  if (cfg_.webhook_url.empty()) return {};
  adapters::outbound_request r;
  r.url = cfg_.webhook_url;
  r.body = dump(message);
  return send(r);
}

adapters::outbound_result api::register_advisor_command() const {
  adapters::outbound_request r;
  r.url = cfg_.api_url + "/applications/" + cfg_.app_id + "/commands";
  r.headers.push_back({"Authorization", "Bot " + cfg_.bot_token});
  r.body = dump(advisor_command());
  return send(r);
}

adapters::outbound_result api::send(const adapters::outbound_request& request) const {
  adapters::outbound_result result = client_.send(request);
  for (int extra = 0; extra < extra_rate_limit_attempts && result.status == 429; ++extra) {
    json body = json::parse(result.body, nullptr, false);
    if (!body.is_object() || !body.contains("retry_after") || !body["retry_after"].is_number())
      break;
    double seconds = body["retry_after"].get<double>();
    auto wait = std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0 + 0.5));
    if (seconds < 0 || wait > policy_.max_wait) break;
    std::this_thread::sleep_for(wait);
    int attempts = result.attempts;
    result = client_.send(request);
    result.attempts += attempts;
  }
  return result;
}

std::string describe_failure(const adapters::outbound_result& r) {
  if (r.status == 0) return r.error.empty() ? "no response" : r.error;
  std::string what = "HTTP " + std::to_string(r.status);
  json body = json::parse(r.body, nullptr, false);
  if (body.is_object() && body.contains("message") && body["message"].is_string())
    what += ": " + fit(body["message"].get<std::string>(), 300);
  return what;
}

}  // namespace advisor::discord
