#include "knowledge/utc.hpp"
#include "bot/service.hpp"

#include <openssl/rand.h>

#include <chrono>
#include <functional>
#include <stdexcept>

namespace advisor::bot {

namespace {

constexpr int max_conflict_retries = 3;

std::string today() { return utc_now(false, true); }

}  // namespace

std::string random_token() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("the system's random source failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(32);
  for (unsigned char b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 0xF];
  }
  return out;
}

service::service(std::vector<const dialogue::framework*> frameworks, const knowledge::knowledge_source& kb,
                 session_store& store)
    : store_(store) {
  if (frameworks.empty()) throw std::invalid_argument("the service needs at least one framework");
  for (const auto* fw : frameworks) engines_.push_back(std::make_unique<dialogue::engine>(*fw, kb));
}

std::vector<std::pair<std::string, std::string>> service::frameworks() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : engines_) out.emplace_back(e->fw().id, e->fw().title);
  return out;
}

bool service::has_framework(std::string_view id) const {
  for (const auto& e : engines_)
    if (e->fw().id == id) return true;
  return false;
}

const dialogue::engine& service::engine_for(std::string_view framework) const {
  std::string_view id = framework.substr(0, framework.find('@'));
  for (const auto& e : engines_)
    if (e->fw().id == id) return *e;
  return *engines_.front();
}

std::size_t service::stripe_of(const std::string& key) const { return std::hash<std::string>{}(key) % stripes; }

turn service::run(const channel_key& key, const dialogue::input& in, std::string_view expected_question,
                  bool fresh, std::string_view framework) {
  const std::string cache_key = key.channel + '\n' + key.key;
  const std::size_t stripe = stripe_of(cache_key);
  std::lock_guard lock(locks_[stripe]);
  auto& cache = cache_[stripe];
  dialogue::input with_date = in;
  with_date.date = today();
  for (int attempt = 0;; ++attempt) {
    std::optional<dialogue::conversation_record> rec;
    if (!fresh) {
      if (auto it = cache.find(cache_key); it != cache.end()) rec = it->second;
      else rec = store_.find(key);
    }
    bool resumed = rec.has_value();
    dialogue::input step_in = with_date;
    if (!rec) {
      const auto& fw = engine_for(framework).fw();
      rec = store_.create(key, random_token(), fw.id + "@" + fw.version);
      // A first message opens the conversation; a button from nowhere just starts it.
      if (in.type == dialogue::input::kind::choose) {
        turn t{rec->id, engine_for(rec->framework).step({}, {dialogue::input::kind::start, {}, {}, with_date.date}), 0,
               false};
        t.out.error = "stale";
        return t;
      }
      step_in.type = dialogue::input::kind::start;
    } else if (!expected_question.empty()) {
      dialogue::outcome now = engine_for(rec->framework).current(rec->events);
      if (now.question != expected_question) {
        now.error = "stale";
        return {rec->id, std::move(now), rec->seq, true};
      }
    }
    dialogue::outcome out = engine_for(rec->framework).step(rec->events, step_in);
    try {
      std::uint64_t seq = store_.append(rec->id, rec->seq, out.events);
      // Remember the record as it now stands (from its last restart on, as the store keeps it).
      rec->seq = seq;
      for (const auto& e : out.events) {
        if (e.kind == dialogue::event_kind::restart) rec->events.clear();
        rec->events.push_back(e);
      }
      if (cache.size() >= cached_per_stripe) cache.clear();
      cache[cache_key] = *rec;
      turn t{rec->id, std::move(out), seq, resumed};
      if (observer_) observer_(key, t);
      return t;
    } catch (const dialogue::sequence_conflict&) {
      // Another writer moved this conversation on; decide again on the newer history.
      cache.erase(cache_key);
      if (attempt >= max_conflict_retries) throw;
    }
  }
}

turn service::start(const channel_key& key, std::string_view opening_text, bool fresh, std::string_view framework) {
  if (!framework.empty() && !has_framework(framework))
    throw std::invalid_argument("unknown framework \"" + std::string(framework) + "\"");
  if (!fresh && opening_text.empty()) {
    if (auto t = current(key)) return *t;
  }
  // An opening sentence on an existing conversation is just its next message.
  if (!fresh && current(key)) return message(key, opening_text);
  return run(key, {dialogue::input::kind::start, std::string(opening_text), {}, {}}, {}, true, framework);
}

turn service::message(const channel_key& key, std::string_view text) {
  return run(key, {dialogue::input::kind::text, std::string(text), {}, {}}, {}, false, {});
}

turn service::choose(const channel_key& key, std::string_view option, std::string_view expected_question) {
  return run(key, {dialogue::input::kind::choose, {}, std::string(option), {}}, expected_question, false, {});
}

std::optional<turn> service::current(const channel_key& key) {
  auto rec = store_.find(key);
  if (!rec) return std::nullopt;
  return turn{rec->id, engine_for(rec->framework).current(rec->events), rec->seq, true};
}

std::optional<std::string> service::decision_record(const channel_key& key) {
  auto rec = store_.find(key);
  if (!rec) return std::nullopt;
  return engine_for(rec->framework).decision_record(rec->events, today());
}

}  // namespace advisor::bot
