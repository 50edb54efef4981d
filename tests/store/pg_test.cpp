// The PostgreSQL store's own behaviour: migrations under an advisory lock, a dropped
// connection, a commit's outcome told by the turn's token, and the bot service on two
// instances sharing one database.
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "bot/infra/config.hpp"
#include "bot/service/service.hpp"
#include "knowledge/postgres/job_store.hpp"
#include "knowledge/postgres/seen_store.hpp"
#include "knowledge/postgres/session_store.hpp"
#include "pg_support.hpp"
#include "support.hpp"

using namespace advisor;
using dialogue::write_status;

namespace {

void terminate_others(const test::pg_database& db) {
  storage::pg::connection admin(db.admin_url());
  admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> "
      "pg_backend_pid()",
      {db.name()});
}

}  // namespace

TEST_CASE("pg: instances starting together migrate once - under the advisory lock") {
  test::pg_database db;
  std::vector<std::thread> starting;
  std::atomic<int> opened{0};
  for (int i = 0; i < 4; ++i)
    starting.emplace_back([&] {
      storage::pg_session_store store(db.url());
      ++opened;
    });
  for (auto& t : starting) t.join();
  CHECK(opened == 4);
  storage::pg_session_store store(db.url());
  CHECK(store.schema_version() == storage::latest_pg_schema_version);
  storage::pg::connection c(db.url());
  CHECK(c.query("SELECT count(*) FROM advisor_schema").integer(0, 0) ==
        storage::latest_pg_schema_version);
  // A database from a newer advisor is refused with a message that says so.
  c.exec("INSERT INTO advisor_schema VALUES (99)");
  CHECK_THROWS_WITH_AS(storage::pg_session_store{db.url()},
                       doctest::Contains("newer than this advisor knows"), storage::pg::error);
}

TEST_CASE("pg: a server that cannot be reached is a clear error") {
  CHECK_THROWS_WITH_AS(
      storage::pg_session_store{"host=/nonexistent-advisor-dir user=advisor dbname=x"},
      doctest::Contains("cannot connect"), storage::pg::error);
}

TEST_CASE("pg: the store reconnects after its connections are dropped") {
  test::pg_database db;
  storage::pg_session_store store(db.url());
  const dialogue::channel_key key{"web", "k"};
  store.create(key, "c", "fw@1");
  terminate_others(db);
  CHECK(store.find(key));  // the reader reconnects
  terminate_others(db);
  // The writer finds its connection gone before it sent anything: the batch runs again.
  CHECK(store.append("c", 0, {{dialogue::event_kind::answer, "q", "o", 1, "choice", ""}}) == 1);
  terminate_others(db);
  CHECK(store.writable());  // a health check after a drop reconnects (or says false once)
  CHECK(store.writable());
  CHECK(store.find(key)->seq == 1);
}

TEST_CASE("pg: a turn's token tells whether its commit happened") {
  test::pg_database db;
  storage::pg_session_store store(db.url());
  store.create({"web", "k"}, "c", "fw@1");
  dialogue::write_op w;
  w.conversation = "c";
  w.events = {{dialogue::event_kind::answer, "q", "o", 1, "choice", ""}};
  w.token = "token-of-this-turn";
  CHECK(!store.turn_stored("c", 0, w.token));
  CHECK(store.apply({w}).front() == write_status::applied);
  CHECK(store.turn_stored("c", 0, w.token));
  CHECK(!store.turn_stored("c", 0, "another-turn"));
  CHECK(!store.turn_stored("c", 1, w.token));
}

TEST_CASE("pg: a conversation's last change is written once a minute at most") {
  test::pg_database db;
  storage::pg_session_store store(db.url());
  store.create({"web", "k"}, "c", "fw@1");
  storage::pg::connection c(db.url());
  auto updated = [&] {
    return c.query("SELECT updated_at::text FROM conversations WHERE id = 'c'").text(0, 0);
  };
  auto turn = [&](std::uint64_t seq) {
    dialogue::write_op w;
    w.conversation = "c";
    w.expected_seq = seq;
    w.events = {{dialogue::event_kind::answer, "q", "o", 1, "choice", ""}};
    return store.apply({w}).front();
  };
  const std::string first = updated();
  REQUIRE(turn(0) == write_status::applied);
  REQUIRE(turn(1) == write_status::applied);
  CHECK(updated() == first);  // within the minute: unchanged
  c.query("UPDATE conversations SET updated_at = '2000-01-01T00:00:00Z' WHERE id = 'c'");
  REQUIRE(turn(2) == write_status::applied);
  CHECK(updated() > std::string("2000-01-02"));  // an older time moves on with the turn
  const auto cutoff = std::chrono::system_clock::now() - std::chrono::hours(24);
  CHECK(store.expire_idle(cutoff, 10).conversations == 0);
}

namespace {

// Cuts this process's connections to the test cluster, except `keep`, on our side only (as a
// network drop does): the server goes on with what it has already received.
void cut_client_side(std::initializer_list<int> keep) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    int fd = std::stoi(entry.path().filename().string());
    sockaddr_un peer{};
    socklen_t size = sizeof peer;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &size) != 0 ||
        peer.sun_family != AF_UNIX)
      continue;
    if (std::string_view(peer.sun_path).find(".s.PGSQL.") == std::string_view::npos) continue;
    if (std::find(keep.begin(), keep.end(), fd) != keep.end()) continue;
    ::shutdown(fd, SHUT_RDWR);
  }
}

// Logs every row written to conversations, bindings and events, in order ("INSERT events"): a
// batch run twice writes twice.
void log_writes(const test::pg_database& db) {
  storage::pg::connection c(db.url());
  c.exec(
      "CREATE TABLE writes (n SERIAL PRIMARY KEY, what TEXT NOT NULL);"
      "CREATE FUNCTION log_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      "INSERT INTO writes (what) VALUES (TG_OP || ' ' || TG_TABLE_NAME); RETURN NULL; END $$;");
  for (const char* table : {"conversations", "bindings", "events"})
    c.exec(std::string("CREATE TRIGGER logged AFTER INSERT OR UPDATE ON ") + table +
           " FOR EACH ROW EXECUTE FUNCTION log_write()");
}

std::string writes(storage::pg::connection& c) {
  return c.query("SELECT coalesce(string_agg(what, ', ' ORDER BY n), '') FROM writes").text(0, 0);
}

// Runs `batch` on `store` and loses its connection while the COMMIT is on the server: a deferred
// trigger on events makes the COMMIT run `first`, then wait for an advisory lock another client
// holds; the connection is cut on the client's side only (the old backend goes on once the lock
// is free). The lock is let go when `n` sessions wait for a lock with a statement LIKE `then`.
// Returns what apply returned.
std::vector<write_status> apply_losing_commit(const test::pg_database& db,
                                              storage::pg_session_store& store,
                                              const std::vector<dialogue::write_op>& batch,
                                              const std::string& first, const std::string& then,
                                              std::int64_t n = 1) {
  storage::pg::connection blocker(db.url());
  storage::pg::connection watch(db.admin_url());
  blocker.exec("CREATE FUNCTION wait_for_blocker() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " +
               first + " PERFORM pg_advisory_xact_lock_shared(4242); RETURN NULL; END $$");
  blocker.exec(
      "CREATE CONSTRAINT TRIGGER commit_waits AFTER INSERT ON events DEFERRABLE INITIALLY "
      "DEFERRED FOR EACH ROW EXECUTE FUNCTION wait_for_blocker()");
  blocker.exec("BEGIN");
  blocker.exec("SELECT pg_advisory_xact_lock(4242)");
  std::vector<write_status> out;
  std::thread writer([&] { out = store.apply(batch); });
  bool waited = test::until_lock_waiters(watch, db.name(), "%COMMIT%");
  if (waited) {
    cut_client_side({PQsocket(blocker.get()), PQsocket(watch.get())});
    waited = test::until_lock_waiters(watch, db.name(), then, n);
  }
  blocker.exec("ROLLBACK");  // the COMMIT goes on
  writer.join();
  REQUIRE(waited);
  return out;
}

dialogue::write_op turn(const std::string& conversation, std::uint64_t expected_seq,
                        std::size_t events, const std::string& token) {
  dialogue::write_op w;
  w.conversation = conversation;
  w.expected_seq = expected_seq;
  for (std::size_t i = 0; i < events; ++i)
    w.events.push_back({dialogue::event_kind::answer, "q", "o", 1, "choice", ""});
  w.token = token;
  return w;
}

// A new conversation bound to a free key. Run again, its binding is written a second time (the
// compare-and-set accepts its own earlier result).
dialogue::write_op new_conversation(const std::string& conversation, const std::string& key) {
  dialogue::write_op w;
  w.conversation = conversation;
  w.bind = dialogue::channel_key{"web", key};
  w.bound_to = "";
  w.framework = "fw@1";
  return w;
}

// A database, and a store on it with one conversation: c, bound to web/k.
struct with_conversation {
  test::pg_database db;
  storage::pg_session_store store{db.url()};
  with_conversation() { store.create({"web", "k"}, "c", "fw@1"); }
};

}  // namespace

TEST_CASE(
    "pg: a commit that lands after its connection was lost - and after its token was looked up "
    "- is told by the token - not decided again") {
  with_conversation t;
  auto& [db, store] = t;
  const auto w = turn("c", 0, 1, "token-of-the-turn");
  // The look-up finds no token; the run again waits for the conversation's row, which the old
  // backend holds: two sessions wait.
  auto out = apply_losing_commit(db, store, {w}, "", "%", 2);
  // The first COMMIT landed; the run again met a conflict and looked the token up once more.
  REQUIRE(out.size() == 1);
  CHECK(out[0] == write_status::applied);
  CHECK(store.turn_stored("c", 0, w.token));
  storage::pg::connection c(db.url());
  CHECK(
      c.query("SELECT count(*), max(seq) FROM events WHERE conversation_id = 'c'").integer(0, 0) ==
      1);
  CHECK(c.query("SELECT seq FROM conversations WHERE id = 'c'").integer(0, 0) == 1);
}

// At its COMMIT the old backend takes events for itself (it holds ROW EXCLUSIVE on it already and
// no other session holds a lock on it, so the upgrade is granted at once), then waits. The
// look-up's new connection waits for events: its statements are prepared on connect, and the
// first that names events waits. Once the COMMIT lands and lets go of events, the look-up's
// statement takes its snapshot (READ COMMITTED) and sees the token.
constexpr const char* take_events = "LOCK TABLE events IN ACCESS EXCLUSIVE MODE;";

TEST_CASE(
    "pg: a commit that lands after its connection was lost - before its token is looked up - is "
    "answered from what the batch decided - not run again") {
  with_conversation t;
  auto& [db, store] = t;
  log_writes(db);
  const auto w = turn("c", 0, 1, "token-of-the-turn");
  auto out =
      apply_losing_commit(db, store, {w, new_conversation("d", "k2")}, take_events, "%events%");
  storage::pg::connection c(db.url());
  CHECK(out == std::vector{write_status::applied, write_status::applied});
  CHECK(store.turn_stored("c", 0, w.token));
  CHECK(store.find({"web", "k"})->seq == 1);
  CHECK(store.find({"web", "k2"})->id == "d");
  // One event, written once: a run again would have met a conflict on c and written d's
  // binding again.
  CHECK(writes(c) == "INSERT events, UPDATE conversations, INSERT conversations, INSERT bindings");
  // The store goes on, on a new connection.
  CHECK(store.append("c", 1, {{dialogue::event_kind::answer, "q2", "o", 2, "choice", ""}}) == 2);
}

TEST_CASE(
    "pg: a batch of several turns on two conversations whose commit lands before its token is "
    "looked up is answered applied for every turn - stored once") {
  with_conversation t;
  auto& [db, store] = t;
  store.create({"web", "k-e"}, "e", "fw@1");
  log_writes(db);
  const std::vector batch{turn("c", 0, 1, "c-first"), turn("e", 0, 2, "e-first"),
                          turn("c", 1, 1, "c-second"), new_conversation("d", "k-d")};
  auto out = apply_losing_commit(db, store, batch, take_events, "%events%");
  storage::pg::connection c(db.url());
  CHECK(out == std::vector(4, write_status::applied));
  CHECK(store.turn_stored("c", 0, "c-first"));
  CHECK(store.turn_stored("e", 0, "e-first"));
  CHECK(store.turn_stored("c", 1, "c-second"));
  CHECK(store.find({"web", "k"})->seq == 2);
  CHECK(store.find({"web", "k-e"})->seq == 2);
  CHECK(store.find({"web", "k-d"})->id == "d");
  CHECK(c.query("SELECT count(*) FROM events").integer(0, 0) == 4);
  CHECK(writes(c) ==
        "INSERT events, UPDATE conversations, INSERT events, INSERT events, UPDATE conversations, "
        "INSERT events, UPDATE conversations, INSERT conversations, INSERT bindings");
}

TEST_CASE("pg: two service instances on one database keep one conversation in order") {
  test::temp_dir dir;
  test::pg_database db;
  auto app = test::open_test_app(dir.str());
  storage::pg_session_store store_a(db.url()), store_b(db.url());
  bot::service one(app->framework, *app->knowledge, store_a);
  bot::service two(app->framework, *app->knowledge, store_b);
  const bot::channel_key key{"web", "shared"};
  auto t = one.start(key, {}, true);
  auto seen_by_two = two.current(key);  // two now has the record cached
  REQUIRE(seen_by_two);
  CHECK(seen_by_two->seq == t.seq);
  auto t1 = one.message(key, "1");  // one moves on; two's cache is stale
  CHECK(t1.seq > t.seq);
  // A read on the stale instance sees the current question, not the one it cached.
  auto now_two = two.current(key);
  REQUIRE(now_two);
  CHECK(now_two->seq == t1.seq);
  CHECK(now_two->out.question == t1.out.question);
  // A button for the question that is current now is taken, not refused as stale.
  auto t1_again = one.current(key);
  auto t2 = two.message(key, "1");
  CHECK(t2.seq > t1.seq);
  CHECK(t2.out.question != t1.out.question);
  // A stale button on the other instance is refused as stale, showing the current question.
  auto stale = one.choose(key, "1", t1.out.question);
  CHECK(stale.out.error == "stale");
  CHECK(stale.out.question == t2.out.question);
  // A fresh start on one instance rebinds the key; the other follows it.
  auto fresh = one.start(key, {}, true);
  CHECK(fresh.conversation != t.conversation);
  auto resumed = two.current(key);
  REQUIRE(resumed);
  CHECK(resumed->conversation == fresh.conversation);
  CHECK(resumed->seq == fresh.seq);
  CHECK(t1_again->seq == t1.seq);
}

TEST_CASE("pg: many turns on one conversation through two instances at once stay contiguous") {
  test::temp_dir dir;
  test::pg_database db;
  auto app = test::open_test_app(dir.str());
  storage::pg_session_store store_a(db.url()), store_b(db.url());
  bot::service one(app->framework, *app->knowledge, store_a);
  bot::service two(app->framework, *app->knowledge, store_b);
  const bot::channel_key key{"web", "both"};
  one.start(key, {}, true);
  // "help" and "back"/"1" alternate; every turn must be stored or answered, none failed.
  std::atomic<int> failures{0};
  auto client = [&](bot::service& svc) {
    for (int i = 0; i < 20; ++i) {
      try {
        if (i % 2) {
          svc.message(key, "back");
        } else {
          svc.message(key, "1");
        }
      } catch (const std::exception&) {
        ++failures;
      }
    }
  };
  std::thread a([&] { client(one); });
  std::thread b([&] { client(two); });
  a.join();
  b.join();
  CHECK(failures == 0);
  storage::pg::connection c(db.url());
  auto r = c.query(
      "SELECT count(*), min(seq), max(seq) FROM events e JOIN bindings b ON b.conversation_id = "
      "e.conversation_id WHERE b.channel = 'web' AND b.key = 'both'");
  const auto count = r.integer(0, 0);
  CHECK(r.integer(0, 1) == 1);
  CHECK(r.integer(0, 2) == count);  // 1..n with no gap and no duplicate (primary key)
  auto rec = store_a.find(key);
  REQUIRE(rec);
  CHECK(rec->seq == static_cast<std::uint64_t>(count));
}

TEST_CASE("pg: the shared memory of the chat platforms: one key - one first - until it expires") {
  test::pg_database db;
  storage::pg_session_store sessions(db.url());  // migrates: the seen table comes with it
  storage::pg_seen_store a(db.url()), b(db.url());
  using outcome = dialogue::seen_store::outcome;
  CHECK(a.remember("slack/event/Ev1", 1000, 100) == outcome::first);
  CHECK(b.remember("slack/event/Ev1", 1000, 200) == outcome::seen);  // the other instance
  CHECK(a.remember("slack/event/Ev1", 1000, 300) == outcome::seen);
  CHECK(b.remember("slack/event/Ev1", 2000, 1000) == outcome::first);  // expired: new again
  CHECK(a.remember("slack/event/Ev1", 2000, 1500) == outcome::seen);
  b.forget("slack/event/Ev1");
  CHECK(a.remember("slack/event/Ev1", 2000, 1500) == outcome::first);
  // Many instances at once: exactly one is first.
  std::atomic<int> firsts{0};
  std::vector<std::thread> racing;
  for (int i = 0; i < 4; ++i)
    racing.emplace_back([&] {
      storage::pg_seen_store s(db.url());
      if (s.remember("slack/event/race", 5000, 100) == outcome::first) ++firsts;
    });
  for (auto& t : racing) t.join();
  CHECK(firsts == 1);
  // A dropped connection is reconnected; a database that cannot be reached fails closed.
  terminate_others(db);
  CHECK(a.remember("slack/event/Ev2", 5000, 100) == outcome::first);
  storage::pg_seen_store nowhere("host=/nonexistent-advisor-dir user=advisor dbname=x");
  CHECK(nowhere.remember("k", 5000, 100) == outcome::unavailable);
}

TEST_CASE(
    "pg: a rolling deploy - instances on framework versions 1 and 2 share one database - each "
    "conversation goes on with the version it started on") {
  test::temp_dir dir;
  test::pg_database db;
  const std::string v1_question = "First, who is this decision for?";
  const std::string v2_question = test::write_framework_v2(dir.file("framework-v2.json"));
  auto cfg1 = test::test_config(dir.file("one"));
  cfg1.database_url = db.url();
  auto cfg2 = test::test_config(dir.file("two"));  // its own knowledge, as on another machine
  cfg2.database_url = db.url();
  cfg2.framework_file = dir.file("framework-v2.json");
  auto old_release = bot::open_app(cfg1);
  auto new_release = bot::open_app(cfg2);
  const bot::channel_key on1{"web", "on-1"}, on2{"web", "on-2"};
  auto a = old_release->service->start(on1, {}, true);
  auto b = new_release->service->start(on2, {}, true);
  CHECK(a.out.text.find(v1_question) != std::string::npos);
  CHECK(b.out.text.find(v2_question) != std::string::npos);
  // Each conversation's next turns reach the other release: each is asked as it started.
  auto a_there = new_release->service->current(on1);
  REQUIRE(a_there);
  CHECK(a_there->out.text.find(v1_question) != std::string::npos);
  auto b_there = old_release->service->current(on2);
  REQUIRE(b_there);
  CHECK(b_there->out.text.find(v2_question) != std::string::npos);
  auto a_next = new_release->service->choose(on1, "startup", "context");
  auto b_next = old_release->service->choose(on2, "startup", "context");
  CHECK(a_next.out.question != "context");
  CHECK(b_next.out.question != "context");
  CHECK(new_release->sessions->find(on1)->framework == "backend-stack@1");
  CHECK(old_release->sessions->find(on2)->framework == "backend-stack@2");
}

TEST_CASE("pg: an event's key and its job are written together - both or neither") {
  test::pg_database db;
  storage::pg_session_store sessions(db.url());  // migrates: seen and jobs come with it
  storage::pg_job_store a(db.url()), b(db.url());
  storage::pg_seen_store seen(db.url());
  using outcome = dialogue::seen_store::outcome;
  const dialogue::job job{"slack/event/Ev1", "{}", "token-a"};
  CHECK(a.remember_with("slack/event/Ev1", 1000, 100, job, "a", 500) == outcome::first);
  // The other instance (Slack's retry): the key is there, and the job stays A's.
  CHECK(b.remember_with("slack/event/Ev1", 1000, 200, {job.id, "{}", "token-b"}, "b", 600) ==
        outcome::seen);
  CHECK(seen.remember("slack/event/Ev1", 1000, 300) == outcome::seen);
  auto held = b.claim_expired("b", 550, 900, 10);
  REQUIRE(held.size() == 1);
  CHECK(held[0].token == "token-a");

  // A write that cannot finish keeps neither: the jobs table is held, the writer's connection
  // dies while it waits (its instance's host went away).
  storage::pg::connection blocker(db.url());
  blocker.exec("BEGIN");
  blocker.exec("LOCK TABLE jobs IN EXCLUSIVE MODE");
  std::atomic<bool> done{false};
  outcome torn = outcome::first;
  std::thread writer([&] {
    torn = a.remember_with("slack/event/Ev2", 1000, 100, {"slack/event/Ev2", "{}", "t2"}, "a", 500);
    done = true;
  });
  storage::pg::connection watch(db.admin_url());
  const std::string job_insert = "%INSERT INTO jobs%";
  REQUIRE(test::until_lock_waiters(watch, db.name(), job_insert));
  test::terminate_lock_waiters(watch, db.name(), job_insert);
  blocker.exec("ROLLBACK");
  writer.join();
  // Tried once more on a new connection (the first try was rolled back): now written, both.
  CHECK(torn == outcome::first);
  storage::pg::connection c(db.url());
  CHECK(c.query("SELECT count(*) FROM seen WHERE key = 'slack/event/Ev2'").integer(0, 0) == 1);
  CHECK(c.query("SELECT count(*) FROM jobs WHERE id = 'slack/event/Ev2'").integer(0, 0) == 1);

  // Cut twice (no second chance): neither is kept, and the caller is told.
  blocker.exec("BEGIN");
  blocker.exec("LOCK TABLE jobs IN EXCLUSIVE MODE");
  std::thread cut([&] {
    torn = a.remember_with("slack/event/Ev3", 1000, 100, {"slack/event/Ev3", "{}", "t3"}, "a", 500);
  });
  for (int round = 0; round < 2; ++round) {
    REQUIRE(test::until_lock_waiters(watch, db.name(), job_insert));
    test::terminate_lock_waiters(watch, db.name(), job_insert);
  }
  cut.join();
  blocker.exec("ROLLBACK");
  CHECK(torn == outcome::unavailable);
  CHECK(c.query("SELECT count(*) FROM seen WHERE key = 'slack/event/Ev3'").integer(0, 0) == 0);
  CHECK(c.query("SELECT count(*) FROM jobs WHERE id = 'slack/event/Ev3'").integer(0, 0) == 0);
  // Unreachable: unavailable, as the seen store says.
  storage::pg_job_store nowhere("host=/nonexistent-advisor-dir user=advisor dbname=x");
  CHECK(nowhere.remember_with("k", 5000, 100, {"k", "{}", "t"}, "a", 500) == outcome::unavailable);
}

TEST_CASE("pg: a sweep's claim that waits in the database does not hold up recording an event") {
  test::pg_database db;
  storage::pg_session_store sessions(db.url());
  storage::pg_job_store jobs(db.url());
  storage::pg::connection blocker(db.url());
  blocker.exec("BEGIN");
  blocker.exec("LOCK TABLE jobs IN EXCLUSIVE MODE");
  std::vector<dialogue::job> claimed;
  std::thread sweep([&] { claimed = jobs.claim_expired("a", 550, 900, 10); });
  storage::pg::connection watch(db.admin_url());
  REQUIRE(test::until_lock_waiters(watch, db.name(), "%UPDATE jobs%"));
  // The event's write reaches the database beside the waiting claim (not behind it in the
  // store): both wait for the table, and both finish once it is let go.
  using outcome = dialogue::seen_store::outcome;
  outcome recorded = outcome::unavailable;
  // Its lease outlasts the claim's "now" (550): whichever commits first, it is not claimed.
  std::thread request([&] {
    recorded = jobs.remember_with("slack/event/Ev9", 1000, 100, {"slack/event/Ev9", "{}", "t9"},
                                  "a", 5000);
  });
  const bool both_waited = test::until_lock_waiters(watch, db.name(), "%INSERT INTO jobs%");
  blocker.exec("ROLLBACK");
  sweep.join();
  request.join();
  CHECK(both_waited);
  CHECK(recorded == outcome::first);
  CHECK(claimed.empty());
  storage::pg::connection c(db.url());
  CHECK(c.query("SELECT count(*) FROM jobs WHERE id = 'slack/event/Ev9'").integer(0, 0) == 1);
}

namespace {

// The value libpq uses for connection option `name` on `c`.
std::string option_of(const storage::pg::connection& c, const std::string& name) {
  std::string out;
  PQconninfoOption* options = PQconninfo(c.get());
  for (auto* o = options; o && o->keyword; ++o)
    if (name == o->keyword && o->val) out = o->val;
  PQconninfoFree(options);
  return out;
}

}  // namespace

TEST_CASE("pg: connections have TCP keepalives - unless the connection string sets its own") {
  test::pg_database db;
  storage::pg::connection plain(db.url());
  CHECK(option_of(plain, "keepalives") == "1");
  CHECK(option_of(plain, "keepalives_idle") == storage::pg::keepalive_defaults::idle);
  CHECK(option_of(plain, "keepalives_interval") == storage::pg::keepalive_defaults::interval);
  CHECK(option_of(plain, "keepalives_count") == storage::pg::keepalive_defaults::count);
  if (PQlibVersion() >= 120000)
    CHECK(option_of(plain, "tcp_user_timeout") == storage::pg::keepalive_defaults::user_timeout_ms);
  storage::pg::connection own(db.url() + " keepalives_idle=7 tcp_user_timeout=1234");
  CHECK(option_of(own, "keepalives_idle") == "7");
  CHECK(option_of(own, "tcp_user_timeout") == "1234");
  CHECK(option_of(own, "keepalives") == "1");
  CHECK(option_of(own, "dbname") == db.name());  // the rest of the string still applies
  storage::pg::connection off(db.url() + " keepalives=0");
  CHECK(option_of(off, "keepalives") == "0");
  // A URI works the same way.
  storage::pg::connection uri("postgresql:///" + db.name() + "?host=" + test::pg_socket_dir() +
                              "&user=advisor&keepalives_count=5");
  CHECK(option_of(uri, "keepalives_count") == "5");
  CHECK(option_of(uri, "keepalives_idle") == storage::pg::keepalive_defaults::idle);
}

TEST_CASE("pg: database_url (config file or ADVISOR_DATABASE_URL) chooses the PostgreSQL store") {
  test::temp_dir dir;
  test::pg_database db;
  {
    std::ofstream f(dir.file("advisor.json"));
    f << R"({"database_url": "host=/from-the-file user=advisor"})";
  }
  ::unsetenv("ADVISOR_DATABASE_URL");
  CHECK(bot::load_config(dir.file("advisor.json")).database_url ==
        "host=/from-the-file user=advisor");
  CHECK(bot::load_config("").database_url.empty());
  ::setenv("ADVISOR_DATABASE_URL", db.url().c_str(), 1);
  auto cfg = bot::load_config(dir.file("advisor.json"));
  ::unsetenv("ADVISOR_DATABASE_URL");
  CHECK(cfg.database_url == db.url());  // the environment wins
  auto tc = test::test_config(dir.file("data"));
  tc.database_url = cfg.database_url;
  auto app = bot::open_app(tc);
  CHECK(app->sessions->networked());
  CHECK(app->sqlite_sessions == nullptr);
  auto t = app->service->start({"web", "cfg"}, {}, true);
  CHECK(app->sessions->find({"web", "cfg"})->id == t.conversation);
  // SQLite stays the default.
  auto local = test::open_test_app(dir.file("local"));
  CHECK(!local->sessions->networked());
  CHECK(local->sqlite_sessions != nullptr);
  // A URL that reaches no server: a clear error at start-up.
  tc.database_url = "host=/nonexistent-advisor-dir user=advisor dbname=x";
  CHECK_THROWS_WITH_AS(bot::open_app(tc), doctest::Contains("cannot connect"), std::exception);
}
