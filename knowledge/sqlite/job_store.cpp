#include "knowledge/sqlite/job_store.hpp"

namespace advisor::storage {

namespace {

connection& migrated(connection& c) {
  migrate(c);
  return c;
}

}  // namespace

sqlite_job_store::sqlite_job_store(const std::string& db_path)
    : db_(db_path),
      insert_(migrated(db_).prepare(
          "INSERT OR IGNORE INTO jobs (id, payload, token, owner, lease_until) "
          "VALUES (?1, ?2, ?3, ?4, ?5)")),
      expired_(db_.prepare("SELECT id, payload, token FROM jobs WHERE lease_until <= ?1 "
                           "ORDER BY lease_until LIMIT ?2")),
      claim_(db_.prepare(
          "UPDATE jobs SET owner = ?1, lease_until = ?2 WHERE id = ?3 AND lease_until <= ?4")),
      update_(db_.prepare("UPDATE jobs SET payload = ?2 WHERE id = ?1")),
      forget_token_(db_.prepare(
          "DELETE FROM turn_tokens WHERE token IN (SELECT token FROM jobs WHERE id = ?1)")),
      delete_(db_.prepare("DELETE FROM jobs WHERE id = ?1")) {}

bool sqlite_job_store::record(const dialogue::job& j, const std::string& owner,
                              std::int64_t lease_until) {
  std::lock_guard lock(mutex_);
  try {
    insert_.bind(1, j.id).bind(2, j.payload).bind(3, j.token).bind(4, owner).bind(5, lease_until);
    insert_.run();
    return true;
  } catch (const database_error&) {
    insert_.reset();
    return false;
  }
}

std::vector<dialogue::job> sqlite_job_store::claim_expired(const std::string& owner,
                                                           std::int64_t now,
                                                           std::int64_t lease_until,
                                                           std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<dialogue::job> out;
  try {
    transaction t(db_);  // BEGIN IMMEDIATE: one claimer at a time
    expired_.bind(1, now).bind(2, static_cast<std::int64_t>(limit));
    while (expired_.step()) out.push_back({expired_.text(0), expired_.text(1), expired_.text(2)});
    expired_.reset();
    for (const auto& j : out)
      claim_.bind(1, owner).bind(2, lease_until).bind(3, j.id).bind(4, now).run();
    t.commit();
  } catch (const database_error&) {
    expired_.reset();
    claim_.reset();
    return {};
  }
  return out;
}

bool sqlite_job_store::update(const std::string& id, const std::string& payload) {
  std::lock_guard lock(mutex_);
  try {
    update_.bind(1, id).bind(2, payload).run();
    return true;
  } catch (const database_error&) {
    update_.reset();
    return false;
  }
}

void sqlite_job_store::done(const std::string& id) {
  std::lock_guard lock(mutex_);
  try {
    transaction t(db_);
    forget_token_.bind(1, id).run();
    delete_.bind(1, id).run();
    t.commit();
  } catch (const database_error&) {
    // The job stays: once its lease runs out it is finished again, and its token says that
    // its turn is already stored.
    forget_token_.reset();
    delete_.reset();
  }
}

}  // namespace advisor::storage
