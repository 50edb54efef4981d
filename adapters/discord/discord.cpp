#include "adapters/discord/discord.hpp"

#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <thread>

#include "adapters/common/runner.hpp"
#include "adapters/discord/api.hpp"
#include "adapters/discord/messages.hpp"
#include "adapters/discord/verifier.hpp"
#include "bot/infra/log.hpp"
#include "bot/infra/metrics.hpp"
#include "dialogue/presentation.hpp"

namespace advisor::discord {

using nlohmann::json;

namespace {

constexpr std::string_view channel_name = "discord";
constexpr std::size_t max_text = 1000;  // the /advisor text option's max_length
// Discord answers 404 when a follow-up races ahead of the deferred response it follows.
constexpr int unacknowledged_retries = 3;
constexpr std::chrono::milliseconds unacknowledged_wait{400};

// The stale notice, worded by the core's presentation module as on every channel: alone (with
// how to pick the conversation up again), or before the question the conversation is on now.
const std::string stale_text = dialogue::present(
    dialogue::part::stale{.typed = false, .then_now = false, .resume = "/advisor"});
const std::string stale_preface =
    dialogue::present(dialogue::part::stale{.typed = false, .then_now = true, .resume = ""});
const std::string not_yours_text =
    "These buttons belong to someone else's conversation, so nothing was changed. Type `/advisor` "
    "to start your own.";
const std::string unknown_text =
    "I don't know that button or command. Type `/advisor` to talk to me.";
const std::string record_text =
    "Here's your decision record as a Markdown file, ready to keep next to your code.";
const std::string failed_text =
    "Sorry, something went wrong on my side and nothing was changed. Please try again in a moment.";

adapters::http_response json_response(unsigned status, const json& body) {
  adapters::http_response r;
  r.status = status;
  r.body = dump(body);
  return r;
}

adapters::http_response refuse(unsigned status, std::string_view code, std::string_view message) {
  return json_response(status, {{"error", code}, {"message", message}});
}

std::string str(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

// An interaction's "type": an integer, or 0 for anything else. Not json::value("type", 0),
// which threw on a string ("type":"2") and converted 1e30 to int, undefined behaviour.
int type_of(const json& body) {
  auto it = body.find("type");
  if (it == body.end() || !it->is_number_integer()) return 0;
  auto v = it->get<std::int64_t>();  // an unsigned past INT64_MAX wraps to a negative: 0 below
  return v > 0 && v < 256 ? static_cast<int>(v) : 0;
}

const json& member(const json& j, const char* key) {
  static const json none = json::object();
  if (!j.is_object()) return none;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : none;
}

// One interaction, as far as the advisor needs it.
struct interaction {
  int type = 0;
  std::string token;
  std::string guild, channel, user;
  std::string command, text;     // application command
  std::string custom_id, value;  // message component
  std::string message_owner;     // who started the conversation on the clicked message
  std::string id;                // for logs

  bot::channel_key key() const {
    return {std::string(channel_name), (guild.empty() ? "dm" : guild) + "/" + channel + "/" + user};
  }
};

std::optional<interaction> parse(const json& body) {
  interaction in;
  in.type = type_of(body);
  in.id = str(body, "id");
  in.token = str(body, "token");
  in.guild = str(body, "guild_id");
  in.channel = str(body, "channel_id");
  if (in.channel.empty()) in.channel = str(member(body, "channel"), "id");
  in.user = str(member(member(body, "member"), "user"), "id");
  if (in.user.empty()) in.user = str(member(body, "user"), "id");
  if (in.token.empty() || in.channel.empty() || in.user.empty()) return std::nullopt;

  const json& data = member(body, "data");
  if (in.type == wire::application_command) {
    in.command = str(data, "name");
    if (auto it = data.find("options"); it != data.end() && it->is_array())
      for (const auto& o : *it)
        if (str(o, "name") == "text") in.text = fit(str(o, "value"), max_text);
  } else if (in.type == wire::message_component) {
    in.custom_id = str(data, "custom_id");
    if (auto it = data.find("values");
        it != data.end() && it->is_array() && !it->empty() && it->front().is_string())
      in.value = it->front().get<std::string>();
    const json& message = member(body, "message");
    in.message_owner = str(member(member(message, "interaction_metadata"), "user"), "id");
    if (in.message_owner.empty())
      in.message_owner = str(member(member(message, "interaction"), "user"), "id");
  }
  return in;
}

// What to answer: replace the clicked message, post a new one, or tell only the clicker.
struct reply {
  enum class kind { update, message, ephemeral };
  kind how = kind::message;
  json data;
  std::optional<bot::turn> finished;  // a conversation that ended with this turn
  std::optional<attachment> file;     // sent with the message (the decision record)

  static reply ephemeral(std::string_view text) {
    return {kind::ephemeral, text_message(text, true), std::nullopt, std::nullopt};
  }
};

// The answer's label, to echo it above the next question.
std::string option_label(const bot::turn& t, std::string_view id) {
  for (const auto& o : t.out.options)
    if (o.id == id) return o.label;
  return {};
}

// Discord's side of the channel contract (adapters/common/channel.hpp); the runner drives it.
struct discord_channel {
  using event = interaction;
  using reply = discord::reply;

  static std::int64_t system_clock_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  // The options with the system clock when none is given, before any member reads it.
  static adapter_options with_clock(adapter_options o) {
    if (!o.clock) o.clock = system_clock_seconds;
    return o;
  }

  discord_channel(const bot::discord_config& cfg, bot::service& svc, adapter_options opts)
      : cfg_(cfg),
        svc_(svc),
        opts_(with_clock(std::move(opts))),
        verifier_(cfg.public_key),
        // Requests signed before this adapter started may have been served before a restart.
        guard_(replay_guard::default_window, opts_.replay_capacity, opts_.clock()),
        api_(cfg, opts_.retry) {
    label_ = [this](std::string_view id) { return svc_.engine().fw().stack_label(id); };
  }

  // Signature, timestamp window, replay (here and, with several instances, in the database).
  std::optional<adapters::http_response> verify(const adapters::http_request& req) {
    const std::string signature = req.header("x-signature-ed25519");
    const std::string timestamp = req.header("x-signature-timestamp");
    if (signature.empty() || timestamp.empty() ||
        !verifier_.verify(signature, timestamp, req.body)) {
      log::warn("discord_bad_signature",
                {{"remote", req.remote}, {"present", signature.empty() ? "no" : "yes"}});
      return refuse(401, "invalid_signature", "invalid request signature");
    }
    const std::int64_t now = opts_.clock();
    auto verdict = guard_.check(timestamp, signature, now);
    if (verdict != replay_guard::verdict::fresh) {
      log::warn("discord_refused",
                {{"remote", req.remote}, {"reason", std::string(to_string(verdict))}});
      if (verdict == replay_guard::verdict::full) {
        // Fail closed: a request served without being remembered could be replayed later.
        std::string wait = std::to_string(guard_.retry_after(now));
        auto r = refuse(503, "busy",
                        "Too many signed requests to check for replays right now. Try again in " +
                            wait + " seconds.");
        r.headers.emplace_back("Retry-After", wait);
        return r;
      }
      return refuse(401, "invalid_signature", "request timestamp out of range or replayed");
    }
    if (opts_.shared) {
      // Fresh here; another instance may have served it already. The timestamp parsed, or
      // the guard would have refused it.
      const std::int64_t stamp = std::stoll(timestamp);
      switch (opts_.shared->remember("discord/signature/" + signature,
                                     stamp + replay_guard::default_window.count() + 1, now)) {
        case dialogue::seen_store::outcome::first:
          break;
        case dialogue::seen_store::outcome::seen:
          log::warn("discord_refused", {{"remote", req.remote}, {"reason", "replay"}});
          return refuse(401, "invalid_signature", "request timestamp out of range or replayed");
        case dialogue::seen_store::outcome::unavailable: {
          // Not served: the same interaction sent again must be, not refused as a replay.
          guard_.forget(timestamp, signature);
          auto r = refuse(503, "database_unavailable",
                          "The database that remembers requests cannot be reached. Try again.");
          r.headers.emplace_back("Retry-After", "5");
          return r;
        }
      }
    }
    return std::nullopt;
  }

  // The interaction, or the answer it gets at once (PING, someone else's or an unknown button).
  adapters::parsed<event> parse(const adapters::http_request& req) {
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) return refuse(400, "invalid_json", "The body is not a JSON object.");
    int type = type_of(body);
    if (type == wire::ping) return json_response(200, interaction_response(wire::pong));
    if (!cfg_.app_id.empty() && str(body, "application_id") != cfg_.app_id)
      return refuse(400, "wrong_application", "This interaction is for another application.");

    auto in = discord::parse(body);
    if (!in)
      return refuse(400, "bad_interaction", "The interaction lacks a token, channel or user.");
    log::info("discord_interaction",
              {{"interaction", in->id}, {"type", in->type}, {"user", in->user}});

    if (in->type == wire::application_command) {
      if (in->command != "advisor") return respond(reply::ephemeral(unknown_text));
    } else if (in->type == wire::message_component) {
      if (!decode_custom_id(in->custom_id)) return respond(reply::ephemeral(unknown_text));
      if (!in->message_owner.empty() && in->message_owner != in->user)
        return respond(reply::ephemeral(not_yours_text));
    } else {
      return refuse(400, "unsupported_interaction",
                    "The advisor answers /advisor and its buttons only.");
    }
    return std::move(*in);
  }

  bot::channel_key key_of(const event& in) const { return in.key(); }

  adapters::http_response respond(const reply& r) const {
    int type = r.how == reply::kind::update ? wire::update_message : wire::channel_message;
    if (!r.file) return json_response(200, interaction_response(type, r.data));
    auto m = with_attachment(interaction_response(type, r.data), *r.file);
    adapters::http_response res;
    res.content_type = std::move(m.content_type);
    res.body = std::move(m.body);
    return res;
  }

  adapters::http_response defer(const event& in) const {
    log::info("discord_deferred", {{"interaction", in.id}});
    bool command = in.type == wire::application_command;
    return json_response(200, interaction_response(command ? wire::deferred_channel_message
                                                           : wire::deferred_update_message));
  }

  reply failed(const event&) const { return reply::ephemeral(failed_text); }

  // The turn itself, on a worker thread, one at a time per Discord user and channel.
  reply serve(const event& in) {
    auto key = in.key();
    if (in.type == wire::application_command) {
      // Resume or start: the service's rule, the same on every channel.
      bot::turn t = svc_.open(key, in.text);
      std::string preface;
      if (t.resumed && in.text.empty())
        preface = "Picking up where you left off. (Say `/advisor text:restart` to start over.)";
      reply r{reply::kind::message, turn_message(t, label_, preface), std::nullopt, std::nullopt};
      if (t.out.just_recommended()) r.finished = t;
      return r;
    }

    // What the button stands for, read against the message shown now; whether it is out of
    // date (another conversation, another question) is the service's rule, as on every channel.
    auto ref = decode_custom_id(in.custom_id);
    if (!ref) return reply::ephemeral(unknown_text);  // parse answered these already
    const bot::turn now = svc_.current(key).value_or(bot::turn{});
    auto button = read_button(*ref, now, in.value);
    if (!button) return reply::ephemeral(unknown_text);  // a select menu that sent no value
    auto press = [&](adapters::action a) {
      a.expected_conversation = button->conversation;
      a.expected_question = button->question;
      return adapters::run(svc_, key, a);
    };
    auto is_stale = [](const bot::turn& t) { return t.out.notice == dialogue::notice::stale; };
    const std::string& option = button->option;

    if (option == why_action) {
      bot::turn t = press(adapters::action::run(dialogue::command::why));
      return is_stale(t) ? stale(t) : reply::ephemeral(t.out.text);
    }
    if (option == back_action) {
      bot::turn t = press(adapters::action::run(dialogue::command::back));
      if (is_stale(t)) return stale(t);
      if (t.seq == now.seq) return reply::ephemeral(t.out.text);
      return {reply::kind::update, turn_message(t, label_), std::nullopt, std::nullopt};
    }
    if (now.out.finished) {
      // The recommendation stays in the channel: what follows it comes as new messages.
      const dialogue::option_view* pressed = now.out.find_option(option);
      auto action = pressed && pressed->role == dialogue::option_role::command
                        ? pressed->action
                        : dialogue::command::none;
      if (action == dialogue::command::restart) {
        bot::turn t = press(adapters::action::open({}, true));
        if (is_stale(t)) return stale(t);
        return {reply::kind::message, turn_message(t, label_), std::nullopt, std::nullopt};
      }
      if (action == dialogue::command::summary) {
        // The summary turn is the service's stale check; the record itself is too long for a
        // message, and meant to be kept: a Markdown file.
        bot::turn t = press(adapters::action::run(action));
        if (is_stale(t)) return stale(t);
        auto record = svc_.decision_record(key);
        if (!record) return reply::ephemeral(stale_text);
        return {reply::kind::message, text_message(record_text), std::nullopt,
                attachment{"decision-record.md", "text/markdown; charset=utf-8", *record}};
      }
      bot::turn t = press(action == dialogue::command::none ? adapters::action::chose(option)
                                                            : adapters::action::run(action));
      if (is_stale(t)) return stale(t);
      return {reply::kind::message, text_message(t.out.text), std::nullopt, std::nullopt};
    }

    bot::turn t = press(adapters::action::chose(option));
    if (is_stale(t)) return stale(t);
    if (t.out.notice != dialogue::notice::none) return reply::ephemeral(t.out.text);
    std::string preface;
    if (!now.out.reviewing()) preface = "You answered: **" + option_label(now, option) + "**";
    reply r{reply::kind::update, turn_message(t, label_, preface), std::nullopt, std::nullopt};
    if (t.out.just_recommended()) r.finished = t;
    return r;
  }

  // A press the service refused as out of date (its question was answered, or the conversation
  // started over): nothing changed. Said to the clicker alone, with the question the
  // conversation is on now, as the web channel answers a stale button.
  reply stale(const bot::turn& t) const {
    if (t.conversation.empty() || t.out.question.empty()) return reply::ephemeral(stale_text);
    json m = question_message(t, stale_preface);
    m["flags"] = wire::ephemeral_flag;
    return {reply::kind::ephemeral, std::move(m), std::nullopt, std::nullopt};
  }

  // A deferred turn's result, through the interaction webhook.
  adapters::delivery deliver(const event& in, const reply& r) const {
    json data = r.data;
    bool edit = in.type == wire::application_command || r.how == reply::kind::update;
    if (edit)
      data.erase("flags");  // a deferred original's visibility was fixed when it was deferred
    adapters::outbound_result res;
    for (int attempt = 0; attempt < unacknowledged_retries; ++attempt) {
      const attachment* file = r.file ? &*r.file : nullptr;
      res = edit ? api_.edit_original(in.token, data, file) : api_.follow_up(in.token, data, file);
      if (res.status != 404) break;
      std::this_thread::sleep_for(unacknowledged_wait * (attempt + 1));
    }
    return adapters::delivery::from(res, "interaction " + in.id);
  }

  // The optional webhook: the final recommendation, posted where the team keeps decisions.
  adapters::delivery follow_up(const event& in, const reply& r) const {
    if (!r.finished || cfg_.webhook_url.empty() || !r.finished->out.recommendation)
      return adapters::delivery::done();
    const bot::turn& t = *r.finished;
    json message = {{"content", "A recommendation for <@" + in.user + ">:"},
                    {"embeds", json::array({recommendation_embed(*t.out.recommendation, label_)})},
                    {"allowed_mentions", {{"parse", json::array()}}}};
    return adapters::delivery::from(api_.post_webhook(message), "webhook " + t.conversation);
  }

  bot::discord_config cfg_;
  bot::service& svc_;
  adapter_options opts_;
  signature_verifier verifier_;
  replay_guard guard_;
  api api_;
  label_fn label_;
};

static_assert(adapters::http_channel<discord_channel>);

}  // namespace

struct adapter::impl {
  impl(const bot::discord_config& cfg, bot::service& svc, adapters::worker_pool& pool,
       adapter_options opts)
      : budget_(opts.inline_budget),
        channel_(cfg, svc, std::move(opts)),
        runner_(channel_, pool, std::string(channel_name), budget_) {}

  std::chrono::milliseconds budget_;
  discord_channel channel_;
  adapters::runner<discord_channel> runner_;  // destroyed first: waits for its jobs
};

adapter::adapter(const bot::discord_config& cfg, bot::service& svc, adapters::worker_pool& pool,
                 adapter_options opts)
    : impl_(std::make_unique<impl>(cfg, svc, pool, std::move(opts))) {}

adapter::~adapter() = default;

void adapter::register_routes(adapters::router& routes) {
  routes.add("POST", "/discord/interactions",
             [this](const adapters::http_request& req) { return handle(req); });
}

adapters::http_response adapter::handle(const adapters::http_request& req) {
  return impl_->runner_.handle(req);
}

int register_command(const bot::discord_config& cfg, std::ostream& out) {
  if (cfg.app_id.empty() || cfg.bot_token.empty()) {
    out << "Discord is not configured: set ADVISOR_DISCORD_APP_ID and ADVISOR_DISCORD_BOT_TOKEN "
           "(the application id and bot token from https://discord.com/developers/applications).\n";
    return 2;
  }
  api client(cfg);
  auto res = client.register_advisor_command();
  if (res.ok()) {
    json body = json::parse(res.body, nullptr, false);
    std::string id = body.is_object() ? str(body, "id") : std::string{};
    out << "Registered the /advisor command" << (id.empty() ? "" : " (id " + id + ")")
        << " for application " << cfg.app_id << ". It may take a minute to show up in Discord.\n";
    return 0;
  }
  if (res.status == 401)
    out << "Discord refused the bot token (HTTP 401): check ADVISOR_DISCORD_BOT_TOKEN.\n";
  else if (res.status == 403 || res.status == 404)
    out << "Discord refused the registration (" << describe_failure(res)
        << "): check ADVISOR_DISCORD_APP_ID and that the token belongs to that application.\n";
  else
    out << "Could not register the /advisor command: " << describe_failure(res) << ".\n";
  return 1;
}

}  // namespace advisor::discord
