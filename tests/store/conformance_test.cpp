// The session store conformance suite: every test runs against the SQLite store (a temporary
// file) and the PostgreSQL store (a fresh database in the throwaway test cluster), so that the
// two keep one contract: bindings, ordered events, sequence conflicts, checks, compare-and-set
// bindings, several writers on one database, expiry, framework documents by version.
#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "knowledge/postgres/job_store.hpp"
#include "knowledge/postgres/session_store.hpp"
#include "knowledge/sqlite/job_store.hpp"
#include "knowledge/sqlite/session_store.hpp"
#include "pg_support.hpp"
#include "support.hpp"

using namespace advisor;
using dialogue::event_kind;
using dialogue::write_status;

namespace {

struct sqlite_backend {
  test::temp_dir dir;
  std::unique_ptr<dialogue::session_store> open() {
    return std::make_unique<storage::sqlite_session_store>(dir.file("s.db"));
  }
  std::unique_ptr<dialogue::job_store> jobs() {
    return std::make_unique<storage::sqlite_job_store>(dir.file("s.db"));
  }
  // Makes a conversation look untouched since 2000.
  void age(const std::string& id) {
    storage::connection c(dir.file("s.db"));
    auto st = c.prepare(
        "UPDATE conversations SET updated_at = '2000-01-01T00:00:00.000Z' "
        "WHERE id = ?");
    st.bind(1, id).run();
  }
};

struct pg_backend {
  test::pg_database db;
  std::unique_ptr<dialogue::session_store> open() {
    return std::make_unique<storage::pg_session_store>(db.url());
  }
  std::unique_ptr<dialogue::job_store> jobs() {
    return std::make_unique<storage::pg_job_store>(db.url());
  }
  void age(const std::string& id) {
    storage::pg::connection c(db.url());
    c.query("UPDATE conversations SET updated_at = '2000-01-01T00:00:00Z' WHERE id = $1", {id});
  }
};

dialogue::event ev(const char* question, const char* option = "x") {
  return dialogue::event{event_kind::answer, question, option, 1, "choice", ""};
}

dialogue::write_op append_op(const std::string& conversation, std::uint64_t expected,
                             std::vector<dialogue::event> events) {
  dialogue::write_op w;
  w.conversation = conversation;
  w.expected_seq = expected;
  w.events = std::move(events);
  return w;
}

}  // namespace

TYPE_TO_STRING(sqlite_backend);
TYPE_TO_STRING(pg_backend);

TEST_CASE_TEMPLATE("bindings - ordered events and sequence conflicts", B, sqlite_backend,
                   pg_backend) {
  B backend;
  auto store = backend.open();
  dialogue::channel_key key{"web", "tok"};
  CHECK(!store->find(key));
  auto rec = store->create(key, "conv1", "fw@1");
  CHECK(rec.seq == 0);
  auto found = store->find(key);
  REQUIRE(found);
  CHECK(found->id == "conv1");
  CHECK(found->framework == "fw@1");
  CHECK(found->events.empty());
  CHECK(store->append("conv1", 0, {ev("context", "startup")}) == 1);
  // A writer that read seq 0 too is refused, and nothing of its append lands.
  CHECK_THROWS_AS(store->append("conv1", 0, {ev("a"), ev("b")}), dialogue::sequence_conflict);
  auto again = store->find(key);
  REQUIRE(again);
  CHECK(again->seq == 1);
  REQUIRE(again->events.size() == 1);
  CHECK(again->events[0].option == "startup");
  CHECK(again->events[0].via == "choice");
  // SQL-looking and non-ASCII text is stored as text.
  dialogue::event sql{event_kind::answer, "team", "", 2, "text", "'); DROP TABLE events; -- é ✓"};
  CHECK(store->append("conv1", 1, {sql}) == 2);
  CHECK(store->find(key)->events[1].phrase == "'); DROP TABLE events; -- é ✓");
  CHECK(store->writable());
}

TEST_CASE_TEMPLATE("a conversation is read back from its last restart on", B, sqlite_backend,
                   pg_backend) {
  B backend;
  auto store = backend.open();
  store->create({"web", "k"}, "c1", "fw@1");
  dialogue::event restart{event_kind::restart, "", "", 2, "", ""};
  CHECK(store->append("c1", 0, {ev("a"), ev("b")}) == 2);
  CHECK(store->append("c1", 2, {ev("c"), restart, ev("d")}) == 5);
  auto rec = store->find({"web", "k"});
  REQUIRE(rec);
  CHECK(rec->seq == 5);
  REQUIRE(rec->events.size() == 2);
  CHECK(rec->events[0].kind == event_kind::restart);
  CHECK(rec->events[1].question == "d");
  CHECK(store->append("c1", 5, {ev("e")}) == 6);
  CHECK(store->find({"web", "k"})->events.size() == 3);
}

TEST_CASE_TEMPLATE("one batch - a stale write is refused while the others land", B, sqlite_backend,
                   pg_backend) {
  B backend;
  auto store = backend.open();
  store->create({"web", "a"}, "a", "fw@1");
  store->create({"web", "b"}, "b", "fw@1");
  CHECK(store->append("b", 0, {ev("q1")}) == 1);
  std::vector<dialogue::write_op> batch{append_op("a", 0, {ev("q1"), ev("q2")}),
                                        append_op("b", 0, {ev("q2"), ev("q3")}),  // b is at 1
                                        append_op("b", 1, {ev("q4")}),
                                        append_op("a", 2, {ev("q3")})};  // after the first
  auto status = store->apply(batch);
  REQUIRE(status.size() == 4);
  CHECK(status[0] == write_status::applied);
  CHECK(status[1] == write_status::conflict);
  CHECK(status[2] == write_status::applied);
  CHECK(status[3] == write_status::applied);
  CHECK(store->find({"web", "a"})->seq == 3);
  auto b = store->find({"web", "b"});
  CHECK(b->seq == 2);
  REQUIRE(b->events.size() == 2);
  CHECK(b->events[1].question == "q4");
  // A write to a conversation that does not exist (swept) is a conflict too.
  CHECK(store->apply({append_op("gone", 0, {ev("q1")})}).front() == write_status::conflict);
  CHECK(store->apply({}).empty());
}

TEST_CASE_TEMPLATE("a check applies only while the conversation is where it was read", B,
                   sqlite_backend, pg_backend) {
  B backend;
  auto store = backend.open();
  store->create({"web", "k"}, "c", "fw@1");
  store->append("c", 0, {ev("q1")});
  dialogue::write_op check = append_op("c", 1, {});
  check.via = dialogue::channel_key{"web", "k"};
  CHECK(store->apply({check}).front() == write_status::applied);
  store->append("c", 1, {ev("q2")});
  CHECK(store->apply({check}).front() == write_status::conflict);  // moved on
  check.expected_seq = 2;
  CHECK(store->apply({check}).front() == write_status::applied);
  CHECK(store->find({"web", "k"})->seq == 2);  // a check writes nothing
}

TEST_CASE_TEMPLATE("a key rebound elsewhere turns its old conversation's writes away", B,
                   sqlite_backend, pg_backend) {
  B backend;
  auto store = backend.open();
  const dialogue::channel_key key{"slack", "T1/C1/U1"};
  store->create(key, "old", "fw@1");
  auto through_key = [&](std::uint64_t expected) {
    dialogue::write_op w = append_op("old", expected, {ev("q")});
    w.via = key;
    return store->apply({w}).front();
  };
  CHECK(through_key(0) == write_status::applied);
  store->create(key, "new", "fw@1");  // another instance started afresh on the key
  CHECK(through_key(1) == write_status::conflict);
  CHECK(store->find(key)->id == "new");
}

TEST_CASE_TEMPLATE("bindings are compare-and-set", B, sqlite_backend, pg_backend) {
  B backend;
  auto store = backend.open();
  const dialogue::channel_key key{"discord", "G/C/U"};
  auto start = [&](const std::string& id, std::optional<std::string> bound_to) {
    dialogue::write_op w;
    w.conversation = id;
    w.bind = key;
    w.bound_to = std::move(bound_to);
    w.framework = "fw@1";
    w.events = {ev("first")};
    return store->apply({w}).front();
  };
  CHECK(start("one", std::string()) == write_status::applied);   // unbound, as expected
  CHECK(start("two", std::string()) == write_status::conflict);  // someone bound it meanwhile
  CHECK(store->find(key)->id == "one");
  CHECK(start("three", std::string("elsewhere")) == write_status::conflict);
  CHECK(start("four", std::string("one")) == write_status::applied);
  CHECK(store->find(key)->id == "four");
  CHECK(store->find(key)->seq == 1);
  CHECK(start("five", std::nullopt) == write_status::applied);  // replaces whatever is there
  CHECK(store->find(key)->id == "five");
  // Two new conversations for one key in one batch: the second saw the key unbound too.
  std::vector<dialogue::write_op> both(2);
  for (int i = 0; i < 2; ++i) {
    both[i].conversation = "both" + std::to_string(i);
    both[i].bind = dialogue::channel_key{"web", "fresh"};
    both[i].bound_to = "";
    both[i].framework = "fw@1";
  }
  auto status = store->apply(both);
  CHECK(status[0] == write_status::applied);
  CHECK(status[1] == write_status::conflict);
  CHECK(store->find({"web", "fresh"})->id == "both0");
}

TEST_CASE_TEMPLATE("two instances on one database write one conversation in turn", B,
                   sqlite_backend, pg_backend) {
  B backend;
  auto first = backend.open();
  auto second = backend.open();
  const dialogue::channel_key key{"web", "shared"};
  first->create(key, "c", "fw@1");
  // Each writer reads, decides on what it read, and writes; a conflict sends it back to read.
  constexpr int turns_each = 40;
  std::atomic<int> conflicts{0};
  auto writer = [&](dialogue::session_store& s, const char* who) {
    for (int done = 0; done < turns_each;) {
      auto rec = s.find(key);
      REQUIRE(rec);
      dialogue::write_op w = append_op("c", rec->seq, {ev(who, std::to_string(rec->seq).c_str())});
      w.via = key;
      if (s.apply({w}).front() == write_status::applied)
        ++done;
      else
        ++conflicts;
    }
  };
  std::thread t1([&] { writer(*first, "first"); });
  std::thread t2([&] { writer(*second, "second"); });
  t1.join();
  t2.join();
  auto rec = first->find(key);
  REQUIRE(rec);
  CHECK(rec->seq == 2 * turns_each);
  REQUIRE(rec->events.size() == 2 * turns_each);
  // Contiguous: each event was decided on the history right before it.
  for (std::size_t i = 0; i < rec->events.size(); ++i)
    CHECK(rec->events[i].option == std::to_string(i));
  MESSAGE("conflicts resolved by reading again: " << conflicts.load());
}

TEST_CASE_TEMPLATE(
    "framework documents are kept per id and version - the first stored wins - shared by "
    "every instance",
    B, sqlite_backend, pg_backend) {
  B backend;
  auto first = backend.open();
  CHECK(!first->framework_document("fw", "1"));
  CHECK(first->keep_framework("fw", "1", R"({"v": 1})") == R"({"v": 1})");
  CHECK(first->keep_framework("fw", "2", R"({"v": 2})") == R"({"v": 2})");
  // The same version again with another document: the stored one stays, and is returned.
  CHECK(first->keep_framework("fw", "1", R"({"v": "changed"})") == R"({"v": 1})");
  CHECK(first->framework_document("fw", "1") == R"({"v": 1})");
  CHECK(first->framework_document("fw", "2") == R"({"v": 2})");
  CHECK(!first->framework_document("fw", "3"));
  CHECK(!first->framework_document("other", "1"));
  // Another instance on the same database reads them; two keeping one version at once agree.
  auto second = backend.open();
  CHECK(second->framework_document("fw", "2") == R"({"v": 2})");
  std::string a, b;
  std::thread t1([&] { a = first->keep_framework("fw", "3", "from first"); });
  std::thread t2([&] { b = second->keep_framework("fw", "3", "from second"); });
  t1.join();
  t2.join();
  CHECK(a == b);
  CHECK(first->framework_document("fw", "3") == a);
  // A conversation keeps the version it started on, whatever is kept later.
  first->create({"web", "k"}, "c", "fw@1");
  second->keep_framework("fw", "4", "newer");
  CHECK(second->find({"web", "k"})->framework == "fw@1");
}

TEST_CASE_TEMPLATE("expiry deletes idle conversations with their bindings - in batches", B,
                   sqlite_backend, pg_backend) {
  B backend;
  auto store = backend.open();
  for (const char* id : {"idle1", "idle2", "busy"}) {
    store->create({"web", id}, id, "fw@1");
    store->append(id, 0, {ev("q")});
  }
  backend.age("idle1");
  backend.age("idle2");
  const auto cutoff = std::chrono::system_clock::now() - std::chrono::hours(24);
  auto first = store->expire_idle(cutoff, 1);
  CHECK(first.conversations == 1);
  REQUIRE(first.keys.size() == 1);
  auto second = store->expire_idle(cutoff, 5);
  CHECK(second.conversations == 1);
  CHECK(store->expire_idle(cutoff, 5).conversations == 0);
  CHECK(!store->find({"web", "idle1"}));
  CHECK(!store->find({"web", "idle2"}));
  CHECK(store->find({"web", "busy"}));
  // A turn decided on a swept conversation conflicts.
  CHECK(store->apply({append_op("idle1", 1, {ev("q2")})}).front() == write_status::conflict);
}

TEST_CASE_TEMPLATE("a job is held under a lease and claimed once it runs out", B, sqlite_backend,
                   pg_backend) {
  B backend;
  auto sessions = backend.open();  // migrates
  auto a = backend.jobs();
  auto b = backend.jobs();
  CHECK(a->record({"slack/event/E1", R"({"text":"hi"})", "tok1"}, "a", 110));
  CHECK(a->record({"slack/event/E2", "{}", "tok2"}, "a", 200));
  // Recorded twice (a retry): the first stays as it was.
  CHECK(a->record({"slack/event/E1", "other", "tok9"}, "a", 500));
  CHECK(b->claim_expired("b", 100, 130, 10).empty());  // both leases still run
  auto taken = b->claim_expired("b", 110, 130, 10);
  REQUIRE(taken.size() == 1);
  CHECK(taken[0].id == "slack/event/E1");
  CHECK(taken[0].payload == R"({"text":"hi"})");
  CHECK(taken[0].token == "tok1");
  // b holds it now, until 130: nobody else gets it before then.
  CHECK(a->claim_expired("a", 120, 150, 10).empty());
  auto again = a->claim_expired("a", 130, 150, 10);
  REQUIRE(again.size() == 1);
  CHECK(again[0].id == "slack/event/E1");
  a->done("slack/event/E1");
  auto rest = b->claim_expired("b", 1000, 1100, 10);
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].id == "slack/event/E2");
  b->done("slack/event/E2");
  CHECK(a->claim_expired("a", 5000, 5100, 10).empty());
}

TEST_CASE_TEMPLATE("a job's payload updated by its holder is what the next holder gets", B,
                   sqlite_backend, pg_backend) {
  B backend;
  auto sessions = backend.open();  // migrates
  auto a = backend.jobs();
  auto b = backend.jobs();
  CHECK(a->record({"slack/command/c1", R"({"thread":""})", "tok1"}, "a", 110));
  CHECK(a->update("slack/command/c1", R"({"thread":"1700000000.000100"})"));
  auto taken = b->claim_expired("b", 110, 130, 10);
  REQUIRE(taken.size() == 1);
  CHECK(taken[0].payload == R"({"thread":"1700000000.000100"})");
  CHECK(taken[0].token == "tok1");
  b->done("slack/command/c1");
  CHECK(a->update("slack/command/c1", "{}"));  // gone: nothing to update, not an error
  CHECK(a->claim_expired("a", 5000, 5100, 10).empty());
}

TEST_CASE_TEMPLATE("two claimers at once never get the same job", B, sqlite_backend, pg_backend) {
  B backend;
  auto sessions = backend.open();
  auto writer = backend.jobs();
  for (int i = 0; i < 40; ++i)
    REQUIRE(writer->record({"job" + std::to_string(i), "{}", "t" + std::to_string(i)}, "dead", 1));
  auto a = backend.jobs();
  auto b = backend.jobs();
  std::vector<dialogue::job> got_a, got_b;
  std::thread ta([&] {
    for (int i = 0; i < 10; ++i)
      for (auto& j : a->claim_expired("a", 10, 1000, 3)) got_a.push_back(j);
  });
  std::thread tb([&] {
    for (int i = 0; i < 10; ++i)
      for (auto& j : b->claim_expired("b", 10, 1000, 3)) got_b.push_back(j);
  });
  ta.join();
  tb.join();
  std::set<std::string> ids;
  for (const auto& j : got_a) ids.insert(j.id);
  for (const auto& j : got_b) ids.insert(j.id);
  CHECK(got_a.size() + got_b.size() == 40);
  CHECK(ids.size() == 40);
}

TEST_CASE_TEMPLATE("a turn's token tells whether it reached the key's conversation", B,
                   sqlite_backend, pg_backend) {
  B backend;
  auto store = backend.open();
  auto jobs = backend.jobs();
  dialogue::channel_key key{"slack", "T/C/1.0/U"};
  dialogue::write_op first;
  first.conversation = "c1";
  first.bind = key;
  first.framework = "fw@1";
  first.events = {ev("q1")};
  first.token = "job-token-1";
  REQUIRE(store->apply({first}) == std::vector{write_status::applied});
  CHECK(store->turn_stored(key, "job-token-1"));
  CHECK(!store->turn_stored(key, "job-token-2"));
  CHECK(!store->turn_stored({"slack", "other"}, "job-token-1"));
  // A conflicting write with a token stores nothing of it.
  auto stale = append_op("c1", 0, {ev("q2")});
  stale.token = "job-token-2";
  CHECK(store->apply({stale}) == std::vector{write_status::conflict});
  CHECK(!store->turn_stored(key, "job-token-2"));
  auto next = append_op("c1", 1, {ev("q2")});
  next.token = "job-token-3";
  CHECK(store->apply({next}) == std::vector{write_status::applied});
  CHECK(store->turn_stored(key, "job-token-3"));
  // Another store on the same database sees it too (another instance, or a restart).
  auto other = backend.open();
  CHECK(other->turn_stored(key, "job-token-3"));
}
