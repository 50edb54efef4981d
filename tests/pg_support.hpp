// PostgreSQL for the tests: the throwaway cluster that the CTest fixture pg_cluster starts
// (tests/pg/cluster.sh), and a fresh database in it for each test, dropped afterwards.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include "knowledge/postgres/pg.hpp"

namespace advisor::test {

// The directory of the cluster's Unix socket; throws when the tests were not started
// through CTest (which starts the cluster and sets ADVISOR_TEST_PG_STATE).
inline std::string pg_socket_dir() {
  const char* state = std::getenv("ADVISOR_TEST_PG_STATE");
  if (!state || !*state)
    throw std::runtime_error(
        "ADVISOR_TEST_PG_STATE is not set: run the PostgreSQL tests through ctest, which starts "
        "the test cluster (fixture pg_cluster)");
  std::ifstream in(state);
  std::string dir;
  if (!std::getline(in, dir) || dir.empty())
    throw std::runtime_error(std::string(state) + ": no PostgreSQL test cluster is running");
  return dir;
}

class pg_database {
 public:
  pg_database() : dir_(pg_socket_dir()) {
    std::random_device rd;
    name_ = "t_" + std::to_string(::getpid()) + "_" + std::to_string(rd());
    storage::pg::connection admin(admin_url());
    admin.exec("CREATE DATABASE " + name_);
  }
  ~pg_database() {
    try {
      storage::pg::connection admin(admin_url());
      admin.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (...) {  // the cluster goes with the fixture anyway
    }
  }
  pg_database(const pg_database&) = delete;
  pg_database& operator=(const pg_database&) = delete;
  // A libpq connection string for this database.
  std::string url() const { return "host=" + dir_ + " user=advisor dbname=" + name_; }
  std::string admin_url() const { return "host=" + dir_ + " user=advisor dbname=postgres"; }
  const std::string& name() const { return name_; }

 private:
  std::string dir_;
  std::string name_;
};

// Waits (at most 20 s: a sanitizer build on a loaded CI machine is slow to get there) until at
// least `n` sessions of database `name` wait for a lock with a statement LIKE `like`: true when
// they do.
inline bool until_lock_waiters(storage::pg::connection& watch, const std::string& name,
                               const std::string& like, std::int64_t n = 1) {
  for (int i = 0; i < 800; ++i) {
    if (watch
            .query("SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = "
                   "'Lock' AND query LIKE $2",
                   {name, like})
            .integer(0, 0) >= n)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

// Ends those sessions on the server's side (as if their client's host went away), and waits
// (at most 20 s) until they are gone: a session being ended can still be listed as waiting for
// a moment, and a later until_lock_waiters must not take it for its client's next try.
inline void terminate_lock_waiters(storage::pg::connection& watch, const std::string& name,
                                   const std::string& like) {
  auto ended = watch.query(
      "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND "
      "query LIKE $2 AND pg_terminate_backend(pid)",
      {name, like});
  std::string pids;
  for (int i = 0; i < ended.rows(); ++i) pids += (pids.empty() ? "" : ",") + ended.text(i, 0);
  if (pids.empty()) return;
  for (int i = 0; i < 800; ++i) {
    if (watch
            .query("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(string_to_array($1, "
                   "',')::int[])",
                   {pids})
            .integer(0, 0) == 0)
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
}

}  // namespace advisor::test
