// Jobs acknowledged to a chat platform and not finished yet (dialogue::job_store) in the
// session store's SQLite file: one instance, restarted after a kill, finishes what the killed
// process had acknowledged. Its own connection; the jobs table comes with the migrations.
#pragma once

#include <mutex>
#include <string>

#include "dialogue/job_store.hpp"
#include "knowledge/sqlite/database.hpp"

namespace advisor::storage {

class sqlite_job_store final : public dialogue::job_store {
 public:
  explicit sqlite_job_store(const std::string& db_path);
  bool record(const dialogue::job& j, const std::string& owner, std::int64_t lease_until) override;
  std::vector<dialogue::job> claim_expired(const std::string& owner, std::int64_t now,
                                           std::int64_t lease_until, std::size_t limit) override;
  bool update(const std::string& id, const std::string& payload) override;
  // Forgets the job's turn token with it.
  void done(const std::string& id) override;

 private:
  std::mutex mutex_;  // guards db_ and the statements
  connection db_;
  statement insert_;
  statement expired_;
  statement claim_;
  statement update_;
  statement forget_token_;
  statement delete_;
};

}  // namespace advisor::storage
