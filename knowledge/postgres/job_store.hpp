// Jobs acknowledged to a chat platform and not finished yet (dialogue::job_store) in
// PostgreSQL, shared by every instance on the database: a job whose owner died is claimed by
// another one (FOR UPDATE SKIP LOCKED: two claimers never get the same job). Its table comes
// with the session store's migrations.
//
// Two connections: the sweep's claim has its own, so a claim that waits in the database (a
// table another client holds) never holds up a request recording its event, and the other
// way round.
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
  // One connection and the lock that guards it.
  struct lane {
    std::mutex mutex;
    std::optional<pg::connection> conn;
  };
  pg::connection& conn(lane& l);
  // Runs a prepared statement on `l` (whose mutex the caller holds), once more on a new
  // connection when the old one was dropped.
  pg::result run(lane& l, const std::string& name, const pg::params& p);
  std::string conninfo_;
  lane requests_;  // record, update, done, remember_with
  lane sweep_;     // claim_expired
};

}  // namespace advisor::storage
