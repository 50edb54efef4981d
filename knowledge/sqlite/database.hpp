// A small RAII layer over SQLite: a connection, statements prepared once and reused, a
// transaction that rolls back unless committed, and the numbered schema migrations.
// A connection belongs to one thread at a time; callers serialise access to it.
#pragma once

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace advisor::storage {

class database_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class statement {
 public:
  statement(sqlite3* db, std::string_view sql);
  statement(statement&&) noexcept = default;
  statement& operator=(statement&&) noexcept = default;

  statement& bind(int index, std::string_view value);
  // Binds text without SQLite's copy of it: `value` must stay alive and unchanged until the
  // statement is reset (run() resets it).
  statement& bind_static(int index, std::string_view value);
  statement& bind(int index, std::int64_t value);
  statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  statement& bind(int index, double value);
  bool step();  // true while there is a row
  void run();   // steps to the end, then resets
  void reset();
  std::string text(int column) const;
  std::int64_t integer(int column) const;
  bool is_null(int column) const { return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL; }
  double real(int column) const;

 private:
  struct finalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, finalizer> stmt_;
};

// How long a connection waits for another one's lock before SQLITE_BUSY.
constexpr int busy_timeout_ms = 5000;

class connection {
 public:
  // Opens (creating if needed) the database file; ":memory:" works for tests.
  explicit connection(const std::string& path);
  sqlite3* get() const { return db_.get(); }
  void exec(std::string_view sql);
  statement prepare(std::string_view sql) const { return statement(db_.get(), sql); }
  int changes() const { return sqlite3_changes(db_.get()); }
  const std::string& path() const { return path_; }
  // SQLite's data version of the main database (SQLITE_FCNTL_DATA_VERSION): it changes with
  // every commit, this connection's own included, and whenever a transaction begun here finds
  // that another connection (or process) committed since this one last looked. Unset when
  // SQLite cannot tell.
  std::optional<std::uint32_t> data_version() const;

  // Transaction control, each statement prepared once on first use (exec would parse it
  // again for every transaction).
  enum class control { begin, begin_immediate, commit };
  void run(control c);

 private:
  struct closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  std::unique_ptr<sqlite3, closer> db_;
  std::string path_;
  std::array<std::optional<statement>, 3> control_;  // finalized before db_ closes
};

// BEGIN IMMEDIATE ... COMMIT; the destructor rolls back an uncommitted one and never throws.
class transaction {
 public:
  explicit transaction(connection& c);
  ~transaction();
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  void commit();

 private:
  connection& c_;
  bool done_ = false;
};

// Brings the schema to the newest version (PRAGMA user_version), one migration per
// transaction. Throws database_error if the file is newer than this program knows.
constexpr int latest_schema_version = 8;
// `target`: stop at that version (tests build old databases with it).
void migrate(connection& c, int target = latest_schema_version);
int schema_version(connection& c);

}  // namespace advisor::storage
