#include "knowledge/postgres/seen_store.hpp"

namespace advisor::storage {

namespace {

// Every this many new keys, the expired ones go (at most expired_batch at a time).
constexpr std::uint64_t sweep_every = 256;
constexpr int expired_batch = 1000;

}  // namespace

pg_seen_store::pg_seen_store(std::string conninfo) : conninfo_(std::move(conninfo)) {}

pg::connection& pg_seen_store::conn() {
  if (conn_ && !conn_->ok()) conn_.reset();
  if (!conn_) {
    conn_.emplace(conninfo_);
    // A live key wins; an expired one is taken over as if new.
    conn_->prepare("remember",
                   "INSERT INTO seen (key, expires_at) VALUES ($1, $2::bigint) "
                   "ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at "
                   "WHERE seen.expires_at <= $3::bigint RETURNING 1");
    conn_->prepare("forget", "DELETE FROM seen WHERE key = $1");
    conn_->prepare("sweep",
                   "DELETE FROM seen WHERE key IN (SELECT key FROM seen WHERE expires_at <= "
                   "$1::bigint LIMIT " +
                       std::to_string(expired_batch) + ")");
  }
  return *conn_;
}

dialogue::seen_store::outcome pg_seen_store::remember(const std::string& key,
                                                      std::int64_t expires_at, std::int64_t now) {
  std::lock_guard lock(mutex_);
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      auto r = conn().run("remember", {key, std::to_string(expires_at), std::to_string(now)});
      if (r.rows() == 0) return outcome::seen;
      if (++inserted_ % sweep_every == 0) conn().run("sweep", {std::to_string(now)});
      return outcome::first;
    } catch (const pg::error& e) {
      conn_.reset();
      if (!e.connection_lost()) return outcome::unavailable;
      // A dropped connection (a server restart): once more on a new one.
    }
  }
  return outcome::unavailable;
}

void pg_seen_store::forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  try {
    conn().run("forget", {key});
  } catch (const pg::error&) {
    conn_.reset();  // the key stays until it expires: the user's click then counts as done
  }
}

}  // namespace advisor::storage
