// The Discord interactions handler (POST /discord/interactions). An input is a sequence of
// interaction bodies, one a line, each signed with a fixed Ed25519 test key (OpenSSL, in
// tests/request_signing.hpp, not the adapter's code), so what gets fuzzed is the JSON handling
// behind the signature check. A button's custom_id names the conversation it was made for,
// which is random: in a body, "adv:*:" stands for "adv:<that conversation>:" as the last
// response showed it, so an input can click the buttons its own earlier requests were answered
// with. Every input starts on an empty session store; turns are answered inline. Responses
// must be JSON (or multipart with a file) within Discord's limits.
#include <nlohmann/json.hpp>

#include "adapters/discord/discord.hpp"
#include "adapters/discord/messages.hpp"
#include "common.hpp"
#include "request_signing.hpp"

using nlohmann::json;
using namespace advisor;

namespace {

constexpr std::size_t max_requests = 24;
constexpr std::int64_t start_time = 1700000000;
constexpr std::string_view conversation_placeholder = "adv:*:";

// The conversation part of the last custom_id in a response ("adv:<conversation>:...").
void remember_conversation(const std::string& body, std::string& conversation) {
  auto at = body.rfind("\"adv:");
  if (at == std::string::npos) return;
  auto end = body.find(':', at + 5);
  if (end != std::string::npos) conversation = body.substr(at + 5, end - at - 5);
}

std::string with_conversation(std::string_view body, const std::string& conversation) {
  std::string out;
  for (;;) {
    auto at = body.find(conversation_placeholder);
    out.append(body.substr(0, at));
    if (at == std::string_view::npos) return out;
    out.append("adv:").append(conversation).append(":");
    body.remove_prefix(at + conversation_placeholder.size());
  }
}

const test::ed25519_key& key() {
  static const test::ed25519_key k;
  return k;
}

std::size_t size_of(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get_ref<const std::string&>().size() : 0;
}

// Discord's documented limits (the adapter counts bytes, never fewer than Discord's characters).
void check_limits(const json& m, const std::string& raw) {
  namespace lim = discord::limits;
  bool ok = size_of(m, "content") <= lim::content;
  if (m.contains("embeds")) {
    std::size_t total = 0;
    ok = ok && m["embeds"].size() <= lim::embeds;
    for (const auto& e : m["embeds"]) {
      ok = ok && size_of(e, "title") <= lim::embed_title &&
           size_of(e, "description") <= lim::embed_description;
      total += discord::embed_length(e);
    }
    ok = ok && total <= lim::embed_total;
  }
  if (m.contains("components")) {
    ok = ok && m["components"].size() <= lim::rows;
    for (const auto& row : m["components"]) {
      ok = ok && row.contains("components") && row["components"].size() <= lim::buttons_per_row;
      for (const auto& c : row["components"])
        ok = ok && size_of(c, "custom_id") <= lim::custom_id &&
             size_of(c, "label") <= lim::button_label;
    }
  }
  if (!ok) fuzz::fail("a response breaks Discord's message limits", raw);
}

void check_response(const adapters::http_response& r, std::string_view body) {
  if (r.status == 401) fuzz::fail("a correctly signed interaction was refused", r.body);
  if (r.status != 200 && r.status != 400)
    fuzz::fail("unexpected HTTP status", std::to_string(r.status) + " for " + std::string(body));
  if (r.content_type.starts_with("multipart/form-data")) return;  // the decision record as a file
  json j = json::parse(r.body, nullptr, false);
  if (!j.is_object()) fuzz::fail("a response is not a JSON object", r.body);
  if (r.status == 400) return;
  if (!j.contains("type") || !j["type"].is_number_integer())
    fuzz::fail("a response has no interaction type", r.body);
  if (j.contains("data")) check_limits(j["data"], r.body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bot::discord_config cfg = [] {
    fuzz::fixture::get();
    bot::discord_config c;
    c.public_key = key().public_hex();
    c.app_id = "1000000000000000001";
    c.bot_token = "bot-token-fuzz";
    c.api_url = fuzz::dead_end_url() + "/api/v10";
    c.webhook_url = fuzz::dead_end_url() + "/webhook";
    return c;
  }();

  std::int64_t now = start_time;
  discord::adapter_options opts;
  opts.inline_budget = std::chrono::seconds(5);  // answered inline: the same response every run
  opts.clock = [&now] { return now; };
  opts.retry = fuzz::one_attempt;
  fuzz::fresh_service fresh;
  discord::adapter adapter(cfg, fresh.service(), fuzz::worker_pool(), opts);

  std::string conversation = "00000000";
  for (std::string_view line : fuzz::split(fuzz::as_text(data, size), '\n', max_requests)) {
    ++now;  // a new timestamp, so that a repeated body is not a replay
    adapters::http_request req;
    req.method = "POST";
    req.path = "/discord/interactions";
    req.remote = "127.0.0.1";
    req.body = with_conversation(line, conversation);
    std::string ts = std::to_string(now);
    req.headers["content-type"] = "application/json";
    req.headers["x-signature-timestamp"] = ts;
    req.headers["x-signature-ed25519"] = key().sign(ts + req.body);
    auto r = adapter.handle(req);
    check_response(r, req.body);
    remember_conversation(r.body, conversation);
  }
  return 0;
}
