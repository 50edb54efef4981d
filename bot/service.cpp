#include "bot/service.hpp"

#include <openssl/rand.h>

#include <chrono>
#include <functional>
#include <stdexcept>

namespace advisor::bot {

namespace {

constexpr int max_conflict_retries = 3;

std::string today() {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&t));
  return buf;
}

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

service::service(const dialogue::framework& fw, const knowledge::knowledge_source& kb, session_store& store)
    : fw_(fw), engine_(fw, kb), store_(store) {}

std::mutex& service::lock_for(const std::string& key) { return locks_[std::hash<std::string>{}(key) % locks_.size()]; }

turn service::run(const channel_key& key, const dialogue::input& in, std::string_view expected_question,
                  bool create_if_missing, bool fresh) {
  std::lock_guard lock(lock_for(key.channel + '\n' + key.key));
  dialogue::input with_date = in;
  with_date.date = today();
  for (int attempt = 0;; ++attempt) {
    std::optional<dialogue::conversation_record> rec;
    if (!fresh) rec = store_.find(key);
    bool resumed = rec.has_value();
    dialogue::input step_in = with_date;
    if (!rec) {
      if (!create_if_missing) throw std::logic_error("no conversation for this key");
      rec = store_.create(key, random_token(), fw_.id + "@" + fw_.version);
      // A first message opens the conversation; a button from nowhere just starts it.
      if (in.type == dialogue::input::kind::choose) {
        turn t{rec->id, engine_.step({}, {dialogue::input::kind::start, {}, {}, with_date.date}), 0, false};
        t.out.error = "stale";
        return t;
      }
      step_in.type = dialogue::input::kind::start;
    } else if (!expected_question.empty()) {
      dialogue::outcome now = engine_.current(rec->events);
      if (now.question != expected_question) {
        now.error = "stale";
        return {rec->id, std::move(now), rec->seq, true};
      }
    }
    dialogue::outcome out = engine_.step(rec->events, step_in);
    try {
      std::uint64_t seq = store_.append(rec->id, rec->seq, out.events);
      return {rec->id, std::move(out), seq, resumed};
    } catch (const dialogue::sequence_conflict&) {
      // Another writer moved this conversation on; decide again on the newer history.
      if (attempt >= max_conflict_retries) throw;
    }
  }
}

turn service::start(const channel_key& key, std::string_view opening_text, bool fresh) {
  if (!fresh && opening_text.empty()) {
    if (auto t = current(key)) return *t;
  }
  // An opening sentence on an existing conversation is just its next message.
  if (!fresh && current(key)) return message(key, opening_text);
  return run(key, {dialogue::input::kind::start, std::string(opening_text), {}, {}}, {}, true, true);
}

turn service::message(const channel_key& key, std::string_view text) {
  return run(key, {dialogue::input::kind::text, std::string(text), {}, {}}, {}, true, false);
}

turn service::choose(const channel_key& key, std::string_view option, std::string_view expected_question) {
  return run(key, {dialogue::input::kind::choose, {}, std::string(option), {}}, expected_question, true, false);
}

std::optional<turn> service::current(const channel_key& key) {
  auto rec = store_.find(key);
  if (!rec) return std::nullopt;
  return turn{rec->id, engine_.current(rec->events), rec->seq, true};
}

std::optional<std::string> service::decision_record(const channel_key& key) {
  auto rec = store_.find(key);
  if (!rec) return std::nullopt;
  return engine_.decision_record(rec->events, today());
}

}  // namespace advisor::bot
