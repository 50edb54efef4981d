#include "knowledge/sqlite/session_store.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <functional>
#include <optional>
#include <string_view>
#include <thread>

#include "bot/infra/utc.hpp"

namespace advisor::storage {

namespace {

// SQLite's default is 1,000 pages. Turns rewrite the same few pages (the newest conversations
// sit together), and a checkpoint copies each page once however often it was rewritten: a
// longer WAL means far fewer pages copied and synced.
constexpr int checkpoint_pages = 8000;
// Past this many, the writer restarts the WAL (see apply()).
constexpr int restart_pages = 4 * checkpoint_pages;

std::string now_iso() { return utc_now(); }

// A time as the rows store it ("2026-11-23T05:40:12.000Z"), so that text order is time order.
std::string iso(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&secs, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &utc);
  return buf;
}

connection& migrated(connection& c) {
  migrate(c);
  return c;
}

}  // namespace

sqlite_session_store::sqlite_session_store(const std::string& db_path)
    : db_(db_path),
      insert_conversation_(migrated(db_).prepare("INSERT INTO conversations (id, framework, seq, "
                                                 "created_at, updated_at) VALUES (?, ?, 0, ?, ?)")),
      bind_key_(db_.prepare(
          "INSERT INTO bindings (channel, key, conversation_id, bound_at) VALUES (?, ?, ?, ?) "
          "ON CONFLICT (channel, key) DO UPDATE SET conversation_id = excluded.conversation_id, "
          "bound_at = excluded.bound_at")),
      // Where a conversation's newest event is, when this writer does not know it yet.
      find_last_event_(
          db_.prepare("SELECT last_event FROM conversations WHERE id = ?1 AND seq = ?2")),
      // Moves the conversation on only from the number this writer saw (no change: a
      // conflict) and names its new newest event.
      claim_seq_(db_.prepare(
          "UPDATE conversations SET seq = ?1, updated_at = ?2, "
          "restart_seq = CASE WHEN ?5 > 0 THEN ?5 ELSE restart_seq END, last_event = ?6 "
          "WHERE id = ?3 AND seq = ?4")),
      // The same without `updated_at` (?2 is bound and unused, so both take the same binds):
      // SQLite rewrites the entry of every index on a column the SET names, so leaving the
      // column out leaves index conversations_updated alone.
      claim_seq_quiet_(db_.prepare(
          "UPDATE conversations SET seq = ?1, "
          "restart_seq = CASE WHEN ?5 > 0 THEN ?5 ELSE restart_seq END, last_event = ?6 "
          "WHERE id = ?3 AND seq = ?4")),
      next_id_(db_.prepare("SELECT coalesce(max(id), 0) + 1 FROM events")),
      insert_event_(db_.prepare("INSERT INTO events (id, conversation_id, seq, kind, question, "
                                "option, turn, via, phrase, at, prev) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")),
      // The oldest conversations first, only those idle long enough (index conversations_updated).
      find_idle_(db_.prepare(
          "SELECT id FROM conversations WHERE updated_at < ?1 ORDER BY updated_at LIMIT ?2")),
      find_bindings_(db_.prepare("SELECT channel, key FROM bindings WHERE conversation_id = ?1")),
      // A conversation's events, found by following the chain back from its newest (the log
      // has no index by conversation: appending stays one page per batch).
      delete_events_(db_.prepare(
          "WITH RECURSIVE chain(id) AS ("
          "  SELECT last_event FROM conversations WHERE id = ?1 AND last_event IS NOT NULL"
          "  UNION ALL SELECT e.prev FROM events e JOIN chain c ON e.id = c.id WHERE e.prev IS NOT "
          "NULL) "
          "DELETE FROM events WHERE id IN (SELECT id FROM chain) AND conversation_id = ?1")),
      delete_bindings_(db_.prepare("DELETE FROM bindings WHERE conversation_id = ?1")),
      delete_conversation_(db_.prepare("DELETE FROM conversations WHERE id = ?1")),
      find_bound_(
          db_.prepare("SELECT conversation_id FROM bindings WHERE channel = ?1 AND key = ?2")),
      read_seq_(db_.prepare("SELECT seq FROM conversations WHERE id = ?1")),
      insert_token_(db_.prepare(
          "INSERT OR IGNORE INTO turn_tokens (token, conversation_id) VALUES (?1, ?2)")),
      read_db_(db_path),
      find_binding_(
          read_db_.prepare("SELECT conversation_id FROM bindings WHERE channel = ? AND key = ?")),
      find_conversation_(read_db_.prepare(
          "SELECT framework, seq, restart_seq, last_event FROM conversations WHERE id = ?")),
      load_event_(read_db_.prepare("SELECT seq, kind, question, option, turn, via, phrase, prev, "
                                   "at FROM events WHERE id = ?")),
      find_token_(read_db_.prepare(
          "SELECT 1 FROM turn_tokens t JOIN bindings b ON b.conversation_id = t.conversation_id "
          "WHERE b.channel = ?1 AND b.key = ?2 AND t.token = ?3")),
      checkpoint_db_(db_path) {
  // Conversations in progress stay in memory: the writer rereads no page it just wrote.
  db_.exec("PRAGMA cache_size = -65536; PRAGMA journal_size_limit = 268435456");
  read_db_.exec("PRAGMA cache_size = -16384");
  // Replaces SQLite's automatic checkpoint on the writing connection (same threshold).
  sqlite3_wal_hook(db_.get(), &sqlite_session_store::on_wal_commit, this);
  checkpointer_ = std::thread([this] { checkpoint_loop(); });
}

sqlite_session_store::~sqlite_session_store() {
  {
    std::lock_guard lock(checkpoint_mutex_);
    stopping_ = true;
  }
  checkpoint_wake_.notify_one();
  checkpointer_.join();
  sqlite3_wal_hook(db_.get(), nullptr, nullptr);
}

int sqlite_session_store::on_wal_commit(void* self, sqlite3*, const char*, int pages) {
  auto* store = static_cast<sqlite_session_store*>(self);
  store->wal_pages_ = pages;
  if (pages >= checkpoint_pages) {
    {
      std::lock_guard lock(store->checkpoint_mutex_);
      store->checkpoint_due_ = true;
    }
    store->checkpoint_wake_.notify_one();
  }
  return SQLITE_OK;
}

void sqlite_session_store::checkpoint_loop() {
  std::unique_lock lock(checkpoint_mutex_);
  for (;;) {
    checkpoint_wake_.wait(lock, [this] { return stopping_ || checkpoint_due_; });
    if (stopping_) return;
    checkpoint_due_ = false;
    lock.unlock();
    // PASSIVE copies what it can without waiting for, or blocking, the writer. The WAL can
    // start over only once it is wholly copied; under steady load the writer keeps adding
    // frames, so apply() finishes the job itself when the WAL grows too long (see there).
    int rc = sqlite3_wal_checkpoint_v2(checkpoint_db_.get(), "main", SQLITE_CHECKPOINT_PASSIVE,
                                       nullptr, nullptr);
    // Right after a checkpoint the WAL's tail not yet copied (and synced) is short, so that is
    // when the writer's restart costs least.
    if (rc == SQLITE_OK && wal_pages_.load() >= restart_pages) restart_due_ = true;
    // At most ten checkpoints a second: each one syncs the files.
    std::this_thread::sleep_for(
        std::chrono::milliseconds(rc == SQLITE_OK || rc == SQLITE_BUSY ? 100 : 1000));
    lock.lock();
  }
}

std::size_t sqlite_session_store::key_hash::operator()(
    const dialogue::channel_key& k) const noexcept {
  std::size_t h = std::hash<std::string_view>{}(k.key);
  return h ^
         (std::hash<std::string_view>{}(k.channel) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

void sqlite_session_store::forget_known() {
  known_bindings_.clear();
  known_next_id_ = 0;
  known_version_.reset();
}

std::optional<dialogue::conversation_record> sqlite_session_store::find(
    const dialogue::channel_key& key) {
  std::lock_guard lock(read_mutex_);
  find_binding_.bind(1, key.channel).bind(2, key.key);
  if (!find_binding_.step()) {
    find_binding_.reset();
    return std::nullopt;
  }
  dialogue::conversation_record rec;
  rec.id = find_binding_.text(0);
  find_binding_.reset();
  // One read transaction, so the conversation row and its events agree.
  read_db_.run(storage::connection::control::begin);
  try {
    std::int64_t restart_seq = 0;
    std::optional<std::int64_t> newest;
    find_conversation_.bind(1, rec.id);
    if (find_conversation_.step()) {
      rec.framework = find_conversation_.text(0);
      rec.seq = static_cast<std::uint64_t>(find_conversation_.integer(1));
      restart_seq = find_conversation_.integer(2);
      if (!find_conversation_.is_null(3)) newest = find_conversation_.integer(3);
    }
    find_conversation_.reset();
    // Only the events since the last restart matter to the state (older ones stay stored):
    // back from the newest, one link at a time.
    std::optional<std::int64_t> at = newest;
    while (at) {
      load_event_.bind(1, *at);
      if (!load_event_.step())
        throw database_error("conversation " + rec.id + " has a broken event chain");
      std::int64_t seq = load_event_.integer(0);
      dialogue::event e;
      e.kind = dialogue::event_kind_from_string(load_event_.text(1))
                   .value_or(dialogue::event_kind::answer);
      e.question = load_event_.text(2);
      e.option = load_event_.text(3);
      e.turn = static_cast<int>(load_event_.integer(4));
      e.via = load_event_.text(5);
      e.phrase = load_event_.text(6);
      rec.times.push_back(load_event_.text(8));
      at.reset();
      if (seq > restart_seq && !load_event_.is_null(7)) at = load_event_.integer(7);
      load_event_.reset();
      rec.events.push_back(std::move(e));
    }
    std::reverse(rec.events.begin(), rec.events.end());
    std::reverse(rec.times.begin(), rec.times.end());
    read_db_.run(storage::connection::control::commit);
  } catch (...) {
    find_conversation_.reset();
    load_event_.reset();
    read_db_.exec("ROLLBACK");
    throw;
  }
  return rec;
}

bool sqlite_session_store::turn_stored(const dialogue::channel_key& key, const std::string& token) {
  std::lock_guard lock(read_mutex_);
  find_token_.bind(1, key.channel).bind(2, key.key).bind(3, token);
  bool stored = find_token_.step();
  find_token_.reset();
  return stored;
}

std::vector<dialogue::write_status> sqlite_session_store::apply(
    const std::vector<dialogue::write_op>& writes) {
  std::vector<dialogue::write_status> out;
  out.reserve(writes.size());
  if (writes.empty()) return out;
  std::lock_guard lock(mutex_);
  const std::string now = now_iso();
  const std::int64_t minute = std::chrono::duration_cast<std::chrono::minutes>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  std::int64_t next_id = 0;  // the log's next id, read once the batch has events
  try {
    transaction t(db_);
    // Once BEGIN IMMEDIATE holds the write lock, the data version tells whether anyone
    // committed since this writer's last batch did: if not, what it knew then still holds.
    if (!known_version_ || db_.data_version() != known_version_) forget_known();
    known_version_.reset();  // until this batch commits
    // The conversation a key is bound to now, if any (a reference into known_bindings_, to be
    // read before the next call).
    auto bound = [this](const dialogue::channel_key& k) -> const std::optional<std::string>& {
      auto known = known_bindings_.find(k);
      if (known != known_bindings_.end()) return known->second;
      std::optional<std::string> b;
      find_bound_.bind_static(1, k.channel).bind_static(2, k.key);
      if (find_bound_.step()) b = find_bound_.text(0);
      find_bound_.reset();
      if (known_bindings_.size() >= remembered_conversations) known_bindings_.clear();
      return known_bindings_.emplace(k, std::move(b)).first->second;
    };
    for (const auto& w : writes) {
      bool ok = true;
      if (w.via) ok = bound(*w.via) == w.conversation;
      if (ok && w.bind && w.bound_to) {
        const auto& b = bound(*w.bind);
        ok = (b ? std::string_view(*b) : std::string_view()) == *w.bound_to || b == w.conversation;
      }
      if (ok && !w.bind && w.events.empty()) {  // a check: still at the number it read?
        read_seq_.bind(1, w.conversation);
        ok = read_seq_.step() && static_cast<std::uint64_t>(read_seq_.integer(0)) == w.expected_seq;
        read_seq_.reset();
      }
      if (!ok) {
        out.push_back(dialogue::write_status::conflict);
        continue;
      }
      if (w.bind) {
        insert_conversation_.bind(1, w.conversation)
            .bind(2, w.framework)
            .bind(3, now)
            .bind(4, now)
            .run();
        bind_key_.bind(1, w.bind->channel)
            .bind(2, w.bind->key)
            .bind(3, w.conversation)
            .bind(4, now)
            .run();
        known_bindings_.insert_or_assign(*w.bind, w.conversation);
      }
      if (w.events.empty()) {
        out.push_back(dialogue::write_status::applied);
        continue;
      }
      const std::uint64_t first = w.expected_seq + 1;
      const std::uint64_t last = w.expected_seq + w.events.size();
      std::int64_t restart_seq = 0;  // the last restart among these events, if any
      for (std::size_t i = 0; i < w.events.size(); ++i)
        if (w.events[i].kind == dialogue::event_kind::restart)
          restart_seq = static_cast<std::int64_t>(first + i);
      // The events take the next ids of the log, counted here so that the conversation row can
      // name its newest event in the same statement that moves its number on.
      if (next_id == 0) next_id = known_next_id_;
      if (next_id == 0) {
        next_id_.step();
        next_id = next_id_.integer(0);
        next_id_.reset();
      }
      const std::int64_t newest = next_id + static_cast<std::int64_t>(w.events.size()) - 1;
      // Where the conversation's newest event is: remembered from this writer's last turn on it
      // (right only while the number is still the one this turn saw, which the claim checks),
      // or read from its row.
      std::optional<std::int64_t> prev;
      auto known = last_events_.find(w.conversation);
      if (known != last_events_.end() && known->second.seq == w.expected_seq) {
        prev = known->second.event;
      } else {
        find_last_event_.bind(1, w.conversation).bind(2, static_cast<std::int64_t>(w.expected_seq));
        if (find_last_event_.step() && !find_last_event_.is_null(0))
          prev = find_last_event_.integer(0);
        find_last_event_.reset();
      }
      // The time of the conversation's last change is written once a minute at most: idle
      // expiry counts in hours, and an unchanged `updated_at` spares its index a page.
      const bool touch = known == last_events_.end() || known->second.touched_minute != minute;
      const std::int64_t touched = touch ? minute : known->second.touched_minute;
      (touch ? claim_seq_ : claim_seq_quiet_)
          .bind(1, static_cast<std::int64_t>(last))
          .bind_static(2, now)
          .bind_static(3, w.conversation)
          .bind(4, static_cast<std::int64_t>(w.expected_seq))
          .bind(5, restart_seq)
          .bind(6, newest)
          .run();
      const bool claimed = db_.changes() == 1;
      if (!claimed) {
        // Another writer moved the conversation on: nothing of this turn is written.
        if (known != last_events_.end()) last_events_.erase(known);
        out.push_back(dialogue::write_status::conflict);
        continue;
      }
      if (!w.token.empty()) insert_token_.bind(1, w.token).bind(2, w.conversation).run();
      std::uint64_t seq = w.expected_seq;
      // The strings bound without a copy live until run() resets the statement.
      for (const auto& e : w.events) {
        const std::string kind = dialogue::to_string(e.kind);
        insert_event_.bind(1, next_id)
            .bind_static(2, w.conversation)
            .bind(3, static_cast<std::int64_t>(++seq))
            .bind_static(4, kind)
            .bind_static(5, e.question)
            .bind_static(6, e.option)
            .bind(7, e.turn)
            .bind_static(8, e.via)
            .bind_static(9, e.phrase)
            .bind_static(10, now);
        if (prev) insert_event_.bind(11, *prev);
        insert_event_.run();
        prev = next_id++;
      }
      if (last_events_.size() >= remembered_conversations) last_events_.clear();
      last_events_[w.conversation] = {last, *prev, touched};
      out.push_back(dialogue::write_status::applied);
    }
    t.commit();
    if (next_id != 0) known_next_id_ = next_id;
    known_version_ = db_.data_version();
  } catch (...) {
    find_bound_.reset();
    read_seq_.reset();
    insert_token_.reset();
    last_events_.clear();  // it may name events that were rolled back
    forget_known();
    throw;
  }
  // A checkpoint on another connection cannot win the write lock from a writer that commits
  // without pause, so the WAL would grow without bound. Once it is long, the writer restarts
  // it here, right after a background checkpoint has copied most of it (or, if those cannot
  // run, when it is twice as long). It never waits: while the checkpointer or a reader holds
  // the WAL, SQLite's busy handler would sleep in steps of up to 100 ms with every turn
  // queued behind it, so it gives up at once and tries again after the next commit.
  const int pages = wal_pages_.load();
  if ((restart_due_.load() && pages >= restart_pages) || pages >= 2 * restart_pages) {
    sqlite3_busy_timeout(db_.get(), 0);
    int rc =
        sqlite3_wal_checkpoint_v2(db_.get(), "main", SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
    sqlite3_busy_timeout(db_.get(), busy_timeout_ms);
    if (rc == SQLITE_OK) {
      wal_pages_ = 0;
      restart_due_ = false;
    }
  }
  return out;
}

dialogue::expired_conversations sqlite_session_store::expire_idle(
    std::chrono::system_clock::time_point idle_before, std::size_t limit) {
  dialogue::expired_conversations out;
  if (limit == 0) return out;
  std::lock_guard lock(mutex_);
  // Deleting a conversation row would make SQLite look for events that still point to it, and
  // with no index on events by conversation that reads the whole log, for every conversation
  // (1.4 ms each with 7,000 events). Its events are deleted first, in the same transaction, so
  // the check is switched off for the sweep (it can only change outside a transaction).
  struct foreign_keys_off {
    connection& db;
    explicit foreign_keys_off(connection& c) : db(c) { db.exec("PRAGMA foreign_keys = OFF"); }
    ~foreign_keys_off() {
      try {
        db.exec("PRAGMA foreign_keys = ON");
      } catch (...) {  // never throws from a destructor; the next sweep sets it again
      }
    }
  } guard(db_);
  forget_known();  // it deletes bindings and events (its commit changes the data version too)
  try {
    transaction t(db_);
    std::vector<std::string> ids;
    find_idle_.bind(1, iso(idle_before)).bind(2, static_cast<std::int64_t>(limit));
    while (find_idle_.step()) ids.push_back(find_idle_.text(0));
    find_idle_.reset();
    for (const auto& id : ids) {
      find_bindings_.bind(1, id);
      while (find_bindings_.step())
        out.keys.push_back({find_bindings_.text(0), find_bindings_.text(1)});
      find_bindings_.reset();
      delete_events_.bind(1, id).run();
      delete_bindings_.bind(1, id).run();
      delete_conversation_.bind(1, id).run();
      last_events_.erase(id);
    }
    t.commit();
    out.conversations = ids.size();
  } catch (...) {
    find_idle_.reset();
    find_bindings_.reset();
    last_events_.clear();
    throw;
  }
  return out;
}

std::string sqlite_session_store::keep_framework(const std::string& id, const std::string& version,
                                                 const std::string& document) {
  std::lock_guard lock(mutex_);
  transaction t(db_);
  db_.prepare(
         "INSERT INTO framework_documents (framework_id, version, document, stored_at) "
         "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (framework_id, version) DO NOTHING")
      .bind(1, id)
      .bind(2, version)
      .bind(3, document)
      .bind(4, now_iso())
      .run();
  auto stored = db_.prepare(
      "SELECT document FROM framework_documents WHERE framework_id = ?1 AND version = ?2");
  stored.bind(1, id).bind(2, version);
  std::string out = stored.step() ? stored.text(0) : document;
  stored.reset();
  t.commit();
  return out;
}

std::optional<std::string> sqlite_session_store::framework_document(const std::string& id,
                                                                    const std::string& version) {
  std::lock_guard lock(read_mutex_);
  auto s = read_db_.prepare(
      "SELECT document FROM framework_documents WHERE framework_id = ?1 AND version = ?2");
  s.bind(1, id).bind(2, version);
  std::optional<std::string> out;
  if (s.step()) out = s.text(0);
  return out;
}

bool sqlite_session_store::writable() {
  std::lock_guard lock(mutex_);
  try {
    transaction t(db_);
    db_.exec(
        "INSERT INTO meta (key, value) VALUES ('health_check', datetime('now')) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    t.commit();
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

void sqlite_session_store::backup_to(const std::string& file) {
  connection target(file);
  sqlite3_backup* b = sqlite3_backup_init(target.get(), "main", db_.get(), "main");
  if (!b) throw database_error(std::string("starting backup: ") + sqlite3_errmsg(target.get()));
  int rc;
  do {
    {
      std::lock_guard lock(mutex_);
      rc = sqlite3_backup_step(b, 256);
    }
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(5);
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) throw database_error(std::string("backup failed: ") + sqlite3_errstr(rc));
}

}  // namespace advisor::storage
