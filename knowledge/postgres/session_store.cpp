#include "knowledge/postgres/session_store.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <map>
#include <random>
#include <set>

namespace advisor::storage {

namespace {

// Each entry moves the schema from version i to i + 1. Never edit a released entry: add one.
constexpr std::array<std::string_view, latest_pg_schema_version> pg_migrations{
    R"sql(
CREATE TABLE conversations (
  id TEXT PRIMARY KEY, framework TEXT NOT NULL, seq BIGINT NOT NULL DEFAULT 0,
  restart_seq BIGINT NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(), updated_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE INDEX conversations_updated ON conversations (updated_at);
CREATE TABLE bindings (
  channel TEXT NOT NULL, key TEXT NOT NULL,
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  bound_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, key));
CREATE INDEX bindings_conversation ON bindings (conversation_id);
CREATE TABLE events (
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  seq BIGINT NOT NULL, kind TEXT NOT NULL, question TEXT NOT NULL DEFAULT '',
  option TEXT NOT NULL DEFAULT '', turn INTEGER NOT NULL, via TEXT NOT NULL DEFAULT '',
  phrase TEXT NOT NULL DEFAULT '', token TEXT, at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (conversation_id, seq));
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
)sql",
    // 2: the chat platforms' shared memory (pg_seen_store): replays, retries, double clicks.
    R"sql(
CREATE TABLE seen (key TEXT PRIMARY KEY, expires_at BIGINT NOT NULL);
CREATE INDEX seen_expiry ON seen (expires_at);
)sql",
    // 3: jobs acknowledged to a chat platform and not finished yet (pg_job_store).
    R"sql(
CREATE TABLE jobs (
  id TEXT PRIMARY KEY, payload TEXT NOT NULL, token TEXT NOT NULL, owner TEXT NOT NULL,
  lease_until BIGINT NOT NULL);
CREATE INDEX jobs_lease ON jobs (lease_until);
)sql",
    // 4: framework documents by (id, version), written by every instance at start-up, so that
    // any instance replays a conversation on the version it started on. Conversations already
    // record theirs ("id@version"); the documents of versions no instance ships any more were
    // never stored, and such a conversation is told so (the service) rather than misread.
    R"sql(
CREATE TABLE framework_documents (
  framework_id TEXT NOT NULL, version TEXT NOT NULL, document TEXT NOT NULL,
  stored_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (framework_id, version));
)sql",
};

// The session-level advisory lock the migrations run under ("advisor" in ASCII).
constexpr std::int64_t migration_lock = 0x61647669736f72;
// How often a batch runs again after a deadlock, a serialization failure or a lost
// connection (when its outcome is known not to be committed).
constexpr int max_attempts = 5;
// Statements per pipeline sync: the server's replies to a sync must fit in the socket buffers
// while the client is still sending (libpq reads no result before the sync).
constexpr std::size_t statements_per_sync = 512;

std::string iso(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&secs, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

// A stable 64-bit hash of a channel key (FNV-1a), the same in every instance and build: the
// advisory lock that stands for the key, binding row or not.
std::int64_t key_lock(const dialogue::channel_key& k) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 0x100000001b3ull;
    }
  };
  mix(k.channel);
  mix("\n");
  mix(k.key);
  return static_cast<std::int64_t>(h);
}

std::string random_hex() {
  std::random_device rd;
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 4; ++i) {
    std::uint32_t v = rd();
    for (int j = 0; j < 8; ++j, v >>= 4) out += hex[v & 0xF];
  }
  return out;
}

void prepare_all(pg::connection& c) {
  c.prepare("lock_conversation", "SELECT seq FROM conversations WHERE id = $1 FOR UPDATE");
  c.prepare("lock_key", "SELECT pg_advisory_xact_lock($1::bigint)");
  c.prepare("lock_binding",
            "SELECT conversation_id FROM bindings WHERE channel = $1 AND key = $2 FOR UPDATE");
  c.prepare(
      "insert_conversation",
      "INSERT INTO conversations (id, framework) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING");
  c.prepare("bind",
            "INSERT INTO bindings (channel, key, conversation_id) VALUES ($1, $2, $3) "
            "ON CONFLICT (channel, key) DO UPDATE SET conversation_id = excluded.conversation_id, "
            "bound_at = now()");
  c.prepare("insert_event",
            "INSERT INTO events (conversation_id, seq, kind, question, option, turn, via, phrase, "
            "token) VALUES ($1, $2::bigint, $3, $4, $5, $6::integer, $7, $8, $9)");
  // The time of the last change moves once a minute at most (idle expiry counts in days): an
  // unchanged `updated_at` leaves its index alone, so a turn's update can stay in its page
  // (a heap-only tuple) instead of adding an index entry every turn.
  c.prepare("move_on",
            "UPDATE conversations SET seq = $2::bigint, updated_at = CASE WHEN updated_at < "
            "now() - interval '1 minute' THEN now() ELSE updated_at END, "
            "restart_seq = CASE WHEN $3::bigint > 0 THEN $3::bigint ELSE restart_seq END "
            "WHERE id = $1");
  c.prepare("find",
            "SELECT c.id, c.framework, c.seq, e.kind, e.question, e.option, e.turn, e.via, "
            "e.phrase FROM bindings b JOIN conversations c ON c.id = b.conversation_id "
            "LEFT JOIN events e ON e.conversation_id = c.id AND e.seq >= c.restart_seq "
            "AND e.seq <= c.seq WHERE b.channel = $1 AND b.key = $2 ORDER BY e.seq");
  c.prepare("turn_stored",
            "SELECT 1 FROM events WHERE conversation_id = $1 AND seq = $2::bigint AND token = $3");
  c.prepare("framework_document",
            "SELECT document FROM framework_documents WHERE framework_id = $1 AND version = $2");
  // The conversation's own events only (the primary key's prefix): no index on tokens.
  c.prepare("key_turn_stored",
            "SELECT 1 FROM bindings b JOIN events e ON e.conversation_id = b.conversation_id "
            "WHERE b.channel = $1 AND b.key = $2 AND e.token = $3 LIMIT 1");
}

}  // namespace

void migrate_pg(pg::connection& c, int target) {
  c.query("SELECT pg_advisory_lock($1::bigint)", {std::to_string(migration_lock)});
  auto unlock = [&c] {
    try {
      c.query("SELECT pg_advisory_unlock($1::bigint)", {std::to_string(migration_lock)});
    } catch (const pg::error&) {  // a lost connection releases it anyway
    }
  };
  try {
    c.exec("CREATE TABLE IF NOT EXISTS advisor_schema (version INTEGER NOT NULL)");
    auto r = c.query("SELECT coalesce(max(version), 0) FROM advisor_schema");
    const int version = static_cast<int>(r.integer(0, 0));
    if (version > latest_pg_schema_version)
      throw pg::error("PostgreSQL: the database has schema version " + std::to_string(version) +
                          ", newer than this advisor knows (" +
                          std::to_string(latest_pg_schema_version) + "); use a newer advisor",
                      "", false);
    for (int v = version; v < std::min(target, latest_pg_schema_version); ++v) {
      c.exec("BEGIN");
      try {
        c.exec(pg_migrations[static_cast<std::size_t>(v)]);
        c.query("INSERT INTO advisor_schema (version) VALUES ($1::integer)",
                {std::to_string(v + 1)});
        c.exec("COMMIT");
      } catch (...) {
        if (c.ok()) PQclear(PQexec(c.get(), "ROLLBACK"));
        throw;
      }
    }
  } catch (...) {
    unlock();
    throw;
  }
  unlock();
}

pg_session_store::pg_session_store(std::string conninfo) : conninfo_(std::move(conninfo)) {
  pg::connection c(conninfo_);
  migrate_pg(c);
  std::lock_guard lock(mutex_);
  writer_.emplace(std::move(c));
  prepare_all(*writer_);
}

pg::connection& pg_session_store::writer() {
  if (writer_ && !writer_->ok()) writer_.reset();
  if (!writer_) {
    writer_.emplace(conninfo_);
    prepare_all(*writer_);
  }
  return *writer_;
}

pg::connection& pg_session_store::reader() {
  if (reader_ && !reader_->ok()) reader_.reset();
  if (!reader_) {
    reader_.emplace(conninfo_);
    prepare_all(*reader_);
  }
  return *reader_;
}

pg::result pg_session_store::read(const std::string& statement, const pg::params& p) {
  for (int attempt = 0;; ++attempt) {
    try {
      return reader().run(statement, p);
    } catch (const pg::error& e) {
      if (!e.connection_lost() || attempt > 0) throw;
      reader_.reset();  // a server restart or a dropped connection: once more, afresh
    }
  }
}

int pg_session_store::schema_version() {
  std::lock_guard lock(read_mutex_);
  return static_cast<int>(
      reader().query("SELECT coalesce(max(version), 0) FROM advisor_schema").integer(0, 0));
}

std::optional<dialogue::conversation_record> pg_session_store::find(
    const dialogue::channel_key& key) {
  std::lock_guard lock(read_mutex_);
  // One statement: one snapshot, so the conversation row and its events agree.
  pg::result r = read("find", {key.channel, key.key});
  if (r.rows() == 0) return std::nullopt;
  dialogue::conversation_record rec;
  rec.id = r.text(0, 0);
  rec.framework = r.text(0, 1);
  rec.seq = static_cast<std::uint64_t>(r.integer(0, 2));
  for (int i = 0; i < r.rows(); ++i) {
    if (r.is_null(i, 3)) continue;  // a conversation with no events yet
    dialogue::event e;
    e.kind = dialogue::event_kind_from_string(r.text(i, 3)).value_or(dialogue::event_kind::answer);
    e.question = r.text(i, 4);
    e.option = r.text(i, 5);
    e.turn = static_cast<int>(r.integer(i, 6));
    e.via = r.text(i, 7);
    e.phrase = r.text(i, 8);
    rec.events.push_back(std::move(e));
  }
  return rec;
}

bool pg_session_store::turn_stored(const std::string& conversation, std::uint64_t expected_seq,
                                   const std::string& token) {
  std::lock_guard lock(read_mutex_);
  return read("turn_stored", {conversation, std::to_string(expected_seq + 1), token}).rows() == 1;
}

bool pg_session_store::turn_stored(const dialogue::channel_key& key, const std::string& token) {
  std::lock_guard lock(read_mutex_);
  return read("key_turn_stored", {key.channel, key.key, token}).rows() == 1;
}

std::string pg_session_store::keep_framework(const std::string& id, const std::string& version,
                                             const std::string& document) {
  std::lock_guard lock(mutex_);
  for (int attempt = 0;; ++attempt) {
    try {
      pg::connection& c = writer();
      // Two statements, not one: a statement's snapshot would miss a row that another
      // instance's insert, which this one waited for, has just committed.
      c.query(
          "INSERT INTO framework_documents (framework_id, version, document) VALUES ($1, $2, $3) "
          "ON CONFLICT (framework_id, version) DO NOTHING",
          {id, version, document});
      return c.run("framework_document", {id, version}).text(0, 0);
    } catch (const pg::error& e) {
      writer_.reset();
      if (!e.connection_lost() || attempt > 0) throw;
    }
  }
}

std::optional<std::string> pg_session_store::framework_document(const std::string& id,
                                                                const std::string& version) {
  std::lock_guard lock(read_mutex_);
  auto r = read("framework_document", {id, version});
  if (r.rows() == 0) return std::nullopt;
  return r.text(0, 0);
}

bool pg_session_store::stored_now(const dialogue::write_op& w) {
  try {
    return turn_stored(w.conversation, w.expected_seq, w.token);
  } catch (const pg::error&) {
    return false;  // the conflict stands: the turn is decided again, as without the look-up
  }
}

std::vector<dialogue::write_status> pg_session_store::apply(
    const std::vector<dialogue::write_op>& writes) {
  if (writes.empty()) return {};
  // Every turn with events gets a token (the service sets its own): without one, a lost
  // COMMIT could not be told from one that never happened.
  std::vector<dialogue::write_op> ws = writes;
  for (auto& w : ws)
    if (!w.events.empty() && w.token.empty()) w.token = random_hex();
  std::lock_guard lock(mutex_);
  // After a lost connection whose token was not found: the turn that witnessed the batch, and
  // what the batch had decided. The old backend may still be finishing that COMMIT while the
  // look-up runs (a network drop, a synchronous standby): when the run again then meets a
  // conflict on the witness, the token is looked up once more before the conflict is believed,
  // so the same input is not decided a second time on the history it already changed.
  const dialogue::write_op* unresolved = nullptr;
  std::size_t unresolved_at = 0;
  std::vector<dialogue::write_status> unresolved_decided;
  for (int attempt = 1;; ++attempt) {
    try {
      pg::connection& c = writer();
      // Phase 1: lock and check (apply_once fills `decided` before it sends the COMMIT).
      auto out = apply_once(c, ws);
      if (unresolved && out[unresolved_at] != dialogue::write_status::applied &&
          stored_now(*unresolved)) {
        // The first COMMIT landed after all: its outcome is the batch's. (The run again only
        // met conflicts for its turns; its checks and bindings accept their own earlier result.)
        last_decided_.clear();
        return unresolved_decided;
      }
      return out;
    } catch (const pg::error& e) {
      if (e.connection_lost()) {
        writer_.reset();
        // Did the COMMIT happen? The first applied turn's token says for the whole batch.
        if (!last_decided_.empty()) {
          const dialogue::write_op* witness = nullptr;
          std::size_t witness_at = 0;
          for (std::size_t i = 0; i < ws.size() && !witness; ++i)
            if (last_decided_[i] == dialogue::write_status::applied && !ws[i].events.empty()) {
              witness = &ws[i];
              witness_at = i;
            }
          bool stored = false;
          if (witness) {
            try {
              stored = turn_stored(witness->conversation, witness->expected_seq, witness->token);
            } catch (const pg::error& again) {
              throw pg::error(
                  "PostgreSQL: the connection dropped during a commit and the database cannot "
                  "be reached to tell whether it happened: " +
                      std::string(again.what()),
                  again.sqlstate(), true);
            }
          }
          if (stored) {
            auto out = last_decided_;
            last_decided_.clear();
            return out;
          }
          if (witness && !unresolved) {
            unresolved = witness;
            unresolved_at = witness_at;
            unresolved_decided = last_decided_;
          }
          // Not stored (or a batch of checks and bindings only, which can run again: its
          // compare-and-set accepts its own earlier result).
        }
        if (attempt >= max_attempts) throw;
        continue;
      }
      if (writer_ && writer_->ok()) PQclear(PQexec(writer_->get(), "ROLLBACK"));
      if (!e.retryable() || attempt >= max_attempts) throw;
      // A deadlock or a serialization failure: nothing was kept, the batch runs again.
    }
  }
}

std::vector<dialogue::write_status> pg_session_store::apply_once(
    pg::connection& c, const std::vector<dialogue::write_op>& writes) {
  last_decided_.clear();
  // Phase 1: lock what the batch touches, in one order every instance follows.
  std::set<std::string> conversations;
  std::map<std::int64_t, int> key_locks;  // sorted by the lock's number
  std::set<std::pair<std::string, std::string>> keys;
  for (const auto& w : writes) {
    conversations.insert(w.conversation);
    for (const auto* k : {w.bind ? &*w.bind : nullptr, w.via ? &*w.via : nullptr}) {
      if (!k) continue;
      keys.emplace(k->channel, k->key);
      key_locks[key_lock(*k)] = 0;
    }
  }
  std::map<std::string, std::optional<std::uint64_t>> seqs;
  std::map<std::pair<std::string, std::string>, std::optional<std::string>> bound;
  {
    pg::pipeline p(c);
    p.send_sql("BEGIN");
    for (const auto& id : conversations) p.send("lock_conversation", {id});
    for (const auto& [n, unused] : key_locks) p.send("lock_key", {std::to_string(n)});
    for (const auto& [channel, key] : keys) p.send("lock_binding", {channel, key});
    auto rs = p.sync();
    std::size_t i = 1;
    for (const auto& id : conversations) {
      const auto& r = rs[i++];
      seqs[id] =
          r.rows() ? std::optional(static_cast<std::uint64_t>(r.integer(0, 0))) : std::nullopt;
    }
    i += key_locks.size();
    for (const auto& k : keys) {
      const auto& r = rs[i++];
      bound[k] = r.rows() ? std::optional(r.text(0, 0)) : std::nullopt;
    }
  }
  // Check each write against the rows as they stand, and as the writes before it in this
  // batch leave them.
  std::vector<dialogue::write_status> out;
  out.reserve(writes.size());
  for (const auto& w : writes) {
    bool ok = true;
    if (w.via) {
      const auto& b = bound[{w.via->channel, w.via->key}];
      ok = b && *b == w.conversation;
    }
    auto& seq = seqs[w.conversation];
    std::uint64_t at = seq.value_or(0);
    if (w.bind) {
      const auto& b = bound[{w.bind->channel, w.bind->key}];
      // Its own earlier result (a batch run again after a lost connection) counts as a match.
      if (w.bound_to) ok = ok && (b.value_or("") == *w.bound_to || b == w.conversation);
    } else {
      ok = ok && seq.has_value();  // swept meanwhile: gone
    }
    ok = ok && at == w.expected_seq;
    out.push_back(ok ? dialogue::write_status::applied : dialogue::write_status::conflict);
    if (!ok) continue;
    seq = w.expected_seq + w.events.size();
    if (w.bind) bound[{w.bind->channel, w.bind->key}] = w.conversation;
  }
  last_decided_ = out;

  // Phase 2: the writes that follow on, and the COMMIT.
  pg::pipeline p(c);
  auto maybe_sync = [&p] {
    if (p.pending() >= statements_per_sync) p.sync();
  };
  for (std::size_t i = 0; i < writes.size(); ++i) {
    if (out[i] != dialogue::write_status::applied) continue;
    const auto& w = writes[i];
    if (w.bind) {
      p.send("insert_conversation", {w.conversation, w.framework});
      p.send("bind", {w.bind->channel, w.bind->key, w.conversation});
    }
    if (w.events.empty()) continue;
    std::uint64_t seq = w.expected_seq;
    std::uint64_t restart = 0;
    for (const auto& e : w.events) {
      ++seq;
      if (e.kind == dialogue::event_kind::restart) restart = seq;
      p.send("insert_event",
             {w.conversation, std::to_string(seq), std::string(dialogue::to_string(e.kind)),
              e.question, e.option, std::to_string(e.turn), e.via, e.phrase,
              seq == w.expected_seq + 1 ? std::optional(w.token) : std::nullopt});
      maybe_sync();
    }
    p.send("move_on", {w.conversation, std::to_string(seq), std::to_string(restart)});
    maybe_sync();
  }
  p.send_sql("COMMIT");
  p.sync();
  last_decided_.clear();
  return out;
}

dialogue::expired_conversations pg_session_store::expire_idle(
    std::chrono::system_clock::time_point idle_before, std::size_t limit) {
  dialogue::expired_conversations out;
  if (limit == 0) return out;
  std::lock_guard lock(mutex_);
  pg::connection& c = writer();
  c.exec("BEGIN");
  try {
    // Conversations a batch has locked are busy, not idle: skipped, and the re-check of
    // updated_at on the locked row keeps one that a turn has just moved on.
    auto ids = c.query(
        "SELECT id FROM conversations WHERE updated_at < $1::timestamptz ORDER BY updated_at "
        "LIMIT $2::bigint FOR UPDATE SKIP LOCKED",
        {iso(idle_before), std::to_string(limit)});
    // The ids as one array parameter: each quoted, its quotes and backslashes escaped.
    std::string list = "{";
    for (int i = 0; i < ids.rows(); ++i) {
      list += i ? ",\"" : "\"";
      for (char ch : ids.text(i, 0)) {
        if (ch == '"' || ch == '\\') list += '\\';
        list += ch;
      }
      list += '"';
    }
    list += "}";
    auto keys = c.query(
        "DELETE FROM bindings WHERE conversation_id = ANY($1::text[]) RETURNING channel, key",
        {list});
    for (int i = 0; i < keys.rows(); ++i) out.keys.push_back({keys.text(i, 0), keys.text(i, 1)});
    c.query("DELETE FROM conversations WHERE id = ANY($1::text[])", {list});  // events cascade
    c.exec("COMMIT");
    out.conversations = static_cast<std::size_t>(ids.rows());
  } catch (const pg::error& e) {
    if (e.connection_lost())
      writer_.reset();  // the next call connects afresh
    else if (writer_ && writer_->ok())
      PQclear(PQexec(writer_->get(), "ROLLBACK"));
    throw;
  }
  return out;
}

bool pg_session_store::writable() {
  std::lock_guard lock(mutex_);
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      writer().exec(
          "INSERT INTO meta (key, value) VALUES ('health_check', now()::text) "
          "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
      return true;
    } catch (const pg::error& e) {
      writer_.reset();
      if (!e.connection_lost()) return false;  // a dropped connection gets one more try
    } catch (const std::exception&) {
      writer_.reset();
      return false;
    }
  }
  return false;
}

}  // namespace advisor::storage
