// Work a chat platform was told is done (its HTTP 200 sent) but that is not finished yet: a
// Slack event, slash command or button click whose turn and reply follow on a worker. Each job is
// written before the 200, held by the instance that took it under a lease (owner and expiry), and
// deleted once its reply is delivered. Any instance claims a job whose lease has run out (its owner
// died) and finishes it; the job's turn token (write_op::token, session_store::turn_stored) tells
// whether its turn was already committed, so a job finished twice never decides its turn twice.
// SQLite (one instance, restarted) and PostgreSQL (several) implement it beside their session
// store.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace advisor::dialogue {

struct job {
  std::string id;       // unique, e.g. "slack/event/Ev123"
  std::string payload;  // what the channel needs to run the turn and deliver it
  std::string token;    // the turn's token: stored with its events once committed
};

class job_store {
 public:
  virtual ~job_store() = default;
  // Records `j` as held by `owner` until `lease_until` (seconds since the epoch). False when
  // the store cannot be reached (refuse the request: it would be acknowledged unrecorded).
  // A job whose id is already there is left as it is (true).
  virtual bool record(const job& j, const std::string& owner, std::int64_t lease_until) = 0;
  // At most `limit` jobs whose lease ran out by `now`, now held by `owner` until
  // `lease_until`; two instances claiming at once never get the same job. Empty when the store
  // cannot be reached.
  virtual std::vector<job> claim_expired(const std::string& owner, std::int64_t now,
                                         std::int64_t lease_until, std::size_t limit) = 0;
  // The job has gone further: its payload now says so (a Slack command's thread, once its root
  // message is posted), so that whoever finishes it does not do that part again. False when
  // the store cannot be reached.
  virtual bool update(const std::string& id, const std::string& payload) = 0;
  // The job is finished: it goes, whoever holds it.
  virtual void done(const std::string& id) = 0;
};

}  // namespace advisor::dialogue
