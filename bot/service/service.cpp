#include "bot/service/service.hpp"

#include <openssl/rand.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <stdexcept>

#include "bot/infra/log.hpp"
#include "bot/infra/utc.hpp"

namespace advisor::bot {

namespace {

constexpr std::size_t max_batch = 1024;

std::string today() { return utc_now(false, true); }

result ok(turn t) { return {result::status::ok, std::move(t), {}}; }
result failed(std::string why) { return {result::status::failed, {}, std::move(why)}; }

}  // namespace

std::string random_token() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    throw std::runtime_error("the system's random source failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(32);
  for (unsigned char b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 0xF];
  }
  return out;
}

std::string conversation_id() {
  // Milliseconds since the epoch as 12 hex digits, so conversations started around the same
  // time sit side by side in the store's indexes (a batch of turns touches few pages), then
  // 128 random bits.
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  char prefix[16];
  std::snprintf(prefix, sizeof prefix, "%012llx",
                static_cast<unsigned long long>(ms) & 0xFFFFFFFFFFFFull);
  return prefix + random_token();
}

service::service(std::vector<const dialogue::framework*> frameworks,
                 const knowledge::knowledge_source& kb, session_store& store)
    : kb_(kb), store_(store) {
  if (frameworks.empty()) throw std::invalid_argument("the service needs at least one framework");
  for (const auto* fw : frameworks) engines_.push_back(std::make_unique<dialogue::engine>(*fw, kb));
  writer_ = std::thread([this] { writer_loop(); });
  reader_ = std::thread([this] { reader_loop(); });
}

service::~service() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
    committer_ = {};
  }
  queue_wake_.notify_one();
  read_wake_.notify_one();
  writer_.join();
  reader_.join();
  if (stats_.commits > 0)
    log::info("writer_stopped", {{"turns", stats_.turns},
                                 {"commits", stats_.commits},
                                 {"largest_batch", stats_.largest_batch},
                                 {"longest_commit_us", stats_.longest_commit_us},
                                 {"commits_over_5ms", stats_.commits_over_5ms}});
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

const dialogue::engine& service::current_engine(std::string_view id) const {
  for (const auto& e : engines_)
    if (e->fw().id == id) return *e;
  return *engines_.front();
}

std::shared_ptr<const dialogue::engine> service::engine_for(std::string_view framework) const {
  const auto at = framework.find('@');
  const std::string_view id = framework.substr(0, at);
  const std::string_view version =
      at == std::string_view::npos ? std::string_view() : framework.substr(at + 1);
  for (const auto& e : engines_)
    if (e->fw().id == id && (at == std::string_view::npos || e->fw().version == version))
      return {std::shared_ptr<const dialogue::engine>(), e.get()};  // owned by the service
  if (at == std::string_view::npos) return nullptr;
  std::unique_lock lock(older_mutex_);
  for (auto it = older_.begin(); it != older_.end(); ++it)
    if (it->first == framework) {
      older_.splice(older_.begin(), older_, it);
      return {older_.front().second, &older_.front().second->eng};
    }
  if (missing_.missing(std::string(framework), miss_memory::clock::now())) return nullptr;
  lock.unlock();
  // Read and parsed outside the lock: a look-up is rare (the first turn of such a conversation
  // since this instance started; for a version stored nowhere, one per missing_version_memory),
  // and two at once only parse it twice (the first one kept).
  auto document = store_.framework_document(std::string(id), std::string(version));
  if (!document) {
    log::warn("framework_version_missing", {{"framework", std::string(framework)}});
    lock.lock();
    missing_.remember(std::string(framework), miss_memory::clock::now());
    return nullptr;
  }
  auto loaded = std::make_shared<const older_engine>(
      dialogue::parse_framework(*document, "stored framework " + std::string(framework)), kb_);
  lock.lock();
  for (const auto& [key, kept] : older_)
    if (key == framework) return {kept, &kept->eng};
  missing_.forget(std::string(framework));
  older_.emplace_front(std::string(framework), loaded);
  if (older_.size() > older_engines) older_.pop_back();
  return {loaded, &loaded->eng};
}

service::stripe& service::stripe_for(const std::string& slot_key) {
  return stripes_[std::hash<std::string>{}(slot_key) % stripes];
}

void service::drain() const {
  while (in_flight_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

service::commit_stats service::stats() const {
  std::lock_guard lock(queue_mutex_);
  return stats_;
}

void service::submit(const channel_key& key, request r, done_fn done) {
  if (r.type == request::kind::start && !r.framework.empty() && !has_framework(r.framework))
    throw std::invalid_argument("unknown framework \"" + r.framework + "\"");
  ++in_flight_;
  auto j = std::make_unique<job>();
  j->key = key;
  j->slot_key.reserve(key.channel.size() + 1 + key.key.size());
  j->slot_key.append(key.channel).append(1, '\n').append(key.key);
  j->r = std::move(r);
  j->done = std::move(done);
  stripe& st = stripe_for(j->slot_key);
  {
    std::lock_guard lock(st.mutex);
    auto it = st.slots.find(j->slot_key);
    if (it == st.slots.end()) {
      if (st.slots.size() >= slots_per_stripe) {
        // Forget the records no turn is using; they are read again when needed.
        std::erase_if(st.slots, [](const auto& kv) { return !kv.second.busy; });
      }
      it = st.slots.emplace(j->slot_key, slot{}).first;
    }
    slot& s = it->second;
    if (s.busy) {
      s.waiting.emplace_back(std::move(j->r), std::move(j->done));
      return;
    }
    s.busy = true;
    j->s = &s;
  }
  drive(std::move(j));
}

// The token stored with a turn's events: the caller's (a job that must tell later whether its
// turn was stored), else a new one with a networked store (an unknown commit outcome is
// resolved with it), else none.
std::string service::turn_token(const request& r) const {
  if (!r.token.empty()) return r.token;
  return store_.networked() ? random_token() : std::string();
}

bool service::turn_stored(const channel_key& key, const std::string& token) {
  return store_.turn_stored(key, token);
}

bool service::decide(job& j, result& now) {
  slot& s = *j.s;
  const request& r = j.r;
  const bool afresh =
      r.type == request::kind::start && r.fresh && !r.must_exist && r.expected_conversation.empty();
  if (!afresh && !s.loaded) return false;  // the reader reads the record first
  // Another instance may have moved the conversation on since it was read: with a networked
  // store, a turn that only reads is answered once a check in the next commit has found the
  // record still current (or decided again on the fresh one).
  const bool verify = store_.networked() && !j.just_read;
  auto answer = [&](turn t) {
    if (!verify || !s.rec) {
      now = ok(std::move(t));
      return true;
    }
    j.write = {};
    j.write.conversation = s.rec->id;
    j.write.expected_seq = s.rec->seq;
    j.write.via = j.key;
    j.t = std::move(t);
    return false;
  };

  dialogue::input in;
  in.date = today();
  auto new_conversation = [&](std::string_view framework, std::string text, bool stale) {
    const auto& eng = current_engine(framework);
    in.type = dialogue::input::kind::start;
    in.text = std::move(text);
    dialogue::outcome out = eng.step({}, in);
    if (stale) {
      out.notice = dialogue::notice::stale;
      out.error = dialogue::to_string(out.notice);
    }
    j.write = {};
    j.write.conversation = conversation_id();
    j.write.bind = j.key;
    // Compare-and-set: the key must still be bound as this instance saw it (a fresh start
    // that read nothing replaces whatever is there, as asked).
    if (s.loaded) j.write.bound_to = s.rec ? s.rec->id : std::string();
    j.write.token = turn_token(r);
    j.write.framework = eng.fw().id + "@" + eng.fw().version;
    j.write.events = out.events;
    j.t = turn{j.write.conversation, std::move(out), j.write.events.size(), false, {}};
    return false;
  };

  // The engine of the version the conversation started on. When it cannot be found, nothing
  // changes and the turn says so, whatever was asked (a fresh start, or a channel's entry,
  // starts a new one).
  std::shared_ptr<const dialogue::engine> eng;
  if (s.rec) {
    eng = engine_for(s.rec->framework);
    if (!eng && !(r.type == request::kind::start && r.fresh)) {
      if (r.type == request::kind::open) return new_conversation(r.framework, r.text, false);
      dialogue::outcome none;
      none.notice = dialogue::notice::framework_unavailable;
      none.error = dialogue::to_string(none.notice);
      none.parts.push_back(dialogue::part::framework_unavailable{});
      none.text = dialogue::present(none.parts);
      return answer(turn{s.rec->id, std::move(none), s.rec->seq, true, {}});
    }
  }

  // A button made for another conversation or question than the key's current one: nothing
  // changes. One rule for every channel's buttons (request::expected_question).
  const bool button = r.type == request::kind::choose || r.type == request::kind::command ||
                      r.type == request::kind::start;
  if (button && !s.rec && !r.expected_conversation.empty()) {
    if (verify) {  // another instance may have started one meanwhile: read again
      s.loaded = false;
      j.write = {};
      return false;
    }
    dialogue::outcome none;
    none.notice = dialogue::notice::stale;
    none.error = dialogue::to_string(none.notice);
    return answer(turn{{}, std::move(none), 0, false, {}});
  }
  if (button && s.rec && eng) {
    if ((!r.expected_conversation.empty() &&
         !std::string_view(s.rec->id).ends_with(r.expected_conversation)) ||
        (!r.expected_question.empty() && eng->pending_question(s.now) != r.expected_question)) {
      dialogue::outcome cur = eng->current(s.rec->events, s.now);
      cur.notice = dialogue::notice::stale;
      cur.error = dialogue::to_string(cur.notice);
      return answer(turn{s.rec->id, std::move(cur), s.rec->seq, true, {}});
    }
  }

  switch (r.type) {
    case request::kind::start:
      if (r.must_exist && !s.rec) {
        if (verify) {  // another instance may have started one meanwhile: read again
          s.loaded = false;
          j.write = {};
          return false;
        }
        now = {result::status::unknown_session, {}, {}};
        return true;
      }
      if (r.fresh || !s.rec) return new_conversation(r.framework, r.text, false);
      if (r.text.empty()) {
        turn t{s.rec->id, eng->current(s.rec->events, s.now), s.rec->seq, true, {}};
        if (r.history) t.history = transcript(*eng, s.rec->events, s.rec->times);
        return answer(std::move(t));
      }
      in.type = dialogue::input::kind::text;
      in.text = r.text;
      break;
    case request::kind::open: {
      if (s.rec) {
        dialogue::outcome cur = eng->current(s.rec->events, s.now);
        if (!cur.finished && !cur.question.empty()) {
          if (r.text.empty()) return answer(turn{s.rec->id, std::move(cur), s.rec->seq, true, {}});
          in.type = dialogue::input::kind::text;
          in.text = r.text;
          break;
        }
      }
      return new_conversation(r.framework, r.text, false);
    }
    case request::kind::message:
      if (!s.rec) return new_conversation({}, r.text, false);
      in.type = dialogue::input::kind::text;
      in.text = r.text;
      break;
    case request::kind::choose:
      // A button from nowhere just starts a conversation.
      if (!s.rec) return new_conversation({}, {}, true);
      in.type = dialogue::input::kind::choose;
      in.option = r.option;
      break;
    case request::kind::command:
      // A button from nowhere just starts a conversation.
      if (!s.rec) return new_conversation({}, {}, true);
      in.type = dialogue::input::kind::command;
      in.action = r.action;
      break;
  }
  const auto& rec = *s.rec;
  dialogue::outcome out = eng->step(rec.events, s.now, in);
  if (out.events.empty()) return answer(turn{rec.id, std::move(out), rec.seq, true, {}});
  j.write = {};
  j.write.conversation = rec.id;
  j.write.via = j.key;
  j.write.token = turn_token(r);
  j.write.expected_seq = rec.seq;
  j.write.events = out.events;
  j.t = turn{rec.id, std::move(out), rec.seq + j.write.events.size(), true, {}};
  return false;
}

void service::drive(std::unique_ptr<job> j) {
  while (j) {
    result now;
    bool answered;
    try {
      if (decide_hook_) decide_hook_(j->key, j->r);
      answered = decide(*j, now);
    } catch (const std::exception& e) {
      answered = true;
      now = failed(e.what());
    }
    if (!answered) return enqueue(std::move(j));
    j = finish(std::move(j), std::move(now));
  }
}

std::unique_ptr<service::job> service::finish(std::unique_ptr<job> j, result r) {
  try {
    if (r.state == result::status::ok && observer_) observer_(j->key, r.t);
    j->done(std::move(r));
  } catch (const std::exception& e) {
    log::error("turn_callback_failed", {{"channel", j->key.channel}, {"error", e.what()}});
  }
  if (--in_flight_ == 0) {
    // The last turn answered: a stopping reader or writer may now end.
    std::lock_guard lock(queue_mutex_);
    if (stopping_) {
      queue_wake_.notify_one();
      read_wake_.notify_one();
    }
  }
  stripe& st = stripe_for(j->slot_key);
  std::lock_guard lock(st.mutex);
  slot& s = *j->s;
  if (s.forget) {  // its conversation expired during this turn
    s.forget = false;
    s.loaded = false;
    s.rec.reset();
    s.now = {};
  }
  if (s.waiting.empty()) {
    s.busy = false;
    return nullptr;
  }
  j->r = std::move(s.waiting.front().first);
  j->done = std::move(s.waiting.front().second);
  s.waiting.pop_front();
  j->attempts = 0;
  j->just_read = false;
  j->write = {};
  j->t = {};
  return j;
}

std::size_t service::expire_idle(std::chrono::system_clock::time_point idle_before,
                                 std::size_t batch) {
  std::size_t total = 0;
  for (;;) {
    dialogue::expired_conversations gone = store_.expire_idle(idle_before, batch);
    total += gone.conversations;
    for (const auto& key : gone.keys) {
      std::string slot_key = key.channel + '\n' + key.key;
      stripe& st = stripe_for(slot_key);
      std::lock_guard lock(st.mutex);
      auto it = st.slots.find(slot_key);
      if (it == st.slots.end()) continue;
      if (it->second.busy)
        it->second.forget = true;  // the turn holding it finishes first
      else
        st.slots.erase(it);
    }
    if (gone.conversations < batch || batch == 0) return total;
  }
}

void service::enqueue(std::unique_ptr<job> j) {
  if (j->write.conversation.empty()) {  // its record first, on the reader thread
    {
      std::lock_guard lock(queue_mutex_);
      reads_.push_back(std::move(j));
    }
    read_wake_.notify_one();
    return;
  }
  committer post;
  bool writer_commits = false;
  {
    std::lock_guard lock(queue_mutex_);
    queue_.push_back(std::move(j));
    writer_commits = !committer_;
    post = claim_flush();
  }
  if (post) return post_flush(post);
  if (writer_commits) queue_wake_.notify_one();
}

service::committer service::claim_flush() {
  if (!committer_ || flush_posted_ || committing_ || queue_.empty()) return {};
  flush_posted_ = true;
  return committer_;
}

void service::post_flush(const committer& post) {
  post([this] { flush(); });
}

void service::set_committer(committer post) {
  // A networked store's commit is a round trip: never on an event loop.
  if (store_.networked()) return;
  {
    std::lock_guard lock(queue_mutex_);
    committer_ = std::move(post);
    flush_posted_ = false;  // one queued on the old committer may never run
  }
  queue_wake_.notify_one();
}

void service::flush() {
  std::vector<std::unique_ptr<job>> batch;
  {
    std::lock_guard lock(queue_mutex_);
    flush_posted_ = false;
    // Whoever commits now posts again after; a committer cleared meanwhile has already
    // handed the queue to the writer thread.
    if (committing_ || queue_.empty() || !committer_) return;
    committing_ = true;
    take_batch(batch);
  }
  auto next = commit_batch(batch);
  after_commit();
  drive_all(std::move(next));
}

void service::drive_all(std::vector<std::unique_ptr<job>> next) {
  for (auto& j : next) drive(std::move(j));
}

void service::take_batch(std::vector<std::unique_ptr<job>>& batch) {
  if (queue_.size() <= max_batch) {
    batch.swap(queue_);
  } else {
    batch.assign(std::make_move_iterator(queue_.begin()),
                 std::make_move_iterator(queue_.begin() + max_batch));
    queue_.erase(queue_.begin(), queue_.begin() + max_batch);
  }
}

void service::writer_loop() {
  std::vector<std::unique_ptr<job>> batch;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_wake_.wait(lock, [this] {
        return (!queue_.empty() && !committer_ && !committing_) || (stopping_ && all_done());
      });
      if (queue_.empty()) return;  // stopping, and every turn is answered
      committing_ = true;
      take_batch(batch);
    }
    auto next = commit_batch(batch);
    batch.clear();
    after_commit();
    drive_all(std::move(next));
  }
}

bool service::all_done() const { return in_flight_.load() == 0 && queue_.empty(); }

void service::reader_loop() {
  std::vector<std::unique_ptr<job>> batch;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      read_wake_.wait(lock, [this] { return !reads_.empty() || (stopping_ && all_done()); });
      if (reads_.empty()) return;  // stopping, and every turn is answered
      batch.swap(reads_);
    }
    for (auto& j : batch) {
      result now;
      bool answered;
      try {
        answered = load_and_decide(*j, now);
      } catch (const std::exception& e) {
        answered = true;
        now = failed(e.what());
      }
      if (!answered) {
        enqueue(std::move(j));
        continue;
      }
      if (auto next = finish(std::move(j), std::move(now))) drive(std::move(next));
    }
    batch.clear();
  }
}

bool service::load_and_decide(job& j, result& now) {
  slot& s = *j.s;
  s.rec = store_.find(j.key);
  // A conversation whose version cannot be found keeps no state: decide() says so.
  auto eng = s.rec ? engine_for(s.rec->framework) : nullptr;
  s.now = eng ? dialogue::replay(eng->fw(), s.rec->events) : dialogue::state{};
  s.loaded = true;
  j.just_read = true;
  return decide(j, now);
}

void service::after_commit() {
  committer post;
  bool writer_commits = false;
  {
    std::lock_guard lock(queue_mutex_);
    committing_ = false;
    writer_commits = !committer_;
    // Turns queued during the commit: on the committer, after the work its loop has meanwhile.
    post = claim_flush();
  }
  if (post) return post_flush(post);
  // The writer thread takes over what is left, or may stop. (While a committer is set it has
  // nothing to do: waking it would only cost a futex call per commit.)
  if (writer_commits) queue_wake_.notify_one();
}

std::vector<std::unique_ptr<service::job>> service::commit_batch(
    std::vector<std::unique_ptr<job>>& batch) {
  std::vector<std::pair<std::unique_ptr<job>, result>> answered;
  answered.reserve(batch.size());
  // Every job here has a write (the reader decided the ones that needed their record).
  std::vector<std::unique_ptr<job>>& storing = batch;

  // Every write in one transaction; nothing is answered before it commits.
  std::vector<dialogue::write_op> writes;
  writes.reserve(storing.size());
  for (auto& j : storing) writes.push_back(std::move(j->write));
  std::vector<dialogue::write_status> status;
  std::string failure;
  std::uint64_t took_us = 0;
  if (!writes.empty()) {
    auto started = std::chrono::steady_clock::now();
    try {
      status = store_.apply(writes);
      took_us = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                               std::chrono::steady_clock::now() - started)
                                               .count());
    } catch (const std::exception& e) {
      failure = e.what();
      log::error("commit_failed", {{"turns", writes.size()}, {"error", failure}});
    }
  }
  {
    std::lock_guard lock(queue_mutex_);
    if (failure.empty() && !writes.empty()) {
      ++stats_.commits;
      stats_.turns += writes.size();
      stats_.largest_batch = std::max<std::uint64_t>(stats_.largest_batch, writes.size());
      stats_.longest_commit_us = std::max(stats_.longest_commit_us, took_us);
      if (took_us > 5000) ++stats_.commits_over_5ms;
    }
  }
  std::vector<std::unique_ptr<job>> retry;
  const std::string stored_at = storing.empty() ? std::string() : utc_now();
  for (std::size_t i = 0; i < storing.size(); ++i) {
    auto& j = storing[i];
    slot& s = *j->s;
    auto& w = writes[i];
    if (!failure.empty() || status[i] == dialogue::write_status::conflict) {
      // Read the record again before this key's next turn.
      s.loaded = false;
      s.rec.reset();
      if (failure.empty()) {
        // Decided on a record another writer has moved on: decided again on the fresh one,
        // never failed (each conflict means another turn was stored, so this ends).
        ++j->attempts;
        j->just_read = false;
        j->write = {};
        j->t = {};
        retry.push_back(std::move(j));
      } else {
        answered.emplace_back(std::move(j), failed(failure));
      }
      continue;
    }
    // Remember the record as it now stands (from its last restart on, as the store keeps it).
    // A conversation this turn created is known whole: its next turn reads nothing.
    if (w.bind) {
      s.rec = dialogue::conversation_record{w.conversation, w.framework, 0, {}, {}};
      s.loaded = true;
    }
    // The write is done with: its events move into the record (their strings are not copied).
    s.rec->seq = w.expected_seq + w.events.size();
    for (auto& e : w.events) {
      if (e.kind == dialogue::event_kind::restart) s.rec->events.clear();
      s.rec->times.resize(s.rec->events.size());
      s.rec->events.push_back(std::move(e));
      s.rec->times.push_back(stored_at);
    }
    // A check changed nothing: the state stays. (A new conversation may have no events yet,
    // but its state is new.) The channels do not read it.
    if (w.bind || !w.events.empty()) s.now = std::move(j->t.out.state);
    result r = ok(std::move(j->t));
    answered.emplace_back(std::move(j), std::move(r));
  }

  std::vector<std::unique_ptr<job>> next;
  for (auto& [j, r] : answered)
    if (auto n = finish(std::move(j), std::move(r))) next.push_back(std::move(n));
  for (auto& j : retry) enqueue(std::move(j));
  return next;
}

result service::run(const channel_key& key, request r) {
  std::promise<result> p;
  auto f = p.get_future();
  submit(key, std::move(r), [&p](result res) { p.set_value(std::move(res)); });
  return f.get();
}

namespace {

turn unwrap(result r) {
  if (r.state == result::status::failed)
    throw std::runtime_error("the turn was not saved: " + r.failure);
  return std::move(r.t);
}

}  // namespace

turn service::start(const channel_key& key, std::string_view opening_text, bool fresh,
                    std::string_view framework) {
  request r;
  r.type = request::kind::start;
  r.text = opening_text;
  r.framework = framework;
  r.fresh = fresh;
  return unwrap(run(key, std::move(r)));
}

turn service::message(const channel_key& key, std::string_view text) {
  request r;
  r.type = request::kind::message;
  r.text = text;
  return unwrap(run(key, std::move(r)));
}

turn service::choose(const channel_key& key, std::string_view option,
                     std::string_view expected_question) {
  request r;
  r.type = request::kind::choose;
  r.option = option;
  r.expected_question = expected_question;
  return unwrap(run(key, std::move(r)));
}

turn service::command(const channel_key& key, dialogue::command action) {
  request r;
  r.type = request::kind::command;
  r.action = action;
  return unwrap(run(key, std::move(r)));
}

turn service::open(const channel_key& key, std::string_view text) {
  request r;
  r.type = request::kind::open;
  r.text = text;
  return unwrap(run(key, std::move(r)));
}

std::optional<turn> service::current(const channel_key& key) {
  request r;
  r.type = request::kind::start;
  r.must_exist = true;
  auto res = run(key, std::move(r));
  if (res.state == result::status::unknown_session) return std::nullopt;
  return unwrap(std::move(res));
}

std::optional<std::string> service::decision_record(const channel_key& key) {
  auto rec = store_.find(key);
  if (!rec) return std::nullopt;
  auto eng = engine_for(rec->framework);
  if (!eng) return std::nullopt;  // its version cannot be found
  return eng->decision_record(rec->events, today());
}

}  // namespace advisor::bot
