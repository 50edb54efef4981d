// PostgreSQL for the tests: the throwaway cluster that the CTest fixture pg_cluster starts
// (tests/pg/cluster.sh), and a fresh database in it for each test, dropped afterwards.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

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

}  // namespace advisor::test
