#include "knowledge/postgres/pg.hpp"

#include <charconv>
#include <vector>

namespace advisor::storage::pg {

namespace {

// Every parameter as a C string (or null), in the shape PQexecParams wants.
struct c_params {
  std::vector<const char*> values;
  explicit c_params(const params& p) {
    values.reserve(p.size());
    for (const auto& v : p) values.push_back(v ? v->c_str() : nullptr);
  }
  int count() const { return static_cast<int>(values.size()); }
  const char* const* data() const { return values.empty() ? nullptr : values.data(); }
};

std::string trimmed(const char* msg) {
  std::string s = msg ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.empty() ? "unknown error" : s;
}

bool good(const PGresult* r) {
  auto st = PQresultStatus(r);
  return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

}  // namespace

[[noreturn]] void fail(PGconn* c, const PGresult* r, const std::string& what) {
  std::string state;
  std::string msg;
  if (r) {
    if (const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE)) state = s;
    msg = trimmed(PQresultErrorMessage(r));
    if (PQresultStatus(r) == PGRES_PIPELINE_ABORTED) msg = "skipped after an earlier error";
  }
  if (msg.empty() || msg == "unknown error") msg = trimmed(c ? PQerrorMessage(c) : nullptr);
  // The server ends a session with a FATAL error (57P01 admin shutdown, 57P02 crash
  // shutdown, 57P03 cannot connect now) before the socket closes, when libpq may still call
  // the connection good; class 08 is a connection exception.
  bool lost = !c || PQstatus(c) == CONNECTION_BAD || state.starts_with("08") || state == "57P01" ||
              state == "57P02" || state == "57P03";
  throw error("PostgreSQL: " + what + ": " + msg, state, lost);
}

std::string result::text(int row, int column) const {
  const char* v = PQgetvalue(r_.get(), row, column);
  return std::string(v, static_cast<std::size_t>(PQgetlength(r_.get(), row, column)));
}

std::int64_t result::integer(int row, int column) const {
  const char* v = PQgetvalue(r_.get(), row, column);
  const char* end = v + PQgetlength(r_.get(), row, column);
  std::int64_t out = 0;
  auto [p, ec] = std::from_chars(v, end, out);
  if (ec != std::errc{} || p != end)
    throw error("PostgreSQL: not a whole number: \"" + std::string(v, end) + "\"", "", false);
  return out;
}

std::int64_t result::affected() const {
  const char* v = PQcmdTuples(r_.get());
  std::int64_t out = 0;
  std::from_chars(v, v + std::char_traits<char>::length(v), out);
  return out;
}

namespace {

// A connection with TCP keepalives and a TCP user timeout, unless `conninfo` sets its own: a
// half-open connection (the database's host gone without a word) is found dead within about a
// minute instead of the system's two hours, and the writer thread waiting on it (every commit
// of this instance) is freed.
PGconn* connect_with_keepalives(const std::string& conninfo) {
  std::vector<const char*> keys = {"keepalives", "keepalives_idle", "keepalives_interval",
                                   "keepalives_count"};
  std::vector<const char*> values = {"1", keepalive_defaults::idle, keepalive_defaults::interval,
                                     keepalive_defaults::count};
  if (PQlibVersion() >= 120000) {  // tcp_user_timeout came with libpq 12
    keys.push_back("tcp_user_timeout");
    values.push_back(keepalive_defaults::user_timeout_ms);
  }
  // Last, and expanded: what the connection string says overrides the defaults above.
  keys.push_back("dbname");
  values.push_back(conninfo.c_str());
  keys.push_back(nullptr);
  values.push_back(nullptr);
  return PQconnectdbParams(keys.data(), values.data(), 1);
}

}  // namespace

connection::connection(const std::string& conninfo) : conn_(connect_with_keepalives(conninfo)) {
  if (!conn_) throw error("PostgreSQL: out of memory while connecting", "", true);
  if (PQstatus(conn_.get()) != CONNECTION_OK)
    throw error("PostgreSQL: cannot connect: " + trimmed(PQerrorMessage(conn_.get())), "", true);
  // Notices (e.g. "relation already exists, skipping") are not errors: keep them off stderr.
  PQsetNoticeProcessor(
      conn_.get(), [](void*, const char*) {}, nullptr);
}

void connection::exec(std::string_view sql) {
  result r(PQexec(conn_.get(), std::string(sql).c_str()));
  if (!r.get() || !good(r.get())) fail(conn_.get(), r.get(), std::string(sql.substr(0, 60)));
}

result connection::query(std::string_view sql, const params& p) {
  c_params cp(p);
  result r(PQexecParams(conn_.get(), std::string(sql).c_str(), cp.count(), nullptr, cp.data(),
                        nullptr, nullptr, 0));
  if (!r.get() || !good(r.get())) fail(conn_.get(), r.get(), std::string(sql.substr(0, 60)));
  return r;
}

void connection::prepare(const std::string& name, std::string_view sql) {
  result r(PQprepare(conn_.get(), name.c_str(), std::string(sql).c_str(), 0, nullptr));
  if (!r.get() || !good(r.get())) fail(conn_.get(), r.get(), "preparing " + name);
}

result connection::run(const std::string& name, const params& p) {
  c_params cp(p);
  result r(PQexecPrepared(conn_.get(), name.c_str(), cp.count(), cp.data(), nullptr, nullptr, 0));
  if (!r.get() || !good(r.get())) fail(conn_.get(), r.get(), name);
  return r;
}

pipeline::pipeline(connection& c) : c_(c) {
  if (PQenterPipelineMode(c_.get()) != 1) fail(c_.get(), nullptr, "entering pipeline mode");
}

pipeline::~pipeline() {
  // Results not read (an error was thrown half-way): drain them, so that the connection can
  // leave pipeline mode and serve the next caller. A lost connection is left as it is.
  if (sent_ > 0 && PQstatus(c_.get()) == CONNECTION_OK) {
    try {
      sync();
    } catch (...) {  // never throws from a destructor
    }
  }
  PQexitPipelineMode(c_.get());
}

void pipeline::send(const std::string& prepared, const params& p) {
  c_params cp(p);
  if (PQsendQueryPrepared(c_.get(), prepared.c_str(), cp.count(), cp.data(), nullptr, nullptr, 0) !=
      1)
    fail(c_.get(), nullptr, "sending " + prepared);
  ++sent_;
}

void pipeline::send_sql(std::string_view sql) {
  if (PQsendQueryParams(c_.get(), std::string(sql).c_str(), 0, nullptr, nullptr, nullptr, nullptr,
                        0) != 1)
    fail(c_.get(), nullptr, "sending " + std::string(sql));
  ++sent_;
}

std::vector<result> pipeline::sync() {
  if (PQpipelineSync(c_.get()) != 1) fail(c_.get(), nullptr, "sending a pipeline sync");
  std::vector<result> out;
  out.reserve(sent_);
  const std::size_t expected = sent_;
  sent_ = 0;
  std::optional<error> first;
  // Every statement's result is followed by a null; the Sync's own result ends the lot.
  for (std::size_t i = 0; i < expected; ++i) {
    result r(PQgetResult(c_.get()));
    if (!r.get()) fail(c_.get(), nullptr, "reading a pipeline result");
    if (!good(r.get()) && !first) {
      try {
        fail(c_.get(), r.get(), "statement " + std::to_string(i + 1) + " of a batch");
      } catch (const error& e) {
        first = e;
      }
    }
    while (PGresult* extra = PQgetResult(c_.get())) PQclear(extra);  // the null after it
    out.push_back(std::move(r));
  }
  result end(PQgetResult(c_.get()));
  if (!end.get() || PQresultStatus(end.get()) != PGRES_PIPELINE_SYNC) {
    if (first) throw *first;
    fail(c_.get(), end.get(), "ending a pipeline");
  }
  if (first) throw *first;
  return out;
}

}  // namespace advisor::storage::pg
