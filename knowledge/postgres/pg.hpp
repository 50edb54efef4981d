// A small RAII layer over libpq: a connection, its results, statements prepared once per
// connection, and pipelines (many statements sent at once, their results read after one
// sync: a batch costs one round trip). Parameters are always bound, never spliced into SQL.
// A connection belongs to one thread at a time; callers serialise access to it.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace advisor::storage::pg {

// A failed call: what PostgreSQL said, its SQLSTATE (empty when there is none), and whether
// the connection is gone (then the outcome of a COMMIT in flight is unknown).
class error : public std::runtime_error {
 public:
  error(const std::string& what, std::string sqlstate, bool connection_lost)
      : std::runtime_error(what), sqlstate_(std::move(sqlstate)), lost_(connection_lost) {}
  const std::string& sqlstate() const { return sqlstate_; }
  bool connection_lost() const { return lost_; }
  // A deadlock or a serialization failure: the transaction can simply run again.
  bool retryable() const { return sqlstate_ == "40P01" || sqlstate_ == "40001"; }

 private:
  std::string sqlstate_;
  bool lost_;
};

class result {
 public:
  result() = default;
  explicit result(PGresult* r) : r_(r) {}
  PGresult* get() const { return r_.get(); }
  int rows() const { return PQntuples(r_.get()); }
  bool is_null(int row, int column) const { return PQgetisnull(r_.get(), row, column) == 1; }
  std::string text(int row, int column) const;
  std::int64_t integer(int row, int column) const;
  // Rows an INSERT, UPDATE or DELETE changed.
  std::int64_t affected() const;

 private:
  struct clearer {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, clearer> r_;
};

// A statement's parameters, as text (PostgreSQL casts them); nullopt is SQL NULL.
using params = std::vector<std::optional<std::string>>;

// What a connection sets unless its connection string says otherwise (TCP only: a Unix socket
// ignores them): keepalives on, the first probe after `idle` seconds of silence, then every
// `interval` seconds, dead after `count` unanswered; sent data unacknowledged for
// `user_timeout_ms` also ends it (libpq 12 and later).
struct keepalive_defaults {
  static constexpr const char* idle = "30";
  static constexpr const char* interval = "10";
  static constexpr const char* count = "3";
  static constexpr const char* user_timeout_ms = "30000";
};

class connection {
 public:
  // Connects with a libpq connection string or URI ("postgresql:///advisor?host=/run/pg"),
  // with TCP keepalives (keepalive_defaults) unless it sets its own.
  // Throws pg::error naming the problem (never the password).
  explicit connection(const std::string& conninfo);
  PGconn* get() const { return conn_.get(); }
  bool ok() const { return PQstatus(conn_.get()) == CONNECTION_OK; }
  // Runs one or more statements without parameters.
  void exec(std::string_view sql);
  // Runs one statement with parameters and returns its rows.
  result query(std::string_view sql, const params& p = {});
  // Prepares a named statement on this connection, for run() and pipelines.
  void prepare(const std::string& name, std::string_view sql);
  result run(const std::string& name, const params& p);

 private:
  struct finisher {
    void operator()(PGconn* c) const { PQfinish(c); }
  };
  std::unique_ptr<PGconn, finisher> conn_;
};

// Statements sent one after the other without waiting; sync() sends them (with a Sync) and
// reads every result. Inside an explicit transaction (BEGIN sent first) a sync does not
// commit. The connection leaves pipeline mode when the pipeline goes.
class pipeline {
 public:
  explicit pipeline(connection& c);
  ~pipeline();
  pipeline(const pipeline&) = delete;
  pipeline& operator=(const pipeline&) = delete;
  void send(const std::string& prepared, const params& p);
  void send_sql(std::string_view sql);  // a statement without parameters (BEGIN, COMMIT)
  std::size_t pending() const { return sent_; }
  // The results, in the order sent. Throws pg::error for the first statement that failed
  // (the ones after it in the same sync were skipped by the server).
  std::vector<result> sync();

 private:
  connection& c_;
  std::size_t sent_ = 0;
};

// Throws pg::error with the message of `r` (or of the connection when r is null).
[[noreturn]] void fail(PGconn* c, const PGresult* r, const std::string& what);

}  // namespace advisor::storage::pg
