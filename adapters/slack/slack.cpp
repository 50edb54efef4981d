#include "adapters/slack/slack.hpp"

#include <charconv>
#include <chrono>
#include <map>
#include <mutex>

#include "adapters/common/runner.hpp"
#include "adapters/slack/form.hpp"
#include "adapters/slack/seen_set.hpp"
#include "adapters/slack/signing.hpp"
#include "bot/infra/log.hpp"
#include "bot/infra/metrics.hpp"
#include "dialogue/presentation.hpp"

namespace advisor::slack {

using nlohmann::json;

namespace {

constexpr std::int64_t event_ttl_seconds = 60 * 60;  // Slack retries for a few minutes
constexpr std::int64_t click_ttl_seconds = 60 * 60;
constexpr std::size_t seen_capacity = 100000;
constexpr std::size_t open_capacity = 10000;
// A job whose turn could not be stored runs again once its lease runs out, this many times in
// all; after the last it is answered with an apology. (While the database cannot be reached the
// count cannot be written, so the job waits for it.)
constexpr int job_attempts = 5;
constexpr std::string_view option_action_prefix = "advisor_option_";
constexpr std::string_view help_text =
    "*/advisor* starts a conversation in a thread: I ask a few questions about your project and "
    "team, "
    "then recommend Python, Node.js or both, with the reasons and their sources.\n"
    "Add your situation to start faster: `/advisor we are a startup building a real-time chat "
    "app`.\n"
    "Answer with the buttons, or mention me in the thread with words (`@Advisor not sure`, `back`, "
    "`why`, `restart`).";

adapters::http_response json_response(unsigned status, const json& body) {
  adapters::http_response r;
  r.status = status;
  r.body = body.dump();
  return r;
}

adapters::http_response error_response(unsigned status, std::string_view code,
                                       std::string_view message) {
  return json_response(status, {{"ok", false}, {"error", code}, {"message", message}});
}

adapters::http_response empty_ok() {
  adapters::http_response r;
  r.content_type = "text/plain; charset=utf-8";
  return r;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string str(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

// X-Slack-Request-Timestamp as a number; only called once verify() has accepted it.
std::int64_t timestamp_value(std::string_view ts) {
  std::int64_t value = 0;
  std::from_chars(ts.data(), ts.data() + ts.size(), value);
  return value;
}

std::string_view reject_message(verdict v) {
  switch (v) {
    case verdict::missing:
      return "The X-Slack-Request-Timestamp and X-Slack-Signature headers are required.";
    case verdict::malformed:
      return "X-Slack-Request-Timestamp or X-Slack-Signature is malformed.";
    case verdict::stale:
      return "X-Slack-Request-Timestamp is more than five minutes from now.";
    default:
      return "The request signature does not match.";
  }
}

void count(const std::string& name, const adapters::metrics::labels& l = {}) {
  adapters::metrics::global().inc(name, l);
}

}  // namespace

std::int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

// The options with the system clock when none is given, before any member reads it.
options with_clock(options o) {
  if (!o.now) o.now = system_now;
  return o;
}

}  // namespace

namespace {

// A conversation's place in Slack: whose, in which thread.
struct conversation {
  std::string team, channel, thread, user;
  std::string key() const { return team + "/" + channel + "/" + thread + "/" + user; }
  bot::channel_key channel_key() const { return {"slack", key()}; }
};

// The question message whose buttons are live, per conversation, to retire them when the
// answer comes as text instead of a click.
struct open_question {
  std::string channel, ts;
  json blocks;
};

// One request, parsed: what the worker is to do.
struct slack_event {
  enum class kind {
    command,  // /advisor: a new thread (its root is posted first), then a new conversation
    text,     // a mention or a direct message
    click,    // a button of the conversation's owner
    notice,   // someone else's button: tell them privately, change nothing
  };
  kind type = kind::text;
  conversation c;  // a command's thread is empty until its root message is posted
  adapters::action what;
  std::string response_url;              // command: where to tell the user privately
  std::string label, message_ts, claim;  // click
  std::string owner;                     // notice: whose buttons they were
  json blocks;                           // click: the clicked message's blocks
  // command, click, text from the Events API: its job (dialogue::job_store) and the turn's
  // token; recovered: taken over from a holder whose lease ran out (its turn may be stored
  // already, and a command's thread posted: then c.thread is set).
  std::string job, token;
  bool recovered = false;
  int attempts = 0;  // earlier runs of its job whose turn could not be stored
};

// What a turn came to, for delivery.
struct slack_reply {
  std::optional<bot::turn> t;  // the turn, when one ran
  conversation c;              // where the reply goes
  bool failed = false;         // the turn threw: say sorry
  bool later = false;          // the turn could not be stored: its job stays, to run again
  bool no_root = false;        // command: the thread's root could not be posted
};

std::string posted_error(const std::optional<json>& posted, std::string_view method) {
  return posted ? std::string{} : std::string(method) + " failed";
}

adapters::delivery delivered(const std::optional<json>& posted, std::string_view method) {
  if (posted) return adapters::delivery::done();
  return {false, 0, posted_error(posted, method)};
}

}  // namespace

// Slack's side of the channel contract; the runner drives it.
struct adapter::contract {
  using event = slack_event;
  using reply = slack_reply;

  contract(const bot::slack_config& cfg, bot::service& svc, options opts)
      : cfg_(cfg),
        svc_(svc),
        opts_(with_clock(std::move(opts))),
        client_(opts_.retry),
        // Requests signed before this adapter started may have been served before a restart.
        signatures_(max_clock_skew_seconds, opts_.replay_capacity, opts_.now()),
        events_(event_ttl_seconds, seen_capacity),
        clicks_(click_ttl_seconds, seen_capacity) {
    if (cfg_.bot_token.empty())
      log::warn("slack_bot_token_missing",
                {{"hint", "set ADVISOR_SLACK_BOT_TOKEN: without it no reply reaches Slack"}});
    const auto& fw = svc_.engine().fw();
    for (const auto& s : fw.stacks) stack_labels_[s.id] = s.label;
    if (fw.hybrid) stack_labels_[fw.hybrid->id] = fw.hybrid->label;
    auto& m = adapters::metrics::global();
    m.describe("advisor_slack_requests_total", "Slack requests received, by route.");
    m.describe(
        "advisor_slack_rejected_total",
        "Slack requests refused, by reason: 401, or 503 for busy (the replay memory is full).");
    m.describe("advisor_slack_duplicates_total",
               "Slack retries and double clicks recognised and dropped, by kind.");
    m.describe("advisor_slack_api_calls_total", "Slack Web API calls made, by method.");
    m.describe("advisor_slack_jobs_recovered_total",
               "Acknowledged Slack events, commands and clicks finished here after their holder's "
               "lease ran out.");
    m.describe("advisor_slack_jobs_deferred_total",
               "Acknowledged Slack events, commands and clicks whose turn could not be stored, "
               "left as jobs to run again once their lease runs out.");
    m.describe("advisor_slack_api_errors_total",
               "Slack Web API calls that failed, by method and error.");
  }

  // ---- verify: signature, timestamp window, replay (and a full replay memory: 503) ------

  std::optional<adapters::http_response> verify(const adapters::http_request& req) {
    std::string route = req.path.starts_with("/slack/") ? req.path.substr(7) : req.path;
    count("advisor_slack_requests_total", {{"route", route}});
    std::string ts = req.header("x-slack-request-timestamp");
    std::string sig = req.header("x-slack-signature");
    std::int64_t now = opts_.now();
    verdict v = slack::verify(cfg_.signing_secret, ts, sig, req.body, now);
    std::string reason(code(v));
    if (v == verdict::ok) {
      // verify() accepted "v0=" + 64 hex digits: the window keys on the decoded digits.
      switch (signatures_.admit(std::string_view(sig).substr(3), timestamp_value(ts), now)) {
        case adapters::replay_window::verdict::fresh:
          // Fresh here; another instance may have served it already.
          switch (remember_shared("slack/signature/" + sig.substr(3),
                                  timestamp_value(ts) + max_clock_skew_seconds + 1)) {
            case dialogue::seen_store::outcome::first:
              return std::nullopt;
            case dialogue::seen_store::outcome::seen:
              reason = "replayed_request";
              break;
            case dialogue::seen_store::outcome::unavailable:
              // Not served (503): the same request sent again must be, not refused here
              // as a replay. Nothing was written to the shared memory.
              signatures_.forget(std::string_view(sig).substr(3), timestamp_value(ts));
              reason = "database_unavailable";
              break;
          }
          break;
        case adapters::replay_window::verdict::replay:
          // A valid signature that was already served: Slack's own retries are new requests
          // with a new timestamp and signature, so this one comes from someone else.
          reason = "replayed_request";
          break;
        case adapters::replay_window::verdict::full:
          reason = "busy";
          break;
        case adapters::replay_window::verdict::out_of_window:
          // Older than what the memory has already forgotten (another thread's clock was a
          // second ahead): as good as stale.
          v = verdict::stale;
          reason = code(v);
          break;
        case adapters::replay_window::verdict::malformed:
          v = verdict::malformed;
          reason = code(v);
          break;
      }
    }
    count("advisor_slack_rejected_total", {{"reason", reason}});
    log::warn("slack_request_rejected",
              {{"route", route}, {"reason", reason}, {"remote", req.remote}});
    if (reason == "database_unavailable") {
      // Fail closed: without the shared memory a replay or a retry could be served twice.
      auto r = error_response(503, reason,
                              "The database that remembers requests cannot be reached. Try again.");
      r.headers.emplace_back("Retry-After", "5");
      return r;
    }
    if (reason == "busy") {
      // Fail closed: a request served without being remembered could be replayed later.
      std::int64_t wait = signatures_.retry_after(now);
      std::string message =
          "Too many signed requests to check for replays right now. Try again in " +
          std::to_string(wait) + " seconds.";
      auto r = error_response(503, reason, message);
      r.headers.emplace_back("Retry-After", std::to_string(wait));
      return r;
    }
    return error_response(
        401, reason,
        v == verdict::ok ? "This request was already received once." : reject_message(v));
  }

  // ---- parse: one per route -------------------------------------------------------------

  adapters::parsed<event> parse_command(const adapters::http_request& req) {
    auto form = parse_form(req.body);
    if (form["team_id"].empty() || form["channel_id"].empty() || form["user_id"].empty())
      return error_response(400, "bad_request", "team_id, channel_id and user_id are required.");
    std::string text = inbound_text(form["text"]);
    if (text == "help")
      return json_response(200, {{"response_type", "ephemeral"}, {"text", help_text}});
    event e;
    e.type = event::kind::command;
    e.c = {form["team_id"], form["channel_id"], {}, form["user_id"]};
    e.what = adapters::action::open(text, true);  // a new thread: a new conversation
    e.response_url = form["response_url"];
    // Slack does not retry a command: its job needs no name of Slack's.
    if (opts_.jobs && !record_job(e, "slack/command/" + bot::random_token()))
      return not_served(req, "The database that keeps commands cannot be reached.");
    return e;
  }

  adapters::parsed<event> parse_event(const adapters::http_request& req) {
    json envelope = json::parse(req.body, nullptr, false);
    if (!envelope.is_object())
      return error_response(400, "invalid_json", "The body is not a JSON object.");
    std::string type = str(envelope, "type");
    if (type == "url_verification")
      return json_response(200, {{"challenge", str(envelope, "challenge")}});
    if (type != "event_callback") return empty_ok();
    std::string event_id = str(envelope, "event_id");
    auto e = said(envelope);
    bool duplicate = false;
    if (!event_id.empty()) {
      duplicate = !events_.insert(event_id, opts_.now());
      if (!duplicate) {
        // Recorded in the shared memory before the 200, with its job: a retry that reaches
        // another instance is a duplicate there too.
        auto shared =
            e ? record_first(*e, "slack/event/" + event_id, opts_.now() + event_ttl_seconds)
              : remember_shared("slack/event/" + event_id, opts_.now() + event_ttl_seconds);
        if (shared == dialogue::seen_store::outcome::unavailable) {
          events_.erase(event_id);  // not acknowledged: Slack's retry may be served
          return not_served(req, "The database that keeps events cannot be reached.");
        }
        duplicate = shared == dialogue::seen_store::outcome::seen;
      }
    }
    if (duplicate) {
      count("advisor_slack_duplicates_total", {{"kind", "event"}});
      log::info("slack_event_duplicate", {{"event_id", event_id},
                                          {"retry_num", req.header("x-slack-retry-num")},
                                          {"retry_reason", req.header("x-slack-retry-reason")}});
      return empty_ok();
    }
    if (e) return std::move(*e);
    return empty_ok();
  }

  // Remembers `key` (the event's or the click's, also its job's id) until `expires_at` and,
  // when it is new, records e's job: with a shared database both in one transaction, so that
  // a retry finds both or neither. Unavailable when either could not be written (the key is
  // then not kept).
  dialogue::seen_store::outcome record_first(event& e, const std::string& key,
                                             std::int64_t expires_at) {
    using outcome = dialogue::seen_store::outcome;
    if (!opts_.jobs) return remember_shared(key, expires_at);
    prepare_job(e, key);
    std::int64_t lease_until = opts_.now() + cfg_.job_lease_seconds;
    if (opts_.shared && opts_.remember_with_job)
      return opts_.remember_with_job(key, expires_at, opts_.now(),
                                     {e.job, dump(job_payload(e)), e.token}, owner_, lease_until);
    auto shared = remember_shared(key, expires_at);
    if (shared != outcome::first) return shared;
    if (!opts_.jobs->record({e.job, dump(job_payload(e)), e.token}, owner_, lease_until)) {
      forget_shared(key);
      return outcome::unavailable;
    }
    return outcome::first;
  }

  // ---- jobs: an acknowledged request is recorded until its reply is delivered -------------

  // Names e's job and gives its turn a token.
  static void prepare_job(event& e, std::string id) {
    e.job = std::move(id);
    e.token = bot::random_token();
    e.what.token = e.token;
  }

  // Written before the 200: what serve and deliver need, and the turn's token.
  bool record_job(event& e, std::string id) {
    prepare_job(e, std::move(id));
    return opts_.jobs->record({e.job, dump(job_payload(e)), e.token}, owner_,
                              opts_.now() + cfg_.job_lease_seconds);
  }

  // What a job keeps of its event (the reverse of from_job).
  static json job_payload(const event& e) {
    json p = {{"team", e.c.team},
              {"channel", e.c.channel},
              {"thread", e.c.thread},
              {"user", e.c.user},
              {"text", e.what.text}};
    if (e.attempts > 0) p["attempts"] = e.attempts;
    switch (e.type) {
      case event::kind::command:
        p["kind"] = "command";
        p["response_url"] = e.response_url;
        break;
      case event::kind::click:
        p["kind"] = "click";
        p["option"] = e.what.option;
        p["question"] = e.what.expected_question;
        p["label"] = e.label;
        p["message_ts"] = e.message_ts;
        p["claim"] = e.claim;
        p["blocks"] = e.blocks;
        break;
      default:  // a mention or a direct message: no "kind" (as the first jobs were written)
        p["open"] = e.what.type == adapters::action::kind::open;
        break;
    }
    return p;
  }

  // The event a job was written for, taken over; nothing when its payload is unreadable.
  static std::optional<event> from_job(const dialogue::job& j) {
    json p = json::parse(j.payload, nullptr, false);
    if (!p.is_object()) return std::nullopt;
    event e;
    e.c = {str(p, "team"), str(p, "channel"), str(p, "thread"), str(p, "user")};
    std::string kind = str(p, "kind");
    if (kind == "command") {
      e.type = event::kind::command;
      e.what = adapters::action::open(str(p, "text"), true);
      e.response_url = str(p, "response_url");
    } else if (kind == "click") {
      e.type = event::kind::click;
      e.what = adapters::action::chose(str(p, "option"), str(p, "question"));
      e.label = str(p, "label");
      e.message_ts = str(p, "message_ts");
      e.claim = str(p, "claim");
      e.blocks = p.contains("blocks") ? p["blocks"] : json::array();
    } else {
      e.type = event::kind::text;
      e.what = p.value("open", false) ? adapters::action::open(str(p, "text"))
                                      : adapters::action::said(str(p, "text"));
    }
    e.attempts = p.value("attempts", 0);
    e.what.token = j.token;
    e.job = j.id;
    e.token = j.token;
    e.recovered = true;
    return e;
  }

  // The jobs whose holder's lease ran out, now held by this instance, as events again.
  std::vector<event> abandoned() {
    std::vector<event> out;
    if (!opts_.jobs) return out;
    std::int64_t now = opts_.now();
    for (auto& j : opts_.jobs->claim_expired(owner_, now, now + cfg_.job_lease_seconds, 32)) {
      auto e = from_job(j);
      if (!e) {
        log::error("slack_job_unreadable", {{"job", j.id}});
        opts_.jobs->done(j.id);
        continue;
      }
      count("advisor_slack_jobs_recovered_total");
      log::info("slack_job_recovered", {{"job", j.id}, {"conversation", e->c.key()}});
      out.push_back(std::move(*e));
    }
    return out;
  }

  // A mention or a direct message from a person; nothing for anything else.
  std::optional<event> said(const json& envelope) const {
    const json& ev = envelope.contains("event") ? envelope["event"] : json::object();
    if (!ev.is_object()) return std::nullopt;
    std::string type = str(ev, "type");
    std::string subtype = str(ev, "subtype");
    // Bots (ourselves included), edits, deletions, joins and the like are not someone talking
    // to us.
    if (ev.contains("bot_id") || (!subtype.empty() && subtype != "thread_broadcast"))
      return std::nullopt;
    std::string user = str(ev, "user");
    if (user.empty()) return std::nullopt;
    if (envelope.contains("authorizations") && envelope["authorizations"].is_array())
      for (const auto& a : envelope["authorizations"])
        if (str(a, "user_id") == user) return std::nullopt;
    if (envelope.contains("authed_users") && envelope["authed_users"].is_array())
      for (const auto& a : envelope["authed_users"])
        if (a.is_string() && a.get<std::string>() == user) return std::nullopt;

    std::string team = str(envelope, "team_id");
    if (team.empty()) team = str(ev, "team");
    std::string channel = str(ev, "channel");
    std::string thread = str(ev, "thread_ts");
    if (type == "app_mention") {
      // In a direct message the same words also arrive as a message event: answer that one.
      if (channel.starts_with("D")) return std::nullopt;
      if (thread.empty()) thread = str(ev, "ts");  // a new mention opens its own thread
    } else if (type == "message") {
      if (str(ev, "channel_type") != "im") return std::nullopt;  // in channels: mentions only
    } else {
      return std::nullopt;
    }
    if (team.empty() || channel.empty()) return std::nullopt;
    event e;
    e.type = event::kind::text;
    e.c = {team, channel, thread, user};
    std::string text = inbound_text(str(ev, "text"));
    // A bare mention: where we are, or a new conversation (the service's rule for an entry).
    e.what = text.empty() ? adapters::action::open() : adapters::action::said(std::move(text));
    return e;
  }

  adapters::parsed<event> parse_interaction(const adapters::http_request& req) {
    auto form = parse_form(req.body);
    json payload = json::parse(form["payload"], nullptr, false);
    if (!payload.is_object())
      return error_response(400, "invalid_payload", "The payload field is not a JSON object.");
    if (str(payload, "type") != "block_actions") return empty_ok();
    bool unavailable = false;
    if (auto e = clicked(payload, unavailable)) return std::move(*e);
    if (unavailable)
      return not_served(req, "The database that remembers clicks cannot be reached.");
    return empty_ok();
  }

  // The 503 for a verified request whose event, click or job could not be recorded: it was
  // not served, so its signature is forgotten, here and in the shared memory, and the same
  // request sent again is served rather than refused as a replay. (Should the database go
  // away between remembering the signature and this, the shared key stays until it expires:
  // only a byte-identical resend is then refused; Slack's own retries are signed anew.)
  adapters::http_response not_served(const adapters::http_request& req,
                                     const std::string& message) {
    const std::string sig = req.header("x-slack-signature");
    if (sig.size() > 3) {  // verify() accepted "v0=" + 64 hex digits
      signatures_.forget(std::string_view(sig).substr(3),
                         timestamp_value(req.header("x-slack-request-timestamp")));
      forget_shared("slack/signature/" + sig.substr(3));
    }
    auto r = error_response(503, "database_unavailable", message);
    r.headers.emplace_back("Retry-After", "5");
    return r;
  }

  // The click as an event; nothing for a click to ignore (a double click, not ours), with
  // `unavailable` set when the shared memory could not be reached.
  std::optional<event> clicked(const json& payload, bool& unavailable) {
    if (!payload.contains("actions") || !payload["actions"].is_array() ||
        payload["actions"].empty())
      return std::nullopt;
    const json& action = payload["actions"][0];
    if (!str(action, "action_id").starts_with(option_action_prefix)) return std::nullopt;
    auto value = decode_button_value(str(action, "value"));
    if (!value) return std::nullopt;
    const json& container = payload.contains("container") ? payload["container"] : json::object();
    const json& user = payload.contains("user") ? payload["user"] : json::object();
    std::string clicker = str(user, "id");
    std::string team = payload.contains("team") ? str(payload["team"], "id") : std::string{};
    if (team.empty()) team = str(user, "team_id");
    std::string channel =
        payload.contains("channel") ? str(payload["channel"], "id") : std::string{};
    if (channel.empty()) channel = str(container, "channel_id");
    std::string message_ts = str(container, "message_ts");
    if (clicker.empty() || team.empty() || channel.empty() || message_ts.empty())
      return std::nullopt;

    event e;
    if (clicker != value->owner) {
      // Someone else's question: their click must not answer it for them.
      e.type = event::kind::notice;
      e.c = {team, channel, value->thread, clicker};
      e.owner = value->owner;
      return e;
    }
    std::string claim = channel + "/" + message_ts;
    if (!clicks_.insert(claim, opts_.now())) {
      count("advisor_slack_duplicates_total", {{"kind", "click"}});
      return std::nullopt;
    }
    e.type = event::kind::click;
    e.c = {team, channel, value->thread, value->owner};
    // The service refuses an answer to a question that is no longer current.
    e.what = adapters::action::chose(value->option, value->question);
    e.blocks = payload.contains("message") && payload["message"].contains("blocks")
                   ? payload["message"]["blocks"]
                   : json::array();
    e.label = action.contains("text") ? str(action["text"], "text") : value->option;
    e.message_ts = message_ts;
    e.claim = claim;
    switch (record_first(e, "slack/click/" + claim, opts_.now() + click_ttl_seconds)) {
      case dialogue::seen_store::outcome::first:
        break;
      case dialogue::seen_store::outcome::seen:  // clicked through another instance
        count("advisor_slack_duplicates_total", {{"kind", "click"}});
        return std::nullopt;
      case dialogue::seen_store::outcome::unavailable:
        clicks_.erase(claim);  // not acknowledged: Slack's retry may be served
        unavailable = true;
        return std::nullopt;
    }
    return e;
  }

  // ---- the runner's steps ---------------------------------------------------------------

  bot::channel_key key_of(const event& e) const {
    switch (e.type) {
      case event::kind::command:
        return {"slack", "command/" + e.c.team + "/" + e.c.channel + "/" + e.c.user};
      case event::kind::notice:
        return {"slack", "ephemeral/" + e.c.user};
      default:
        return e.c.channel_key();
    }
  }

  // The turn, on a worker thread, one at a time per conversation.
  reply serve(const event& e) {
    reply r;
    r.c = e.c;
    switch (e.type) {
      case event::kind::notice:
        return r;
      case event::kind::command: {
        // The thread's root first: its ts names the conversation. A command taken over after
        // its root was posted goes on in that thread.
        if (r.c.thread.empty()) {
          auto root = post_root(e);
          if (!root) {
            r.no_root = true;
            return r;
          }
          if (!str(*root, "channel").empty()) r.c.channel = str(*root, "channel");
          r.c.thread = str(*root, "ts");
          note_thread(e, r.c);
        }
        try {
          if (auto stored = already_stored(e, r.c)) {
            r.t = std::move(stored);
            return r;
          }
          r.t = adapters::run(svc_, r.c.channel_key(), e.what);
        } catch (const adapters::turn_not_saved& ex) {
          if (!keep_for_later(e, r, ex)) fail_in_thread(r, ex);
        } catch (const std::exception& ex) {
          fail_in_thread(r, ex);
        }
        return r;
      }
      default:
        if (auto stored = already_stored(e, r.c)) {
          r.t = std::move(stored);
          return r;
        }
        try {
          r.t = adapters::run(svc_, r.c.channel_key(), e.what);
        } catch (const adapters::turn_not_saved& ex) {
          if (!keep_for_later(e, r, ex)) throw;  // the runner says sorry
        }
        return r;
    }
  }

  // A command whose thread is there: the apology goes into it.
  static void fail_in_thread(reply& r, const std::exception& ex) {
    log::error("slack_turn_failed", {{"conversation", r.c.key()}, {"error", ex.what()}});
    r.failed = true;
  }

  // A turn that could not be stored, of a request that Slack was told is done: while its job
  // has runs left, nothing is said and the job stays, so that it runs again once its lease runs
  // out, here or on another instance (its token tells whether the turn was stored after all).
  // The user gets the answer late rather than "please try again" for a message already taken.
  bool keep_for_later(const event& e, reply& r, const std::exception& ex) {
    if (e.job.empty() || !opts_.jobs || e.attempts + 1 >= job_attempts) return false;
    event next = e;
    next.c = r.c;  // a command's thread, once posted
    next.attempts = e.attempts + 1;
    if (!opts_.jobs->update(e.job, dump(job_payload(next))))
      log::warn("slack_job_not_updated", {{"job", e.job}, {"conversation", r.c.key()}});
    count("advisor_slack_jobs_deferred_total");
    log::warn("slack_turn_deferred", {{"job", e.job},
                                      {"conversation", r.c.key()},
                                      {"attempt", next.attempts},
                                      {"error", ex.what()}});
    r.later = true;
    return true;
  }

  // A job taken over from a dead holder whose turn was stored: the reply is where the
  // conversation stands now; the turn is not decided twice.
  std::optional<bot::turn> already_stored(const event& e, const conversation& c) {
    if (!e.recovered || !svc_.turn_stored(c.channel_key(), e.token)) return std::nullopt;
    return svc_.current(c.channel_key());
  }

  // A command's root is posted: its job says so, so that whoever finishes it answers in that
  // thread instead of opening another.
  void note_thread(const event& e, const conversation& c) {
    if (e.job.empty() || !opts_.jobs) return;
    event posted = e;
    posted.c = c;
    if (!opts_.jobs->update(e.job, dump(job_payload(posted))))
      log::warn("slack_job_not_updated", {{"job", e.job}, {"conversation", c.key()}});
  }

  reply failed(const event& e) {
    if (e.type == event::kind::click) {
      clicks_.erase(e.claim);  // nothing changed: the user may click again
      forget_shared("slack/click/" + e.claim);
    }
    reply r;
    r.c = e.c;
    r.failed = true;
    return r;
  }

  // Slack always defers (a zero budget): the acknowledgement is the whole HTTP answer.
  adapters::http_response respond(const reply&) const { return empty_ok(); }
  adapters::http_response defer(const event& e) const {
    if (e.type != event::kind::command) return empty_ok();
    return json_response(
        200, {{"response_type", "ephemeral"},
              {"text", "Starting the advisor in a thread in this channel. Answer there."}});
  }

  adapters::delivery deliver(const event& e, const reply& r) {
    if (e.type == event::kind::notice) {
      json body = {{"channel", e.c.channel},
                   {"user", e.c.user},
                   {"text", "These buttons answer <@" + e.owner +
                                ">'s questions. For your own advice, "
                                "mention me in this thread or use `/advisor`."}};
      if (!e.c.thread.empty()) body["thread_ts"] = e.c.thread;
      return delivered(call("chat.postEphemeral", body), "chat.postEphemeral");
    }
    if (r.no_root) return tell_privately(e);
    if (r.later) return adapters::delivery::done();  // its job answers when it runs again
    if (r.failed) {
      if (e.type == event::kind::click)
        return delivered(
            call("chat.postEphemeral",
                 {{"channel", e.c.channel},
                  {"user", e.c.user},
                  {"thread_ts", e.c.thread},
                  {"text", "Sorry, something went wrong on my side. Please click again."}}),
            "chat.postEphemeral");
      json body = {{"channel", r.c.channel},
                   {"text", "Sorry, something went wrong on my side. Please try again."}};
      if (!r.c.thread.empty()) body["thread_ts"] = r.c.thread;
      return delivered(call("chat.postMessage", body), "chat.postMessage");
    }
    if (e.type == event::kind::click) {
      // Update: the clicked message keeps the answer (or says it was too late), no buttons.
      bool stale = r.t->out.notice == dialogue::notice::stale;
      std::string note = stale ? dialogue::present(dialogue::part::stale{
                                     .typed = false, .then_now = false, .resume = ""})
                               : "\xE2\x9C\x85 <@" + r.c.user + "> chose *" + escape(e.label) + "*";
      auto updated = call("chat.update", {{"channel", r.c.channel},
                                          {"ts", e.message_ts},
                                          {"text", escape(e.label)},
                                          {"blocks", retire_buttons(e.blocks, note)}});
      {
        std::lock_guard lock(open_mutex_);
        auto it = open_.find(r.c.key());
        if (it != open_.end() && it->second.ts == e.message_ts) open_.erase(it);
      }
      if (stale) return delivered(updated, "chat.update");
    }
    return send(r.c, *r.t);
  }

  // The optional webhook: the recommendation, where the team keeps its decisions.
  adapters::delivery follow_up(const event& e, const reply& r) {
    adapters::delivery d = adapters::delivery::done();
    if (r.later) return d;  // the job stays
    if (r.t && r.t->out.just_recommended() && !cfg_.webhook_url.empty() &&
        r.t->out.notice != dialogue::notice::stale)
      d = post_webhook(r.c, *r.t->out.recommendation);
    if (!e.job.empty() && opts_.jobs) opts_.jobs->done(e.job);  // delivered (or given up)
    return d;
  }

  // ---- deliver's calls --------------------------------------------------------------------

  std::optional<json> post_root(const event& e) {
    std::string title = svc_.frameworks().front().second;
    std::string root_text = "<@" + e.c.user + "> started the advisor: *" + escape(title) + "*";
    if (!e.what.text.empty()) root_text += "\n>" + user_text(e.what.text);
    root_text += "\nThe questions and the recommendation follow in this thread.";
    return call("chat.postMessage",
                {{"channel", e.c.channel}, {"text", root_text}, {"unfurl_links", false}});
  }

  // Most often the bot is not in this channel: tell the user how to fix it, privately.
  adapters::delivery tell_privately(const event& e) const {
    if (e.response_url.empty()) return {false, 0, "no response_url to tell the user"};
    adapters::outbound_request r;
    r.url = e.response_url;
    r.body = dump({{"response_type", "ephemeral"},
                   {"text",
                    "I can't post in this channel. Invite me with `/invite @Advisor`, or message "
                    "me directly."}});
    auto res = client_.send(r);
    if (!res.ok())
      count("advisor_slack_api_errors_total",
            {{"method", "response_url"}, {"error", "http_" + std::to_string(res.status)}});
    return adapters::delivery::from(res, "response_url");
  }

  // A turn's message in its thread; the previous question's buttons retired.
  adapters::delivery send(const conversation& c, const bot::turn& t) {
    bool card = t.out.just_recommended();
    message m = render_turn(t.out, context_for(c), card);
    if (auto previous = forget(c))
      retire(*previous, t.out.notice == dialogue::notice::none ? "Answered in the thread."
                                                               : "Asked again below.");
    json body = {
        {"channel", c.channel}, {"text", m.text}, {"blocks", m.blocks}, {"unfurl_links", false}};
    if (!c.thread.empty()) body["thread_ts"] = c.thread;
    auto posted = call("chat.postMessage", body);
    bool has_buttons = false;
    for (const auto& b : m.blocks) has_buttons |= b.value("type", "") == "actions";
    if (posted && has_buttons && !str(*posted, "ts").empty())
      remember(c, {str(*posted, "channel").empty() ? c.channel : str(*posted, "channel"),
                   str(*posted, "ts"), m.blocks});
    return delivered(posted, "chat.postMessage");
  }

  void retire(const open_question& q, const std::string& note) {
    call("chat.update", {{"channel", q.channel},
                         {"ts", q.ts},
                         {"text", note},
                         {"blocks", retire_buttons(q.blocks, note)}});
  }

  void remember(const conversation& c, open_question q) {
    std::lock_guard lock(open_mutex_);
    if (open_.size() >= open_capacity && !open_.count(c.key())) open_.erase(open_.begin());
    open_[c.key()] = std::move(q);
  }

  std::optional<open_question> forget(const conversation& c) {
    std::lock_guard lock(open_mutex_);
    auto it = open_.find(c.key());
    if (it == open_.end()) return std::nullopt;
    auto q = std::move(it->second);
    open_.erase(it);
    return q;
  }

  adapters::delivery post_webhook(const conversation& c, const dialogue::recommendation& rec) {
    message card = render_recommendation(rec, context_for(c));
    json blocks = retire_buttons(card.blocks, "For <@" + c.user + "> in <#" + c.channel + ">");
    adapters::outbound_request r;
    r.url = cfg_.webhook_url;
    r.body = dump({{"text", card.text}, {"blocks", blocks}});
    count("advisor_slack_api_calls_total", {{"method", "webhook"}});
    auto res = client_.send(r);
    if (!res.ok()) {
      // The URL holds a secret: log the outcome, never the address.
      std::string error = res.status ? "http_" + std::to_string(res.status) : "transport";
      count("advisor_slack_api_errors_total", {{"method", "webhook"}, {"error", error}});
      log::warn("slack_webhook_failed",
                {{"status", res.status}, {"error", res.error}, {"attempts", res.attempts}});
      return {false, static_cast<int>(res.status), "webhook: " + error};
    }
    return adapters::delivery::done();
  }

  // A Slack Web API call; the response body when it said ok, otherwise nothing (logged,
  // counted).
  std::optional<json> call(const std::string& method, const json& body) const {
    adapters::outbound_request r;
    r.url = cfg_.api_url + "/" + method;
    r.headers = {{"Authorization", "Bearer " + cfg_.bot_token}};
    r.body = dump(body);
    count("advisor_slack_api_calls_total", {{"method", method}});
    auto res = client_.send(r);
    std::string error;
    json answer;
    if (!res.ok()) {
      error = res.status ? "http_" + std::to_string(res.status) : "transport";
    } else {
      answer = json::parse(res.body, nullptr, false);
      if (!answer.is_object())
        error = "invalid_response";
      else if (!answer.value("ok", false))
        error = str(answer, "error").empty() ? "not_ok" : str(answer, "error");
    }
    if (error.empty()) return answer;
    count("advisor_slack_api_errors_total", {{"method", method}, {"error", error}});
    log::warn("slack_api_error", {{"method", method},
                                  {"error", error},
                                  {"status", res.status},
                                  {"transport", res.error},
                                  {"attempts", res.attempts}});
    return std::nullopt;
  }

  dialogue::seen_store::outcome remember_shared(const std::string& key, std::int64_t expires_at) {
    if (!opts_.shared) return dialogue::seen_store::outcome::first;
    return opts_.shared->remember(key, expires_at, opts_.now());
  }

  void forget_shared(const std::string& key) {
    if (opts_.shared) opts_.shared->forget(key);
  }

  bool has_jobs() const { return opts_.jobs != nullptr; }

  render_context context_for(const conversation& c) const {
    return {c.user, c.thread, stack_labels_};
  }

  bot::slack_config cfg_;
  bot::service& svc_;
  options opts_;
  adapters::http_client client_;
  std::map<std::string, std::string> stack_labels_;
  adapters::replay_window signatures_;  // request signatures already served: replays
  seen_set events_;                     // event_ids already handled: Slack's retries
  seen_set clicks_;  // messages whose buttons were already clicked: double clicks
  std::string owner_ = bot::random_token();  // this process, as a job's holder
  std::mutex open_mutex_;
  std::map<std::string, open_question> open_;
};

struct adapter::runs : adapters::runner<adapter::contract> {
  using runner::runner;
};

adapter::adapter(const bot::slack_config& cfg, bot::service& svc, adapters::worker_pool& pool,
                 options opts)
    : channel_(std::make_unique<contract>(cfg, svc, std::move(opts))),
      // Always deferred: Slack gets its 200 at once and the reply through the Web API.
      runner_(std::make_unique<runs>(*channel_, pool, "slack", std::chrono::milliseconds::zero())) {
  static_assert(adapters::http_channel<contract>);
  if (channel_->has_jobs())
    sweeper_ = std::thread(
        [this, every = std::chrono::seconds(cfg.job_sweep_seconds)] { sweep_loop(every); });
}

adapter::~adapter() {
  {
    std::lock_guard lock(sweep_mutex_);
    stopping_ = true;
  }
  sweep_wake_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
}

void adapter::sweep_loop(std::chrono::seconds every) {
  std::unique_lock lock(sweep_mutex_);
  while (!stopping_) {  // at start-up first: what this instance's previous run left
    lock.unlock();
    for (auto& e : channel_->abandoned()) runner_->dispatch(std::move(e));
    lock.lock();
    sweep_wake_.wait_for(lock, every, [this] { return stopping_; });
  }
}

void adapter::register_routes(adapters::router& r) {
  r.add("POST", "/slack/commands",
        [this](const adapters::http_request& req) { return on_command(req); });
  r.add("POST", "/slack/events",
        [this](const adapters::http_request& req) { return on_event(req); });
  r.add("POST", "/slack/interactions",
        [this](const adapters::http_request& req) { return on_interaction(req); });
}

std::unique_ptr<adapter> register_routes(adapters::router& r, const bot::slack_config& cfg,
                                         bot::service& svc, adapters::worker_pool& pool,
                                         options opts) {
  auto a = std::make_unique<adapter>(cfg, svc, pool, std::move(opts));
  a->register_routes(r);
  return a;
}

adapters::http_response adapter::on_command(const adapters::http_request& req) {
  return runner_->handle(req, [this](const auto& r) { return channel_->parse_command(r); });
}

adapters::http_response adapter::on_event(const adapters::http_request& req) {
  return runner_->handle(req, [this](const auto& r) { return channel_->parse_event(r); });
}

adapters::http_response adapter::on_interaction(const adapters::http_request& req) {
  return runner_->handle(req, [this](const auto& r) { return channel_->parse_interaction(r); });
}

}  // namespace advisor::slack
