#include "adapters/common/protocol.hpp"

#include <algorithm>
#include <array>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_map>
#include <utility>

#include "adapters/common/flat_frame.hpp"
#include "adapters/common/json_writer.hpp"
#include "bot/infra/log.hpp"
#include "dialogue/presentation.hpp"

namespace advisor::bot {

using nlohmann::json;

namespace {

// Text from users may hold invalid UTF-8 (the JSON parser already refuses it in frames, but
// other channels reach here too): replace rather than throw when writing it back.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void write_strings(json_writer& w, const std::vector<std::string>& items) {
  w.begin_array();
  for (const auto& s : items) w.value(s);
  w.end_array();
}

// "sources": the titles; "source_urls" beside them, index for index ("" for none), only when
// one of them has a known address (older clients read the titles alone).
void write_sources(json_writer& w, const std::vector<dialogue::source_ref>& sources) {
  w.key("sources").begin_array();
  bool linked = false;
  for (const auto& s : sources) {
    w.value(s.title);
    linked = linked || !s.url.empty();
  }
  w.end_array();
  if (!linked) return;
  w.key("source_urls").begin_array();
  for (const auto& s : sources) w.value(s.url);
  w.end_array();
}

void write_reasons(json_writer& w, const std::vector<dialogue::reason>& reasons) {
  w.begin_array();
  for (const auto& reason : reasons) {
    w.begin_object().key("text").value(reason.text);
    write_sources(w, reason.sources);
    w.end_object();
  }
  w.end_array();
}

void write_recommendation(json_writer& w, const dialogue::recommendation& r) {
  w.begin_object();
  w.key("choice").value(r.choice);
  w.key("choice_label").value(r.choice_label);
  w.key("confidence").value(r.confidence);
  w.key("scores").begin_object();
  for (const auto& [stack, points] : r.scores) w.key(stack).value(points);
  w.end_object();
  w.key("reasons");
  write_reasons(w, r.reasons);
  w.key("context");
  write_reasons(w, r.context);
  w.key("contested").begin_array();
  for (const auto& c : r.contested) {
    w.begin_object()
        .key("id")
        .value(c.id)
        .key("summary")
        .value(c.summary)
        .key("sides")
        .begin_array();
    for (const auto& side : c.sides) {
      w.begin_object().key("position").value(side.position).key("claim").value(side.claim);
      write_sources(w, side.sources);
      w.end_object();
    }
    w.end_array().end_object();
  }
  w.end_array();
  w.key("next_steps");
  write_strings(w, r.next_steps);
  w.key("unknowns");
  write_strings(w, r.unknowns);
  w.end_object();
}

}  // namespace

std::string echo(std::string_view text) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // inside a character
    if (chars++ == echo_limit) return std::string(text.substr(0, i)) + "...";
  }
  return std::string(text);
}

std::string error_frame(std::string_view code, std::string_view message) {
  return dump({{"type", "error"}, {"code", code}, {"message", message}});
}

namespace {

void write_options(json_writer& w, const std::vector<dialogue::option_view>& options) {
  w.begin_array();
  for (const auto& o : options)
    w.begin_object()
        .key("id")
        .value(o.id)
        .key("label")
        .value(o.label)
        .key("role")
        .value(dialogue::to_string(o.role))
        .end_object();
  w.end_array();
}

// The written form of what repeats from turn to turn, kept per thread (no lock): a question's
// options (checked in full against the turn's before use: the same question id in another
// framework, or version of one, may offer others) and the recommendation (the engine shares
// one per set of answers and never changes it, so the object itself is the key; the entry
// keeps it alive, so its address is not reused while remembered).
class written_parts {
 public:
  std::string_view options(const std::string& question,
                           const std::vector<dialogue::option_view>& options) {
    auto it = options_.find(question);
    if (it != options_.end() && same(it->second.options, options)) return it->second.json;
    if (options_.size() >= capacity) options_.clear();
    json_writer w;
    write_options(w, options);
    auto& entry = options_[question];
    entry.options = options;
    entry.json = w.take();
    return entry.json;
  }

  std::string_view recommendation(const std::shared_ptr<const dialogue::recommendation>& r) {
    for (const auto& e : recommendations_)
      if (e.of == r) return e.json;
    json_writer w;
    write_recommendation(w, *r);
    auto& e = recommendations_[next_++ % recommendations_.size()];
    e.of = r;
    e.json = w.take();
    return e.json;
  }

 private:
  static constexpr std::size_t capacity = 256;

  static bool same(const std::vector<dialogue::option_view>& a,
                   const std::vector<dialogue::option_view>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
      return x.role == y.role && x.id == y.id && x.label == y.label;
    });
  }

  struct written_options {
    std::vector<dialogue::option_view> options;
    std::string json;
  };
  struct written_recommendation {
    std::shared_ptr<const dialogue::recommendation> of;
    std::string json;
  };
  std::unordered_map<std::string, written_options> options_;
  std::array<written_recommendation, 8> recommendations_;
  std::size_t next_ = 0;
};

thread_local written_parts written;

}  // namespace

std::string reply_frame(const turn& t) {
  const auto& out = t.out;
  std::string_view options = written.options(out.question, out.options);
  std::string_view recommendation =
      out.recommendation ? written.recommendation(out.recommendation) : std::string_view();
  json_writer w;
  w.reserve(192 + out.text.size() + options.size() + recommendation.size());
  w.begin_object();
  w.key("type").value("reply");
  w.key("text").value(out.text);
  w.key("options").raw(options);
  w.key("progress")
      .begin_object()
      .key("step")
      .value(out.progress.step)
      .key("total")
      .value(out.progress.total)
      .end_object();
  w.key("question").value(out.question);
  w.key("stage").value(dialogue::to_string(out.stage));
  w.key("finished").value(out.finished);
  if (!out.error.empty()) w.key("notice").value(out.error);
  if (out.action != dialogue::command::none)
    w.key("understood").value(dialogue::to_string(out.action));
  if (out.recommendation) w.key("recommendation").raw(recommendation);
  if (!t.history.empty()) {
    w.key("history").begin_array();
    for (const auto& m : t.history) {
      w.begin_object().key("from").value(to_string(m.from)).key("text").value(m.text);
      if (!m.at.empty()) w.key("at").value(m.at);
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
  return w.take();
}

std::string session_frame(std::string_view token, bool resumed,
                          const std::vector<std::pair<std::string, std::string>>* offered) {
  json f = {{"type", "session"}, {"session", token}, {"resumed", resumed}};
  if (offered) {
    json list = json::array();
    for (const auto& [id, title] : *offered) list.push_back({{"id", id}, {"title", title}});
    f["frameworks"] = std::move(list);
  }
  return dump(f);
}

namespace {

// The members parse_frame reads, from a frame the full parser read (views into `msg`).
frame_fields fields_of(const json& msg) {
  frame_fields out;
  for (const auto& [key, v] : msg.items()) {
    frame_value* slot = out.find(key);
    if (!slot) continue;
    if (v.is_string()) {
      slot->is = frame_value::kind::string;
      slot->text = v.get_ref<const std::string&>();
    } else if (v.is_boolean()) {
      slot->is = frame_value::kind::boolean;
      slot->boolean = v.get<bool>();
    } else {
      slot->is = v.is_null() ? frame_value::kind::null : frame_value::kind::other;
    }
  }
  return out;
}

std::variant<std::string, client_message> read_message(const frame_fields& msg,
                                                       std::string_view channel,
                                                       std::string_view token) {
  using opening = client_message::opening;
  using kind = frame_value::kind;
  if (msg.type.is != kind::string)
    return error_frame("unknown_type", "A message needs a \"type\": start, message or choose.");
  std::string_view type = msg.type.text;
  // Absent or null: empty; not a string: nullopt.
  auto text_of = [](const frame_value& v) -> std::optional<std::string> {
    if (v.is == kind::missing || v.is == kind::null) return std::string{};
    if (v.is != kind::string) return std::nullopt;
    return std::string(v.text);
  };
  auto flag_ok = [](const frame_value& v) {
    return v.is == kind::missing || v.is == kind::boolean;
  };
  client_message m;
  m.in.key.channel = channel;
  // A new session: a fresh conversation under a token the caller makes.
  auto create = [&](std::string text, std::string framework) {
    m.session = opening::created;
    m.in.what = adapters::action::open(std::move(text), true);
    m.in.what.framework = std::move(framework);
    return std::move(m);
  };
  if (type == "start") {
    auto session = text_of(msg.session);
    auto text = text_of(msg.text);
    auto framework = text_of(msg.framework);
    if (!session || !text || !framework || !flag_ok(msg.fresh) || !flag_ok(msg.history))
      return error_frame("invalid_message",
                         "\"session\", \"text\" and \"framework\" must be strings, "
                         "\"fresh\" and \"history\" true or false.");
    if (session->empty()) return create(std::move(*text), std::move(*framework));
    // Resuming: the session must exist; a fresh start replaces its conversation.
    m.session = opening::resumed;
    m.in.key.key = std::move(*session);
    m.in.what = adapters::action::resume(std::move(*text), msg.fresh.boolean, msg.history.boolean);
    m.in.what.framework = std::move(*framework);
    return m;
  }
  if (type == "message") {
    auto text = text_of(msg.text);
    if (!text || text->empty())
      return error_frame("invalid_message", "A message needs a non-empty \"text\" string.");
    if (token.empty()) return create(std::move(*text), {});
    m.in.key.key = token;
    m.in.what = adapters::action::said(std::move(*text));
    return m;
  }
  if (type == "choose") {
    auto option = text_of(msg.option);
    auto question = text_of(msg.question);
    if (!option || option->empty() || !question)
      return error_frame("invalid_message", "A choose message needs an \"option\" id string.");
    if (token.empty())
      return error_frame("bad_session", "Start a conversation first: {\"type\":\"start\"}.");
    m.in.key.key = token;
    // The service refuses it (notice::stale) when `question` is no longer the current one.
    m.in.what = adapters::action::chose(std::move(*option), std::move(*question));
    return m;
  }
  return error_frame("unknown_type",
                     "Unknown message type \"" + echo(type) + "\": use start, message or choose.");
}

}  // namespace

std::variant<std::string, client_message> parse_frame(std::string_view frame,
                                                      std::string_view channel,
                                                      std::string_view token) {
  if (frame.size() > max_message_bytes)
    return error_frame("too_large", "Messages are limited to 64 KiB.");
  // The widget's frames are read without a JSON tree; anything else by the full parser.
  if (auto flat = scan_flat_frame(frame)) return read_message(*flat, channel, token);
  json msg = json::parse(frame, nullptr, false);
  if (msg.is_discarded())
    return error_frame("invalid_json", "That message is not valid JSON (UTF-8 text expected).");
  if (!msg.is_object())
    return error_frame("invalid_json", "A message must be a JSON object with a \"type\".");
  return read_message(fields_of(msg), channel, token);
}

std::vector<std::string> render_reply(const reply_context& c, const result& res) {
  using opening = client_message::opening;
  if (res.state == result::status::unknown_session)
    return {error_frame("bad_session",
                        "That session is unknown or has expired. Send {\"type\":\"start\"} "
                        "without a session to begin a new one.")};
  const turn& t = res.t;
  if (c.session != opening::none) return {c.session_frame, reply_frame(t)};
  if (c.choice) {
    // The notices' words are the core's presentation module's, the same on every channel.
    if (t.out.notice == dialogue::notice::unknown_option)
      return {error_frame("unknown_option",
                          dialogue::present(dialogue::part::unknown_option{c.option}))};
    if (t.out.notice == dialogue::notice::stale)
      return {error_frame("stale_option", dialogue::present(dialogue::part::stale{
                                              .typed = false, .then_now = true, .resume = ""})),
              reply_frame(t)};
  }
  return {reply_frame(t)};
}

json_session::json_session(service& svc, std::string channel, executor ex)
    : svc_(svc), channel_(std::move(channel)), ex_(std::move(ex)) {}

namespace {

std::string internal_error(const std::string& channel, const std::string& failure) {
  log::error("turn_failed", {{"channel", channel}, {"error", failure}});
  return error_frame(
      "internal",
      "Something went wrong on our side and your last message was not saved. Please try again.");
}

// Which json_session::submit call this thread is in (0: none). The service answers a turn
// either inside submit, on the caller's thread, or later on the service's reader thread (it read
// the record) or on whichever thread committed it, which may be the caller's thread again (a
// server's loop commits on its own threads).
thread_local std::uint64_t active_call = 0;
thread_local std::uint64_t calls_made = 0;

}  // namespace

void json_session::submit(const channel_key& key, request r, reply_context c, reply_fn reply) {
  const auto caller = std::this_thread::get_id();
  const std::uint64_t call = ++calls_made;
  const std::uint64_t outer = std::exchange(active_call, call);
  struct restore {
    std::uint64_t outer;
    ~restore() { active_call = outer; }
  } on_return{outer};
  // A resumed session becomes this connection's once the service knows it.
  std::string adopt = c.session == client_message::opening::resumed ? key.key : std::string();
  svc_.submit(key, std::move(r),
              [this, c = std::move(c), adopt = std::move(adopt), reply = std::move(reply), ex = ex_,
               caller, call](result res) mutable {
                auto work = [this, c = std::move(c), adopt = std::move(adopt),
                             reply = std::move(reply), res = std::move(res)]() mutable {
                  if (res.state == result::status::failed)
                    return reply({internal_error(channel_, res.failure)});
                  if (!adopt.empty() && res.state == result::status::ok) token_ = std::move(adopt);
                  reply(render_reply(c, res));
                };
                // Answered at once, inside this call: go on here. Otherwise hand it over.
                if (!ex || (std::this_thread::get_id() == caller && active_call == call))
                  work();
                else
                  ex(std::move(work));
              });
}

json_session::frames json_session::handle(std::string_view frame) {
  std::promise<frames> p;
  auto f = p.get_future();
  handle(frame, [&p](frames out) { p.set_value(std::move(out)); });
  return f.get();
}

void json_session::handle(std::string_view frame, reply_fn reply) {
  auto parsed = parse_frame(frame, channel_, token_);
  if (auto* refused = std::get_if<std::string>(&parsed)) return reply({std::move(*refused)});
  client_message& m = std::get<client_message>(parsed);
  try {
    const std::string& framework = m.in.what.framework;
    if (!framework.empty() && !svc_.has_framework(framework)) {
      std::string ids;
      for (const auto& [id, title] : svc_.frameworks()) ids += (ids.empty() ? "" : ", ") + id;
      return reply({error_frame("unknown_framework", "Unknown framework \"" + echo(framework) +
                                                         "\"; available: " + ids + ".")});
    }
    reply_context c;
    c.session = m.session;
    if (m.in.what.type == adapters::action::kind::option) {
      c.choice = true;
      c.option = m.in.what.option;
    }
    if (m.session == client_message::opening::created) {
      token_ = random_token();
      m.in.key.key = token_;
      auto offered = svc_.frameworks();
      c.session_frame = session_frame(token_, false, &offered);
    } else if (m.session == client_message::opening::resumed) {
      c.session_frame = session_frame(m.in.key.key, true, nullptr);
    }
    return submit(m.in.key, adapters::to_request(std::move(m.in.what)), std::move(c),
                  std::move(reply));
  } catch (const std::exception& e) {
    return reply({internal_error(channel_, e.what())});
  }
}

}  // namespace advisor::bot
