#include "knowledge/sqlite/database.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace advisor::storage {

namespace {

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw database_error(what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

// Each entry moves the schema from version i to i + 1. Never edit a released entry: add one.
constexpr std::array<std::string_view, latest_schema_version> migrations{
    R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE sources (
  id TEXT PRIMARY KEY, title TEXT NOT NULL, publisher TEXT NOT NULL DEFAULT '',
  author TEXT NOT NULL DEFAULT '', file TEXT NOT NULL DEFAULT '', summary TEXT NOT NULL DEFAULT '');
CREATE TABLE facts (
  id TEXT PRIMARY KEY,
  tech TEXT NOT NULL CHECK (tech IN ('python', 'nodejs', 'both')),
  topic TEXT NOT NULL, claim TEXT NOT NULL, figure TEXT NOT NULL DEFAULT '',
  source_id TEXT NOT NULL REFERENCES sources(id),
  keywords TEXT NOT NULL DEFAULT '', contested_id TEXT NOT NULL DEFAULT '');
CREATE INDEX facts_topic ON facts(topic);
CREATE VIRTUAL TABLE facts_fts USING fts5(
  claim, keywords, topic, figure, content='facts', content_rowid='rowid', tokenize='porter unicode61');
CREATE TABLE contested (
  id TEXT PRIMARY KEY, topic TEXT NOT NULL, summary TEXT NOT NULL, bears_on TEXT NOT NULL DEFAULT '{}');
CREATE TABLE contested_sides (
  contested_id TEXT NOT NULL REFERENCES contested(id) ON DELETE CASCADE,
  ord INTEGER NOT NULL, position TEXT NOT NULL, claim TEXT NOT NULL, facts TEXT NOT NULL,
  PRIMARY KEY (contested_id, ord));

CREATE TABLE frameworks (
  id TEXT PRIMARY KEY, version TEXT NOT NULL, title TEXT NOT NULL, document TEXT NOT NULL,
  loaded_at TEXT NOT NULL);
CREATE TABLE questions (
  framework_id TEXT NOT NULL REFERENCES frameworks(id) ON DELETE CASCADE,
  id TEXT NOT NULL, ord INTEGER NOT NULL, text TEXT NOT NULL, why TEXT NOT NULL, ask_if TEXT NOT NULL,
  PRIMARY KEY (framework_id, id));
CREATE TABLE options (
  framework_id TEXT NOT NULL, question_id TEXT NOT NULL, id TEXT NOT NULL, ord INTEGER NOT NULL,
  label TEXT NOT NULL, synonyms TEXT NOT NULL,
  PRIMARY KEY (framework_id, question_id, id),
  FOREIGN KEY (framework_id, question_id) REFERENCES questions(framework_id, id) ON DELETE CASCADE);
CREATE TABLE scoring_rules (
  framework_id TEXT NOT NULL, question_id TEXT NOT NULL, option_id TEXT NOT NULL,
  stack TEXT NOT NULL, points REAL NOT NULL,
  PRIMARY KEY (framework_id, question_id, option_id, stack),
  FOREIGN KEY (framework_id, question_id, option_id) REFERENCES options(framework_id, question_id, id)
    ON DELETE CASCADE);

CREATE TABLE conversations (
  id TEXT PRIMARY KEY, framework TEXT NOT NULL, seq INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE bindings (
  channel TEXT NOT NULL, key TEXT NOT NULL,
  conversation_id TEXT NOT NULL REFERENCES conversations(id), bound_at TEXT NOT NULL,
  PRIMARY KEY (channel, key));
CREATE INDEX bindings_conversation ON bindings(conversation_id);
CREATE TABLE events (
  conversation_id TEXT NOT NULL REFERENCES conversations(id), seq INTEGER NOT NULL,
  kind TEXT NOT NULL, question TEXT NOT NULL DEFAULT '', option TEXT NOT NULL DEFAULT '',
  turn INTEGER NOT NULL, via TEXT NOT NULL DEFAULT '', phrase TEXT NOT NULL DEFAULT '',
  at TEXT NOT NULL,
  PRIMARY KEY (conversation_id, seq)) WITHOUT ROWID;
)sql",
    // 2: find a conversation's last restart without reading its history.
    R"sql(
CREATE INDEX events_kind ON events(conversation_id, kind, seq);
)sql",
    // 3: the conversation row keeps its last restart, so
    // an append writes one index less.
    R"sql(
ALTER TABLE conversations ADD COLUMN restart_seq INTEGER NOT NULL DEFAULT 0;
UPDATE conversations SET restart_seq = coalesce(
  (SELECT max(seq) FROM events WHERE events.conversation_id = conversations.id AND kind = 'restart'), 0);
DROP INDEX events_kind;
)sql",
    // 4: events become an append-only log. A
    // turn appends its events where the newest
    // rows are (one page for a whole batch)
    // instead of at the end of each conversation's
    // range, which rewrote about two pages an
    // event. Each event points to the one before
    // it; the conversation row to its newest.
    R"sql(
CREATE TABLE event_log (
  id INTEGER PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations(id), seq INTEGER NOT NULL,
  kind TEXT NOT NULL, question TEXT NOT NULL DEFAULT '', option TEXT NOT NULL DEFAULT '',
  turn INTEGER NOT NULL, via TEXT NOT NULL DEFAULT '', phrase TEXT NOT NULL DEFAULT '',
  at TEXT NOT NULL,
  prev INTEGER);
INSERT INTO event_log (conversation_id, seq, kind, question, option, turn, via, phrase, at)
  SELECT conversation_id, seq, kind, question, option, turn, via, phrase, at FROM events ORDER BY conversation_id, seq;
UPDATE event_log SET prev = id - 1 WHERE seq > 1;
ALTER TABLE conversations ADD COLUMN last_event INTEGER;
CREATE INDEX event_log_migration ON event_log(conversation_id, seq);
UPDATE conversations SET last_event =
  (SELECT id FROM event_log WHERE event_log.conversation_id = conversations.id AND event_log.seq = conversations.seq);
DROP INDEX event_log_migration;
DROP TABLE events;
ALTER TABLE event_log RENAME TO events;
)sql",
    // 5: idle conversations expire (expire_idle
    // finds the oldest first).
    R"sql(
CREATE INDEX conversations_updated ON conversations(updated_at);
)sql",
    // 6: jobs acknowledged to a chat platform and not finished yet (sqlite_job_store), and
    // the tokens of their turns (turn_stored), which go with the job.
    R"sql(
CREATE TABLE jobs (
  id TEXT PRIMARY KEY, payload TEXT NOT NULL, token TEXT NOT NULL, owner TEXT NOT NULL,
  lease_until INTEGER NOT NULL);
CREATE INDEX jobs_lease ON jobs(lease_until);
CREATE TABLE turn_tokens (
  token TEXT PRIMARY KEY, conversation_id TEXT NOT NULL) WITHOUT ROWID;
)sql",
    // 7: framework documents by (id, version), so that a conversation is replayed on the
    // version it started on. The documents this database last loaded come along: they are
    // what its conversations ran on. A conversation recorded without a version ("id") ran on
    // the one this database last loaded, so it takes that version.
    R"sql(
CREATE TABLE framework_documents (
  framework_id TEXT NOT NULL, version TEXT NOT NULL, document TEXT NOT NULL,
  stored_at TEXT NOT NULL,
  PRIMARY KEY (framework_id, version)) WITHOUT ROWID;
INSERT INTO framework_documents (framework_id, version, document, stored_at)
  SELECT id, version, document, loaded_at FROM frameworks;
UPDATE conversations SET framework = framework || '@' ||
  (SELECT version FROM frameworks WHERE frameworks.id = conversations.framework)
  WHERE instr(framework, '@') = 0 AND framework IN (SELECT id FROM frameworks);
)sql",
    // 8: a source's address, when one is known ('' when not), so answers can link to it.
    R"sql(
ALTER TABLE sources ADD COLUMN url TEXT NOT NULL DEFAULT '';
)sql"};

}  // namespace

statement::statement(sqlite3* db, std::string_view sql) : db_(db) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &raw, nullptr) != SQLITE_OK)
    fail(db, "preparing statement");
  stmt_.reset(raw);
}

statement& statement::bind(int index, std::string_view value) {
  if (sqlite3_bind_text(stmt_.get(), index, value.data(), static_cast<int>(value.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK)
    fail(db_, "binding text");
  return *this;
}

statement& statement::bind_static(int index, std::string_view value) {
  if (sqlite3_bind_text(stmt_.get(), index, value.data(), static_cast<int>(value.size()),
                        SQLITE_STATIC) != SQLITE_OK)
    fail(db_, "binding text");
  return *this;
}

statement& statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_.get(), index, value) != SQLITE_OK) fail(db_, "binding integer");
  return *this;
}

statement& statement::bind(int index, double value) {
  if (sqlite3_bind_double(stmt_.get(), index, value) != SQLITE_OK) fail(db_, "binding real");
  return *this;
}

bool statement::step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string msg = sqlite3_errmsg(db_);
  sqlite3_reset(stmt_.get());
  throw database_error("running statement: " + msg);
}

void statement::run() {
  while (step()) {
  }
  reset();
}

void statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::string statement::text(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_.get(), column);
  int n = sqlite3_column_bytes(stmt_.get(), column);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
           : std::string{};
}

std::int64_t statement::integer(int column) const {
  return sqlite3_column_int64(stmt_.get(), column);
}
double statement::real(int column) const { return sqlite3_column_double(stmt_.get(), column); }

connection::connection(const std::string& path) : path_(path) {
  // SQLite counts every allocation it makes under one process-wide mutex (for
  // sqlite3_memory_used, which the advisor never asks): a lock and an unlock per malloc and
  // free. Switched off once, before the first connection initialises the library (a no-op,
  // SQLITE_MISUSE, if something else initialised it first).
  static const bool no_memory_statistics = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)no_memory_statistics;
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  db_.reset(raw);
  if (rc != SQLITE_OK) fail(raw, "opening database " + path);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  sqlite3_extended_result_codes(raw, 1);
  // WAL: readers never block the writer; NORMAL sync is durable across process crashes.
  // Every commit writes each page it changed into the WAL whole, and a turn changes a row or
  // two: 1 KiB pages (set only when the file is new) write a quarter of what 4 KiB ones do.
  exec(
      "PRAGMA page_size = 1024; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA "
      "foreign_keys = ON;");
}

void connection::exec(std::string_view sql) {
  char* err = nullptr;
  std::string text(sql);
  if (sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw database_error(msg);
  }
}

std::optional<std::uint32_t> connection::data_version() const {
  unsigned int v = 0;
  if (sqlite3_file_control(db_.get(), "main", SQLITE_FCNTL_DATA_VERSION, &v) != SQLITE_OK)
    return std::nullopt;
  return v;
}

void connection::run(control c) {
  static constexpr std::array<std::string_view, 3> sql{"BEGIN", "BEGIN IMMEDIATE", "COMMIT"};
  auto& st = control_[static_cast<std::size_t>(c)];
  if (!st) st.emplace(db_.get(), sql[static_cast<std::size_t>(c)]);
  st->run();
}

transaction::transaction(connection& c) : c_(c) {
  try {
    c_.run(connection::control::begin_immediate);
  } catch (const database_error& e) {
    // SQLITE_BUSY once the busy timeout is over: say whose fault it is and what was waited.
    if (std::string_view(e.what()).find("database is locked") == std::string_view::npos) throw;
    throw database_error("another connection held the database's write lock for over " +
                         std::to_string(busy_timeout_ms / 1000) + " s; nothing was written (" +
                         e.what() + ")");
  }
}

transaction::~transaction() {
  if (!done_) sqlite3_exec(c_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void transaction::commit() {
  c_.run(connection::control::commit);
  done_ = true;
}

int schema_version(connection& c) {
  auto st = c.prepare("PRAGMA user_version");
  st.step();
  return static_cast<int>(st.integer(0));
}

void migrate(connection& c, int target) {
  int version = schema_version(c);
  if (version > latest_schema_version)
    throw database_error(c.path() + " has schema version " + std::to_string(version) +
                         ", newer than this advisor knows (" +
                         std::to_string(latest_schema_version) + "); use a newer advisor");
  for (int v = version; v < std::min(target, latest_schema_version); ++v) {
    transaction t(c);
    c.exec(migrations[static_cast<std::size_t>(v)]);
    c.exec("PRAGMA user_version = " + std::to_string(v + 1));
    t.commit();
  }
}

}  // namespace advisor::storage
