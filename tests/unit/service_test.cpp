// The service's group commit: turns wait for one writer, which commits every waiting turn
// in one transaction and answers none before its commit; per key, turns keep their order;
// a store that fails or a second writer (another instance on the same database) loses or
// reorders nothing.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "knowledge/sqlite/session_store.hpp"
#include "support.hpp"

using namespace advisor;
using advisor::test::temp_dir;

namespace {

// A real SQLite store with a gate in front of apply: tests can hold the writer, make it
// fail, and see what each batch held.
class gated_store final : public dialogue::session_store {
 public:
  explicit gated_store(const std::string& file) : inner_(file) {}

  dialogue::expired_conversations expire_idle(std::chrono::system_clock::time_point idle_before,
                                              std::size_t limit) override {
    return inner_.expire_idle(idle_before, limit);
  }
  std::optional<dialogue::conversation_record> find(const dialogue::channel_key& key) override {
    return inner_.find(key);
  }

  std::vector<dialogue::write_status> apply(
      const std::vector<dialogue::write_op>& writes) override {
    std::unique_lock lock(mutex_);
    ++waiting_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
    --waiting_;
    batches_.push_back(writes.size());
    if (fail_next_ && (fail_size_ == 0 || writes.size() == fail_size_)) {
      fail_next_ = false;
      throw std::runtime_error("disk full (injected)");
    }
    lock.unlock();
    auto status = inner_.apply(writes);
    lock.lock();
    for (const auto& w : writes)
      committed_.insert(w.conversation + "#" + std::to_string(w.expected_seq + w.events.size()));
    return status;
  }
  bool writable() override { return inner_.writable(); }
  bool turn_stored(const dialogue::channel_key& key, const std::string& token) override {
    return inner_.turn_stored(key, token);
  }
  std::string keep_framework(const std::string& id, const std::string& version,
                             const std::string& document) override {
    return inner_.keep_framework(id, version, document);
  }
  std::optional<std::string> framework_document(const std::string& id,
                                                const std::string& version) override {
    lookups_.fetch_add(1);
    return inner_.framework_document(id, version);
  }
  // How many times a framework document was asked for.
  int framework_lookups() const { return lookups_.load(); }

  void close() {
    std::lock_guard lock(mutex_);
    open_ = false;
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  // The next batch (of `size` writes, if given) throws instead of committing.
  void fail_next(std::size_t size = 0) {
    std::lock_guard lock(mutex_);
    fail_next_ = true;
    fail_size_ = size;
  }
  // Waits until the writer is held at the gate.
  void wait_for_writer() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return waiting_ > 0; });
  }
  bool committed(const std::string& conversation, std::uint64_t seq) {
    std::lock_guard lock(mutex_);
    return committed_.count(conversation + "#" + std::to_string(seq)) > 0;
  }
  std::vector<std::size_t> batches() {
    std::lock_guard lock(mutex_);
    return batches_;
  }

 private:
  storage::sqlite_session_store inner_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = true;
  bool fail_next_ = false;
  std::size_t fail_size_ = 0;
  int waiting_ = 0;
  std::vector<std::size_t> batches_;
  std::set<std::string> committed_;
  std::atomic<int> lookups_{0};
};

struct fixture {
  temp_dir dir;
  std::unique_ptr<bot::app> app = test::open_test_app(dir.str());
  gated_store store{app->db_path};
  bot::service svc{app->framework, *app->knowledge, store};
};

// Collects results from the service's threads (the reader's, the writer's).
struct results {
  std::mutex mutex;
  std::condition_variable done;
  std::vector<std::pair<std::string, bot::result>> got;
  bot::service::done_fn sink(std::string name) {
    return [this, name](bot::result r) {
      std::lock_guard lock(mutex);
      got.emplace_back(name, std::move(r));
      done.notify_all();
    };
  }
  void wait_for(std::size_t n) {
    std::unique_lock lock(mutex);
    REQUIRE(done.wait_for(lock, std::chrono::seconds(30), [&] { return got.size() >= n; }));
  }
  std::size_t size() {
    std::lock_guard lock(mutex);
    return got.size();
  }
};

bot::request start_request() {
  bot::request r;
  r.type = bot::request::kind::start;
  r.fresh = true;
  return r;
}

}  // namespace

TEST_CASE(
    "turns waiting for the writer are committed together - and none is answered before its "
    "commit") {
  fixture f;
  // Hold the writer on a first turn, so the next ones queue behind it.
  results first;
  f.store.close();
  f.svc.submit({"web", "first"}, start_request(), first.sink("first"));
  f.store.wait_for_writer();
  results rest;
  constexpr int n = 40;
  for (int i = 0; i < n; ++i)
    f.svc.submit({"web", "k" + std::to_string(i)}, start_request(),
                 rest.sink("k" + std::to_string(i)));
  CHECK(first.size() == 0);
  CHECK(rest.size() == 0);  // decided, but not answered: nothing is committed yet
  f.store.open();
  first.wait_for(1);
  rest.wait_for(n);
  for (auto& [name, r] : rest.got) {
    REQUIRE(r.state == bot::result::status::ok);
    CHECK(f.store.committed(r.t.conversation, r.t.seq));
  }
  // The 40 waited together: one transaction (or very few) for all of them.
  auto batches = f.store.batches();
  CHECK(batches.front() == 1);
  CHECK(batches.size() <= 3);
  auto stats = f.svc.stats();
  CHECK(stats.turns == n + 1);
  CHECK(stats.largest_batch >= n / 2);
  // And they are in the database: a new service (a restarted process) resumes each one.
  storage::sqlite_session_store reopened(f.app->db_path);
  bot::service again(f.app->framework, *f.app->knowledge, reopened);
  for (auto& [name, r] : rest.got) {
    auto now = again.current({"web", name});
    REQUIRE(now);
    CHECK(now->conversation == r.t.conversation);
    CHECK(now->out.question == r.t.out.question);
  }
}

TEST_CASE("one key's turns run one at a time - in the order they were submitted") {
  fixture f;
  const bot::channel_key key{"web", "ordered"};
  auto t = f.svc.start(key, {}, true);
  REQUIRE(!t.out.options.empty());
  // Many at once from two threads: a choice, then 'back' to undo it, again and again. Each
  // changes the state, so a reordering or a lost turn would show in the sequence numbers.
  results got;
  std::atomic<int> submitted{0};
  auto pump = [&](int from) {
    for (int i = from; i < from + 30; ++i) {
      bot::request r;
      r.type = bot::request::kind::message;
      r.text = (i % 2 == 0) ? "1" : "back";
      f.svc.submit(key, r, got.sink(std::to_string(i)));
      ++submitted;
    }
  };
  pump(0);
  std::thread other([&] { pump(30); });
  other.join();
  got.wait_for(60);
  std::uint64_t last = t.seq;
  for (auto& [name, r] : got.got) {
    REQUIRE(r.state == bot::result::status::ok);
    CHECK(r.t.seq > last);  // every turn stored something, each after the one before
    last = r.t.seq;
  }
  auto stored = f.store.find(key);
  REQUIRE(stored);
  CHECK(stored->seq == last);
}

TEST_CASE("a commit that fails answers every turn in it with an error and keeps nothing of them") {
  fixture f;
  const bot::channel_key a{"web", "a"}, b{"web", "b"};
  auto ta = f.svc.start(a, {}, true);
  auto tb = f.svc.start(b, {}, true);
  // Hold the writer on another turn, queue a's and b's turns behind it, fail their batch.
  results held;
  f.store.close();
  f.svc.submit({"web", "other"}, start_request(), held.sink("other"));
  f.store.wait_for_writer();
  results got;
  bot::request pick;
  pick.type = bot::request::kind::message;
  pick.text = "1";
  f.svc.submit(a, pick, got.sink("a"));
  f.svc.submit(b, pick, got.sink("b"));
  f.store.fail_next(2);
  f.store.open();
  got.wait_for(2);
  held.wait_for(1);
  CHECK(held.got.front().second.state == bot::result::status::ok);
  for (auto& [name, r] : got.got) {
    CHECK(r.state == bot::result::status::failed);
    CHECK(r.failure.find("disk full") != std::string::npos);
  }
  // Nothing half-applied: both conversations are where they were, and go on from there.
  CHECK(f.store.find(a)->seq == ta.seq);
  CHECK(f.store.find(b)->seq == tb.seq);
  auto again = f.svc.message(a, "1");
  CHECK(again.seq > ta.seq);
  CHECK(again.out.question != ta.out.question);
  // The sync form says so with an exception rather than a turn.
  f.store.fail_next();
  CHECK_THROWS_WITH_AS(f.svc.message(b, "1"), doctest::Contains("not saved"), std::runtime_error);
}

TEST_CASE("two instances on one database: the one with a stale view re-reads and decides again") {
  temp_dir dir;
  auto app = test::open_test_app(dir.str());
  storage::sqlite_session_store store_a(app->db_path), store_b(app->db_path);
  bot::service one(app->framework, *app->knowledge, store_a);
  bot::service two(app->framework, *app->knowledge, store_b);
  const bot::channel_key key{"web", "shared"};
  auto t = one.start(key, {}, true);
  auto seen_by_two = two.current(key);  // two now has the record cached
  REQUIRE(seen_by_two);
  CHECK(seen_by_two->seq == t.seq);
  auto t1 = one.message(key, "1");  // one moves on; two's cache is stale
  CHECK(t1.seq > t.seq);
  auto t2 = two.message(key, "1");  // conflict: two re-reads, then answers the next question
  CHECK(t2.seq > t1.seq);
  CHECK(t2.out.question != t1.out.question);
  auto rec = store_a.find(key);
  REQUIRE(rec);
  CHECK(rec->seq == t2.seq);
  // Both answers are there, in order: the history shows two answers after the start.
  int answers = 0;
  for (const auto& e : rec->events) answers += e.kind == dialogue::event_kind::answer;
  CHECK(answers == 2);
}

namespace {

// A stand-in for a server's event loop: work posted to it runs when the test says so, on
// the test's thread.
struct manual_loop {
  std::mutex mutex;
  std::deque<std::function<void()>> posted;
  bot::service::committer committer() {
    return [this](std::function<void()> work) {
      std::lock_guard lock(mutex);
      posted.push_back(std::move(work));
    };
  }
  std::size_t size() {
    std::lock_guard lock(mutex);
    return posted.size();
  }
  // Runs what is queued now (not what that posts in turn); returns how much ran.
  std::size_t run_once() {
    std::deque<std::function<void()>> now;
    {
      std::lock_guard lock(mutex);
      now.swap(posted);
    }
    for (auto& w : now) w();
    return now.size();
  }
};

}  // namespace

TEST_CASE(
    "with a committer - every turn queued in one pass of the loop is committed together - on the "
    "loop") {
  fixture f;
  manual_loop loop;
  f.svc.set_committer(loop.committer());
  results got;
  constexpr int n = 25;
  for (int i = 0; i < n; ++i)
    f.svc.submit({"web", "k" + std::to_string(i)}, start_request(),
                 got.sink("k" + std::to_string(i)));
  // Decided, not committed, not answered: one commit waits on the loop for all of them.
  CHECK(got.size() == 0);
  CHECK(loop.size() == 1);
  CHECK(f.store.batches().empty());
  CHECK(loop.run_once() == 1);
  // Committed and answered on this thread, inside that one piece of work.
  CHECK(got.size() == n);
  CHECK(f.store.batches() == std::vector<std::size_t>{n});
  for (auto& [name, r] : got.got) {
    REQUIRE(r.state == bot::result::status::ok);
    CHECK(f.store.committed(r.t.conversation, r.t.seq));
  }
  CHECK(f.svc.stats().commits == 1);
  CHECK(loop.size() == 0);  // nothing more to do

  // The next pass: a turn for each of three keys, one commit again.
  for (int i = 0; i < 3; ++i) {
    bot::request r;
    r.type = bot::request::kind::message;
    r.text = "1";
    f.svc.submit({"web", "k" + std::to_string(i)}, r, got.sink("again" + std::to_string(i)));
  }
  CHECK(got.size() == n);
  CHECK(loop.run_once() == 1);
  CHECK(got.size() == n + 3);
  CHECK(f.store.batches() == std::vector<std::size_t>{n, 3});
}

TEST_CASE(
    "turns queued while the loop commits go in the next commit - posted behind the loop's other "
    "work") {
  fixture f;
  manual_loop loop;
  f.svc.set_committer(loop.committer());
  results got;
  f.svc.submit({"web", "a"}, start_request(), got.sink("a"));
  REQUIRE(loop.size() == 1);
  // Hold the commit in the store while another thread queues a turn.
  f.store.close();
  std::thread committing([&] { loop.run_once(); });
  f.store.wait_for_writer();
  f.svc.submit({"web", "b"}, start_request(), got.sink("b"));
  CHECK(loop.size() == 0);  // a commit is under way: it posts the next one when it ends
  f.store.open();
  committing.join();
  CHECK(got.size() == 1);
  CHECK(loop.size() == 1);
  loop.run_once();
  got.wait_for(2);
  CHECK(f.store.batches() == std::vector<std::size_t>{1, 1});
}

TEST_CASE("clearing the committer hands what is still queued to the writer thread") {
  fixture f;
  manual_loop loop;
  f.svc.set_committer(loop.committer());
  results got;
  for (int i = 0; i < 5; ++i)
    f.svc.submit({"web", "k" + std::to_string(i)}, start_request(),
                 got.sink("k" + std::to_string(i)));
  REQUIRE(loop.size() == 1);
  // The loop stops without running its work (a server stopping): the writer takes over.
  f.svc.set_committer({});
  got.wait_for(5);
  for (auto& [name, r] : got.got) CHECK(r.state == bot::result::status::ok);
  loop.run_once();  // the stale flush finds nothing to do
  CHECK(f.store.batches() == std::vector<std::size_t>{5});
  // And later turns go straight to the writer.
  auto t = f.svc.start({"web", "later"}, {}, true);
  CHECK(!t.out.options.empty());
  CHECK(loop.size() == 0);
}

TEST_CASE("a service with a committer still answers every turn when it is destroyed") {
  temp_dir dir;
  auto app = test::open_test_app(dir.str());
  gated_store store{app->db_path};
  manual_loop loop;
  results got;
  {
    bot::service svc{app->framework, *app->knowledge, store};
    svc.set_committer(loop.committer());
    for (int i = 0; i < 4; ++i)
      svc.submit({"web", "k" + std::to_string(i)}, start_request(),
                 got.sink("k" + std::to_string(i)));
    REQUIRE(loop.size() == 1);
  }
  CHECK(got.size() == 4);
  for (auto& [name, r] : got.got) CHECK(r.state == bot::result::status::ok);
}

TEST_CASE("open resumes an unfinished conversation and starts a new one after a finished one") {
  fixture f;
  const bot::channel_key key{"discord", "g/c/u"};
  // None yet: open starts one, with its words as the opening.
  bot::turn first = f.svc.open(key);
  CHECK_FALSE(first.resumed);
  REQUIRE_FALSE(first.out.question.empty());
  // Asking: open without words resumes it where it stands, and changes nothing.
  bot::turn again = f.svc.open(key);
  CHECK(again.resumed);
  CHECK(again.conversation == first.conversation);
  CHECK(again.out.question == first.out.question);
  CHECK(again.seq == first.seq);
  // Asking: open with words takes them as the next message of the same conversation.
  bot::turn said = f.svc.open(key, "not sure");
  CHECK(said.resumed);
  CHECK(said.conversation == first.conversation);
  // Finished: open starts over.
  bot::turn t = said;
  for (int guard = 0; guard < 40 && !t.out.finished; ++guard) {
    if (t.out.question == "review") {
      t = f.svc.choose(key, "confirm");
      continue;
    }
    const dialogue::option_view* answer = nullptr;
    for (const auto& o : t.out.options)
      if (o.role == dialogue::option_role::answer) {
        answer = &o;
        break;
      }
    REQUIRE(answer);
    t = f.svc.choose(key, answer->id);
  }
  REQUIRE(t.out.finished);
  bot::turn next = f.svc.open(key);
  CHECK_FALSE(next.resumed);
  CHECK(next.conversation != first.conversation);
  CHECK_FALSE(next.out.finished);
  CHECK_FALSE(next.out.question.empty());
}

TEST_CASE(
    "a button made for another conversation or question is stale on every kind of press - "
    "nothing changes and the current question comes back") {
  fixture f;
  const bot::channel_key key{"discord", "g/c/u"};
  std::string option = "first";  // what a choice picks
  auto press = [&](bot::request::kind type, std::string conversation, std::string question) {
    bot::request r;
    r.type = type;
    if (type == bot::request::kind::choose) r.option = option;
    if (type == bot::request::kind::command) r.action = dialogue::command::why;
    if (type == bot::request::kind::start) r.fresh = true;  // a "start over" button
    r.expected_conversation = std::move(conversation);
    r.expected_question = std::move(question);
    auto res = f.svc.run(key, std::move(r));
    REQUIRE(res.state == bot::result::status::ok);
    return res.t;
  };
  const auto kinds = {bot::request::kind::choose, bot::request::kind::command,
                      bot::request::kind::start};

  // No conversation yet: a button of one that is gone starts nothing.
  for (auto kind : kinds) {
    bot::turn t = press(kind, "0123abcd", "team");
    CHECK(t.out.notice == dialogue::notice::stale);
    CHECK(t.conversation.empty());
    CHECK_FALSE(f.svc.current(key));
  }

  bot::turn first = f.svc.open(key);
  const std::string end = first.conversation.substr(first.conversation.size() - 8);
  bot::turn answered = f.svc.choose(key, first.out.options.front().id, first.out.question);
  REQUIRE(answered.out.question != first.out.question);
  for (auto kind : kinds) {
    INFO(static_cast<int>(kind));
    // The first question's button, after it was answered; another conversation's button.
    for (auto [conversation, question] :
         {std::pair<std::string, std::string>{end, first.out.question},
          {first.conversation, first.out.question},
          {"ffffffff", answered.out.question},
          {"ffffffff", ""}}) {
      bot::turn t = press(kind, conversation, question);
      CHECK(t.out.notice == dialogue::notice::stale);
      CHECK(t.out.error == "stale");
      // Nothing changed, and the reply is the question the conversation is on now.
      CHECK(t.conversation == first.conversation);
      CHECK(t.seq == answered.seq);
      CHECK(t.out.question == answered.out.question);
      CHECK(t.out.options.size() == answered.out.options.size());
      CHECK(f.svc.current(key)->seq == answered.seq);
    }
  }
  // Made for this conversation at this question (its whole id, or its end): it goes through.
  bot::turn why = press(bot::request::kind::command, end, answered.out.question);
  CHECK(why.out.notice == dialogue::notice::none);
  CHECK(why.out.text.find("Why I ask") != std::string::npos);
  option = answered.out.options.front().id;
  bot::turn chose = press(bot::request::kind::choose, first.conversation, answered.out.question);
  CHECK(chose.out.notice == dialogue::notice::none);
  CHECK(chose.seq > answered.seq);
  bot::turn over = press(bot::request::kind::start, end, "");
  CHECK(over.out.notice == dialogue::notice::none);
  CHECK(over.conversation != first.conversation);
  CHECK(f.svc.current(key)->conversation == over.conversation);
}

TEST_CASE(
    "a conversation goes on with the framework version it started on - after a restart with a "
    "changed framework - while a new one gets the new version") {
  temp_dir dir;
  const std::string v1_question = "First, who is this decision for?";
  const std::string v2_question = test::write_framework_v2(dir.file("framework-v2.json"));
  const bot::channel_key old_key{"web", "started-on-1"}, new_key{"web", "started-on-2"};
  std::string old_id;
  {
    auto v1 = test::open_test_app(dir.file("data"));
    auto t = v1->service->start(old_key, {}, true);
    CHECK(t.out.text.find(v1_question) != std::string::npos);
    old_id = t.conversation;
  }
  // The advisor restarts with version 2; version 1 is no longer shipped.
  auto cfg = test::test_config(dir.file("data"));
  cfg.framework_file = dir.file("framework-v2.json");
  auto v2 = bot::open_app(cfg);
  CHECK(v2->framework.version == "2");
  auto resumed = v2->service->current(old_key);
  REQUIRE(resumed);
  CHECK(resumed->conversation == old_id);
  CHECK(resumed->out.text.find(v1_question) != std::string::npos);  // asked as it was
  auto answered = v2->service->choose(old_key, "startup", "context");
  CHECK(answered.out.notice == dialogue::notice::none);
  CHECK(answered.out.question != "context");
  CHECK(v2->sessions->find(old_key)->framework == "backend-stack@1");
  // A new conversation starts on version 2.
  auto fresh = v2->service->start(new_key, {}, true);
  CHECK(fresh.out.text.find(v2_question) != std::string::npos);
  CHECK(v2->sessions->find(new_key)->framework == "backend-stack@2");
  // Both versions stay kept in the store.
  CHECK(v2->sessions->framework_document("backend-stack", "1"));
  CHECK(v2->sessions->framework_document("backend-stack", "2"));
}

TEST_CASE(
    "a conversation whose framework version cannot be found is told so - and nothing is "
    "written") {
  fixture f;
  const bot::channel_key key{"web", "lost-version"};
  f.store.create(key, "lost", "backend-stack@99");
  for (auto* act :
       {+[](bot::service&s, const bot::channel_key&k) { return s.message(k, "hi"); },
        +[](bot::service&s, const bot::channel_key&k) { return s.choose(k, "startup", "context"); },
        +[](bot::service&s, const bot::channel_key&k) { return *s.current(k); }}) {
    auto t = act(f.svc, key);
    CHECK(t.conversation == "lost");
    CHECK(t.out.notice == dialogue::notice::framework_unavailable);
    CHECK(t.out.text.find("start a new conversation") != std::string::npos);
    CHECK(f.store.find(key)->seq == 0);  // nothing written
  }
  CHECK(!f.svc.decision_record(key));
  // A fresh start, or a channel's entry, begins a new conversation on the current version.
  auto opened = f.svc.open(key);
  CHECK(opened.conversation != "lost");
  CHECK(opened.out.notice == dialogue::notice::none);
  CHECK(f.store.find(key)->framework == "backend-stack@1");
}

TEST_CASE(
    "a flood of turns on a conversation whose framework version is stored nowhere asks the "
    "store once") {
  fixture f;
  const bot::channel_key key{"web", "lost-flood"};
  f.store.create(key, "lost", "backend-stack@98");
  for (int i = 0; i < 50; ++i) {
    auto t = f.svc.message(key, "hi");
    CHECK(t.out.notice == dialogue::notice::framework_unavailable);
  }
  CHECK(f.svc.current(key)->out.notice == dialogue::notice::framework_unavailable);
  CHECK(f.store.framework_lookups() == 1);
  // Another missing version is asked for on its own; the first stays remembered.
  const bot::channel_key other{"web", "lost-flood-2"};
  f.store.create(other, "lost2", "backend-stack@97");
  CHECK(f.svc.message(other, "hi").out.notice == dialogue::notice::framework_unavailable);
  CHECK(f.svc.message(key, "hi").out.notice == dialogue::notice::framework_unavailable);
  CHECK(f.store.framework_lookups() == 2);
}

TEST_CASE(
    "the memory of missing framework versions forgets a key after its time - once it is stored - "
    "and the soonest to expire when full") {
  using clock = bot::miss_memory::clock;
  const clock::time_point t0{};
  bot::miss_memory m(2, std::chrono::seconds(5));
  CHECK(!m.missing("a@1", t0));
  m.remember("a@1", t0);
  CHECK(m.missing("a@1", t0 + std::chrono::seconds(4)));
  CHECK(!m.missing("a@1", t0 + std::chrono::seconds(5)));  // asked again: then forgotten
  CHECK(m.size() == 0);
  m.remember("a@1", t0);
  m.forget("a@1");  // stored meanwhile
  CHECK(!m.missing("a@1", t0));
  // Full: the key soonest to expire goes, the others stay.
  m.remember("a@1", t0);
  m.remember("a@2", t0 + std::chrono::seconds(1));
  m.remember("a@3", t0 + std::chrono::seconds(2));
  CHECK(m.size() == 2);
  CHECK(!m.missing("a@1", t0 + std::chrono::seconds(2)));
  CHECK(m.missing("a@2", t0 + std::chrono::seconds(2)));
  CHECK(m.missing("a@3", t0 + std::chrono::seconds(2)));
  // Full of expired keys: they make room first.
  m.remember("a@4", t0 + std::chrono::seconds(10));
  CHECK(m.size() == 1);
  CHECK(m.missing("a@4", t0 + std::chrono::seconds(10)));
}

TEST_CASE(
    "conversations on more older framework versions than the cache holds - each is asked in its "
    "own version's words - again after the cache dropped it") {
  fixture f;
  constexpr int versions = 12;  // more than the service keeps loaded
  std::vector<std::string> wording;
  for (int v = 0; v < versions; ++v) {
    auto [text, question] = test::changed_framework("old-" + std::to_string(v));
    f.store.keep_framework("backend-stack", "old-" + std::to_string(v), text);
    f.store.create({"web", "old-" + std::to_string(v)}, "c" + std::to_string(v),
                   "backend-stack@old-" + std::to_string(v));
    wording.push_back(question);
  }
  for (int round = 0; round < 2; ++round)
    for (int v = 0; v < versions; ++v) {
      auto t = f.svc.current({"web", "old-" + std::to_string(v)});
      REQUIRE(t);
      CHECK(t->out.notice == dialogue::notice::none);
      CHECK(t->out.text.find(wording[static_cast<std::size_t>(v)]) != std::string::npos);
    }
  // An answer on the oldest goes on in its version; the record keeps it.
  auto answered = f.svc.choose({"web", "old-0"}, "startup", "context");
  CHECK(answered.out.question != "context");
  CHECK(f.store.find({"web", "old-0"})->framework == "backend-stack@old-0");
}

TEST_CASE(
    "another process holds the write lock past the busy timeout: a write fails with a clear "
    "error and keeps nothing - a read on another key is answered - the lock gone - all goes on") {
  temp_dir dir;
  auto app = test::open_test_app(dir.str());
  const bot::channel_key writer_key{"web", "writes"}, reader_key{"web", "reads"};
  const auto before = app->service->start(writer_key, {}, true);
  const auto reader_at = app->service->start(reader_key, {}, true);
  // A second instance on the file: neither record is in its memory, so each turn reads it.
  storage::sqlite_session_store store(app->db_path);
  bot::service svc(app->framework, *app->knowledge, store);

  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open(app->db_path.c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  std::promise<bot::result> written;
  auto write = written.get_future();
  bot::request answer;
  answer.type = bot::request::kind::message;
  answer.text = "1";
  svc.submit(writer_key, answer, [&written](bot::result r) { written.set_value(std::move(r)); });
  // Reads never wait for the commit: answered while the lock is held.
  auto now = svc.current(reader_key);
  REQUIRE(now);
  CHECK(now->out.question == reader_at.out.question);
  CHECK(now->seq == reader_at.seq);
  CHECK(svc.command(reader_key, dialogue::command::help).seq == reader_at.seq);
  // The lock never comes (it is held past the busy timeout): the turn fails and says why.
  bot::result r = write.get();
  CHECK(r.state == bot::result::status::failed);
  CHECK(r.failure.find("locked") != std::string::npos);
  REQUIRE(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(other);
  // Nothing of it was kept, and the same answer now goes through.
  auto rec = store.find(writer_key);
  REQUIRE(rec);
  CHECK(rec->seq == before.seq);
  auto again = svc.run(writer_key, answer);
  REQUIRE(again.state == bot::result::status::ok);
  CHECK(again.t.seq > before.seq);
  CHECK(again.t.out.question != before.out.question);
  CHECK(store.find(writer_key)->seq == again.t.seq);
}
