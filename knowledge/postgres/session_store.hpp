// Conversations in PostgreSQL, shared by several `advisor serve` instances: the same tables
// and the same calls as the SQLite store (dialogue/session_store.hpp).
//
// A batch of writes is one transaction in two round trips (pipelines). First it locks what it
// touches: the batch's conversation rows FOR UPDATE in id order, then its channel keys (a
// transaction-scoped advisory lock per key, so that a key not bound yet is locked too, then
// the binding rows FOR UPDATE) in key order; every instance takes locks in that order, so
// two batches never deadlock on each other. With the rows locked, each write is checked
// against what is stored (its sequence number, its key's binding); then the writes that still
// follow on are sent with the COMMIT. Each turn's first event carries the turn's token: when
// the connection drops during the COMMIT, a new connection looks for it to tell whether the
// commit happened.
//
// Migrations run when a store opens, under a session advisory lock, so instances starting
// together take turns. Two connections: one writes (batches, sweeps), one reads (find).
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "dialogue/session_store.hpp"
#include "knowledge/postgres/pg.hpp"

namespace advisor::storage {

// The newest schema version of the PostgreSQL store.
constexpr int latest_pg_schema_version = 4;

class pg_session_store final : public dialogue::session_store {
 public:
  // Connects, and migrates the schema. Throws pg::error when the server cannot be reached or
  // its schema is newer than this program knows.
  explicit pg_session_store(std::string conninfo);

  std::optional<dialogue::conversation_record> find(const dialogue::channel_key& key) override;
  std::vector<dialogue::write_status> apply(const std::vector<dialogue::write_op>& writes) override;
  bool writable() override;
  dialogue::expired_conversations expire_idle(std::chrono::system_clock::time_point idle_before,
                                              std::size_t limit) override;
  bool networked() const override { return true; }
  bool turn_stored(const dialogue::channel_key& key, const std::string& token) override;
  std::string keep_framework(const std::string& id, const std::string& version,
                             const std::string& document) override;
  std::optional<std::string> framework_document(const std::string& id,
                                                const std::string& version) override;

  // Whether the turn with this token, whose events start after `expected_seq`, is stored.
  bool turn_stored(const std::string& conversation, std::uint64_t expected_seq,
                   const std::string& token);
  int schema_version();

 private:
  // A connection with the store's statements prepared on it.
  pg::connection& writer();
  pg::connection& reader();
  // turn_stored() for `w`; false when the database cannot be reached.
  bool stored_now(const dialogue::write_op& w);
  // Runs a prepared read on the reader (read_mutex_ held), again on a new connection once
  // when the old one turns out to be gone.
  pg::result read(const std::string& statement, const pg::params& p);
  std::vector<dialogue::write_status> apply_once(pg::connection& c,
                                                 const std::vector<dialogue::write_op>& writes);

  std::string conninfo_;
  std::mutex mutex_;  // guards writer_ and last_decided_
  // What phase 1 of the batch in flight decided, kept until its COMMIT's outcome is known.
  std::vector<dialogue::write_status> last_decided_;
  std::optional<pg::connection> writer_;
  std::mutex read_mutex_;  // guards reader_
  std::optional<pg::connection> reader_;
};

// Brings a PostgreSQL database to the newest schema under an advisory lock (instances that
// start together wait for each other); `target` stops at that version (for tests).
void migrate_pg(pg::connection& c, int target = latest_pg_schema_version);

}  // namespace advisor::storage
