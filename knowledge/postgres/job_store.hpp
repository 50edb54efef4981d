// Jobs acknowledged to a chat platform and not finished yet (dialogue::job_store) in
// PostgreSQL, shared by every instance on the database: a job whose owner died is claimed by
// another one (FOR UPDATE SKIP LOCKED: two claimers never get the same job). Its table comes
// with the session store's migrations.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "dialogue/job_store.hpp"
#include "dialogue/seen_store.hpp"
#include "knowledge/postgres/pg.hpp"

namespace advisor::storage {

class pg_job_store final : public dialogue::job_store {
 public:
  // Connects lazily: a database down makes record() say false, not throw.
  explicit pg_job_store(std::string conninfo);
  bool record(const dialogue::job& j, const std::string& owner, std::int64_t lease_until) override;
  std::vector<dialogue::job> claim_expired(const std::string& owner, std::int64_t now,
                                           std::int64_t lease_until, std::size_t limit) override;
  bool update(const std::string& id, const std::string& payload) override;
  void done(const std::string& id) override;
  // Remembers `key` in the seen table (as pg_seen_store::remember) and records `j` in the same
  // statement: both are written (first) or neither (seen, or unavailable).
  dialogue::seen_store::outcome remember_with(const std::string& key, std::int64_t expires_at,
                                              std::int64_t now, const dialogue::job& j,
                                              const std::string& owner, std::int64_t lease_until);

 private:
  pg::connection& conn();
  // Runs a prepared statement, once more on a new connection when the old one was dropped.
  pg::result run(const std::string& name, const pg::params& p);
  std::string conninfo_;
  std::mutex mutex_;  // guards conn_
  std::optional<pg::connection> conn_;
};

}  // namespace advisor::storage
