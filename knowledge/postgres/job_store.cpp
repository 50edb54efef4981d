#include "knowledge/postgres/job_store.hpp"

namespace advisor::storage {

pg_job_store::pg_job_store(std::string conninfo) : conninfo_(std::move(conninfo)) {}

pg::connection& pg_job_store::conn(lane& l) {
  auto& c = l.conn;
  if (c && !c->ok()) c.reset();
  if (c) return *c;
  c.emplace(conninfo_);
  // Each connection prepares only its own statements (preparing one takes the locks its
  // tables need, so the sweep's connection never waits to prepare a request's statement).
  if (&l == &sweep_) {
    c->prepare("claim",
               "UPDATE jobs SET owner = $1, lease_until = $3::bigint WHERE id IN ("
               "SELECT id FROM jobs WHERE lease_until <= $2::bigint ORDER BY lease_until "
               "LIMIT $4::bigint FOR UPDATE SKIP LOCKED) RETURNING id, payload, token");
    return *c;
  }
  c->prepare("record",
             "INSERT INTO jobs (id, payload, token, owner, lease_until) "
             "VALUES ($1, $2, $3, $4, $5::bigint) ON CONFLICT (id) DO NOTHING");
  c->prepare("update", "UPDATE jobs SET payload = $2 WHERE id = $1");
  c->prepare("done", "DELETE FROM jobs WHERE id = $1");
  // One statement, one transaction: the key (a live one wins, an expired one is taken over,
  // as pg_seen_store's "remember") and, only when it was new, the job.
  c->prepare("remember_with",
             "WITH s AS (INSERT INTO seen (key, expires_at) VALUES ($1, $2::bigint) "
             "ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at "
             "WHERE seen.expires_at <= $3::bigint RETURNING 1), "
             "j AS (INSERT INTO jobs (id, payload, token, owner, lease_until) "
             "SELECT $4, $5, $6, $7, $8::bigint WHERE EXISTS (SELECT 1 FROM s) "
             "ON CONFLICT (id) DO NOTHING RETURNING 1) "
             "SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM j)");
  return *c;
}

pg::result pg_job_store::run(lane& l, const std::string& name, const pg::params& p) {
  for (int attempt = 0;; ++attempt) {
    try {
      return conn(l).run(name, p);
    } catch (const pg::error& e) {
      l.conn.reset();
      // A dropped connection (a server restart): once more on a new one.
      if (!e.connection_lost() || attempt == 1) throw;
    }
  }
}

bool pg_job_store::record(const dialogue::job& j, const std::string& owner,
                          std::int64_t lease_until) {
  std::lock_guard lock(requests_.mutex);
  try {
    run(requests_, "record", {j.id, j.payload, j.token, owner, std::to_string(lease_until)});
    return true;
  } catch (const pg::error&) {
    return false;
  }
}

std::vector<dialogue::job> pg_job_store::claim_expired(const std::string& owner, std::int64_t now,
                                                       std::int64_t lease_until,
                                                       std::size_t limit) {
  std::lock_guard lock(sweep_.mutex);
  std::vector<dialogue::job> out;
  try {
    auto r = run(sweep_, "claim",
                 {owner, std::to_string(now), std::to_string(lease_until), std::to_string(limit)});
    for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2)});
  } catch (const pg::error&) {
    return {};  // the next sweep tries again
  }
  return out;
}

bool pg_job_store::update(const std::string& id, const std::string& payload) {
  std::lock_guard lock(requests_.mutex);
  try {
    run(requests_, "update", {id, payload});
    return true;
  } catch (const pg::error&) {
    return false;
  }
}

dialogue::seen_store::outcome pg_job_store::remember_with(const std::string& key,
                                                          std::int64_t expires_at, std::int64_t now,
                                                          const dialogue::job& j,
                                                          const std::string& owner,
                                                          std::int64_t lease_until) {
  using outcome = dialogue::seen_store::outcome;
  std::lock_guard lock(requests_.mutex);
  try {
    // Run again after a dropped connection: a first try that committed makes it say seen,
    // and its job is there for whoever claims it once its lease runs out.
    auto r = run(requests_, "remember_with",
                 {key, std::to_string(expires_at), std::to_string(now), j.id, j.payload, j.token,
                  owner, std::to_string(lease_until)});
    return r.integer(0, 0) > 0 ? outcome::first : outcome::seen;
  } catch (const pg::error&) {
    return outcome::unavailable;
  }
}

void pg_job_store::done(const std::string& id) {
  std::lock_guard lock(requests_.mutex);
  try {
    run(requests_, "done", {id});
  } catch (const pg::error&) {
    // The job stays: once its lease runs out it is finished again, and its token says that
    // its turn is already stored.
  }
}

}  // namespace advisor::storage
