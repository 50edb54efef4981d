// The chat platforms' shared memory (dialogue::seen_store) in PostgreSQL: one table with a
// unique key and an expiry; inserting a key that is there and live changes nothing, so two
// instances that get the same key at once find out which was first. Expired rows are deleted
// in small batches as new keys come. Its table comes with the session store's migrations.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "dialogue/seen_store.hpp"
#include "knowledge/postgres/pg.hpp"

namespace advisor::storage {

class pg_seen_store final : public dialogue::seen_store {
 public:
  // Connects lazily: a database down at start-up makes remember() say unavailable, not throw.
  explicit pg_seen_store(std::string conninfo);
  outcome remember(const std::string& key, std::int64_t expires_at, std::int64_t now) override;
  void forget(const std::string& key) override;

 private:
  pg::connection& conn();
  std::string conninfo_;
  std::mutex mutex_;  // guards conn_ (a handful of route threads share it; each call is short)
  std::optional<pg::connection> conn_;
  std::uint64_t inserted_ = 0;
};

}  // namespace advisor::storage
