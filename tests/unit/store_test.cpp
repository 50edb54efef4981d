#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "bot/paths.hpp"
#include "knowledge/sqlite/knowledge_store.hpp"
#include "knowledge/sqlite/session_store.hpp"
#include "support.hpp"

using namespace advisor;
using advisor::test::source_path;
using advisor::test::temp_dir;

namespace {

knowledge::knowledge_doc shipped_knowledge() {
  std::string file = source_path("config/knowledge.json");
  return knowledge::parse_knowledge(bot::read_file(file), file);
}

// The knowledge and the framework, as the app stores them: the search reads the stacks' names
// from the stored framework.
void import_shipped(storage::knowledge_store& kb) {
  kb.import(shipped_knowledge());
  std::string file = source_path("config/framework.json");
  std::string text = bot::read_file(file);
  kb.store_framework(dialogue::parse_framework(text, file), text);
}

}  // namespace

TEST_CASE("a new database is migrated to the latest schema version") {
  temp_dir dir;
  storage::connection c(dir.file("a.db"));
  CHECK(storage::schema_version(c) == 0);
  storage::migrate(c);
  CHECK(storage::schema_version(c) == storage::latest_schema_version);
  storage::migrate(c);  // idempotent
  CHECK(storage::schema_version(c) == storage::latest_schema_version);
  c.exec("PRAGMA user_version = 99");
  CHECK_THROWS_AS(storage::migrate(c), storage::database_error);
}

TEST_CASE("knowledge imports - survives reopening and exports the same") {
  temp_dir dir;
  auto doc = shipped_knowledge();
  REQUIRE(doc.facts.size() >= 60);
  {
    storage::knowledge_store kb(dir.file("k.db"));
    kb.import(doc);
  }
  storage::knowledge_store kb(dir.file("k.db"));
  CHECK(kb.fact_count() == doc.facts.size());
  auto f = kb.find_fact("perf-node-rps");
  REQUIRE(f);
  CHECK(f->tech == "nodejs");
  CHECK(f->figure.find("15,000") != std::string::npos);
  auto src = kb.find_source(f->source);
  REQUIRE(src);
  CHECK(!src->title.empty());
  CHECK(knowledge::knowledge_to_json(kb.export_doc()) == knowledge::knowledge_to_json(doc));
  // Every contested point has two sides backed by facts from different sources.
  REQUIRE(kb.contested().size() >= 3);
  for (const auto& cp : kb.contested()) {
    std::set<std::string> sources;
    for (const auto& side : cp.sides)
      for (const auto& id : side.facts) sources.insert(kb.find_fact(id)->source);
    CHECK_MESSAGE(sources.size() >= 2, cp.id);
  }
}

TEST_CASE("full-text search ranks the expected facts first") {
  temp_dir dir;
  storage::knowledge_store kb(dir.file("k.db"));
  kb.import(shipped_knowledge());
  auto top = [&](const char* q) {
    auto hits = kb.search(q, 3);
    std::vector<std::string> ids;
    for (const auto& h : hits) ids.push_back(h.fact.id);
    return ids;
  };
  auto contains = [](const std::vector<std::string>& ids, const std::string& id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  };
  CHECK(contains(top("how fast is Node.js?"), "perf-node-rps"));
  CHECK(contains(top("who uses Python?"), "adopters-python"));
  CHECK(contains(top("what frameworks does Python have?"), "frameworks-python"));
  // A fact with the word as typed ranks above one with a longer word it begins.
  auto cons = kb.search("python cons?", 1);
  REQUIRE(cons.size() == 1);
  CHECK(cons.front().fact.topic == "cons");
  CHECK(kb.search("", 3).empty());
  CHECK(kb.search("\"* OR NEAR(", 3).empty());  // FTS syntax in user text is not a query error
}

TEST_CASE("a search on a topic the caller names answers past words the facts never use") {
  temp_dir dir;
  storage::knowledge_store kb(dir.file("k.db"));
  kb.import(shipped_knowledge());
  // More words the facts never use than words they do: the plain search gives up.
  const char* asked = "can flask do live notifications decently or should we not bother";
  CHECK(kb.search(asked, 3).empty());
  // Told the topic, the facts on it answer, the one the question's words pick first.
  auto hits = kb.search_on("realtime", asked, 3);
  REQUIRE(!hits.empty());
  CHECK(hits.size() <= 3);
  CHECK(hits.front().fact.topic == "realtime");
  // No word of the question in the facts at all: the topic's first fact still answers.
  auto bare = kb.search_on("memory", "zzz qqq", 2);
  REQUIRE(!bare.empty());
  CHECK(bare.front().fact.id == kb.facts_on("memory").front().id);
  // A topic the sources do not have gives nothing, and neither does no topic.
  CHECK(kb.search_on("weather", asked, 3).empty());
  CHECK(kb.search_on("", asked, 3).empty());
}

TEST_CASE("fts queries keep words only") {
  // Each word as typed and, from three letters, as a prefix: the word itself counts twice.
  CHECK(storage::fts_query("how fast is Node.js?") ==
        "\"fast\" OR \"fast\"* OR \"node\" OR \"node\"*");
  CHECK(storage::fts_query("the a is") == "");
  CHECK(storage::fts_query("ML in Go") ==
        "\"ml\" OR \"go\"");  // no prefix terms under three letters
}

TEST_CASE("search words split compounds and keep the joined form") {
  using V = std::vector<std::string>;
  CHECK(storage::search_words("can node handle CPU-heavy stuff?") ==
        V{"node", "handle", "cpu", "heavy", "cpuheavy"});
  CHECK(storage::search_words("real-time e-commerce") ==
        V{"real", "time", "realtime", "commerce", "ecommerce"});
  CHECK(storage::search_words("Full-stack? node.js, Node's NodeJS") ==
        V{"full", "stack", "fullstack", "node"});
  CHECK(storage::search_words("what\xE2\x80\x99s Socket.io") == V{"socket", "io", "socketio"});
  CHECK(storage::asks_for_figure("How fast is Node.js compared to Python?"));
  CHECK(storage::asks_for_figure("how many developers"));
  CHECK(!storage::asks_for_figure("is node fast"));
  CHECK(!storage::asks_for_figure("node for cpu heavy number crunching, good or bad?"));
}

TEST_CASE(
    "search understands compounds - ranks figures for how-fast questions - and refuses what it "
    "does "
    "not cover") {
  temp_dir dir;
  storage::knowledge_store kb(dir.file("k.db"));
  import_shipped(kb);
  auto ids = [&](const char* q, std::size_t limit = 3) {
    std::vector<std::string> out;
    for (const auto& h : kb.search(q, limit)) out.push_back(h.fact.id);
    return out;
  };
  auto has = [](const std::vector<std::string>& v, const char* id) {
    return std::find(v.begin(), v.end(), id) != v.end();
  };
  SUBCASE("hyphenated and compound words") {
    CHECK(has(ids("can node handle CPU-heavy stuff?"), "cons-node"));
    CHECK(has(ids("is Python good at CPU-heavy work?"), "task-python-cpu"));
    CHECK(has(ids("is node good for real-time?"), "realtime-node"));
    CHECK(has(ids("is node good for realtime?"), "realtime-node"));
    CHECK(has(ids("is node good for real time?"), "realtime-node"));
    // A preposition is no subject the sources lack: only "boats" is unknown here.
    CHECK(has(ids("is node good for a chat between the boats?"), "realtime-node"));
    CHECK(has(ids("e-commerce"), "ecommerce-node"));
    CHECK(has(ids("is node good for ecommerce?"), "ecommerce-node"));
    CHECK(has(ids("full-stack team"), "startup-node-fullstack"));
    CHECK(has(ids("fullstack team"), "startup-node-fullstack"));
  }
  SUBCASE("a how-fast question gets the figures first") {
    CHECK(ids("how fast is Node.js compared to Python?").front() == "perf-node-rps");
    auto python = kb.search("how fast is Python compared to Node.js?", 1);
    REQUIRE(python.size() == 1);
    CHECK(python.front().fact.tech == "python");
    CHECK(python.front().fact.topic == "performance");
    CHECK(!python.front().fact.figure.empty());
    CHECK(!kb.search("how many developers does Python have?", 1).front().fact.figure.empty());
    // A topic the question's words suggest ("big": project size) does not put a figureless
    // fact before the figures asked for.
    CHECK(!kb.search("how big is pypi these days", 1).front().fact.figure.empty());
    // "but" searches nothing: it no longer finds every claim with a "but" in it.
    auto faster = kb.search("ok but which one is actually faster, node or python", 1);
    REQUIRE(faster.size() == 1);
    CHECK(faster.front().fact.topic == "performance");
  }
  SUBCASE("questions the sources do not cover find nothing") {
    for (const char* q :
         {"what about Go?", "what's the weather like?", "is Rust better?", "how do I cook pasta",
          "is Rust better than Python?", "tell me a joke", "what about PHP and Ruby?"}) {
      CAPTURE(q);
      CHECK(kb.search(q, 5).empty());
    }
  }
  SUBCASE("questions the sources cover still find their facts") {
    CHECK(has(ids("which companies use node?"), "adopters-node"));
    CHECK(has(ids("is python good for machine learning?"), "data-python-ml"));
    CHECK(has(ids("how big is npm?"), "packages-npm"));
    auto django = ids("what's django?");
    CHECK((has(django, "frameworks-python") || has(django, "frameworks-python-wb")));
    CHECK(has(ids("which is better, python or node?", 5), "no-universal-winner"));
    CHECK(has(ids("tell me about Socket.io"), "libraries-node"));
    CHECK(has(ids("who created Node.js?"), "history-node"));
  }
}

TEST_CASE("sessions: bindings - ordered events and sequence conflicts") {
  temp_dir dir;
  storage::sqlite_session_store store(dir.file("s.db"));
  dialogue::channel_key key{"web", "tok"};
  CHECK(!store.find(key));
  auto rec = store.create(key, "conv1", "fw@1");
  CHECK(rec.seq == 0);
  dialogue::event e{dialogue::event_kind::answer, "context", "startup", 1, "choice", ""};
  CHECK(store.append("conv1", 0, {e}) == 1);
  // A writer that read seq 0 too is refused, and nothing of its append lands.
  CHECK_THROWS_AS(store.append("conv1", 0, {e, e}), dialogue::sequence_conflict);
  auto again = store.find(key);
  REQUIRE(again);
  CHECK(again->seq == 1);
  REQUIRE(again->events.size() == 1);
  CHECK(again->events[0].option == "startup");
  // SQL-looking text is stored as text.
  dialogue::event sql{dialogue::event_kind::answer, "team", "", 2, "text",
                      "'); DROP TABLE events; --"};
  CHECK(store.append("conv1", 1, {sql}) == 2);
  CHECK(store.find(key)->events[1].phrase == "'); DROP TABLE events; --");
  // Another channel can be bound to the same conversation.
  CHECK(store.writable());
  store.backup_to(dir.file("backup.db"));
  storage::sqlite_session_store copy(dir.file("backup.db"));
  CHECK(copy.find(key)->seq == 2);
  // A new database has small pages: a commit rewrites whole pages into the WAL.
  storage::connection c(dir.file("s.db"));
  auto size = c.prepare("PRAGMA page_size");
  REQUIRE(size.step());
  CHECK(size.integer(0) == 1024);
}

TEST_CASE(
    "a conversation is read back from its last restart on - before and after migrations 3 and 4") {
  temp_dir dir;
  const std::string file = dir.file("s.db");
  using dialogue::event_kind;
  auto ev = [](event_kind k, const char* q, const char* o) {
    return dialogue::event{k, q, o, 1, "choice", ""};
  };
  {
    // A database as version 2 left it: events with a restart, no restart_seq column yet, and
    // the events clustered by conversation rather than in a log.
    storage::connection c(file);
    storage::migrate(c, 2);
    CHECK(storage::schema_version(c) == 2);
    c.exec(
        "INSERT INTO conversations (id, framework, seq, created_at, updated_at) VALUES ('c1', "
        "'fw@1', 4, 'x', 'x');"
        "INSERT INTO bindings VALUES ('web', 'old', 'c1', 'x');"
        "INSERT INTO events VALUES ('c1', 1, 'answer', 'a', '1', 1, '', '', 'x'), ('c1', 2, "
        "'restart', '', '', 2, '', '', 'x'),"
        "  ('c1', 3, 'answer', 'b', '2', 3, '', '', 'x'), ('c1', 4, 'answer', 'c', '3', 4, '', '', "
        "'x');");
  }
  storage::sqlite_session_store store(file);  // migrates to the latest version
  auto old = store.find({"web", "old"});
  REQUIRE(old);
  CHECK(old->seq == 4);
  REQUIRE(old->events.size() == 3);  // the restart and what came after it
  CHECK(old->events[0].kind == event_kind::restart);
  CHECK(old->events[2].question == "c");
  // New appends keep it up to date, a restart in the middle of a batch included.
  CHECK(store.append("c1", 4,
                     {ev(event_kind::answer, "d", "4"), ev(event_kind::restart, "", ""),
                      ev(event_kind::answer, "e", "5")}) == 7);
  auto now = store.find({"web", "old"});
  REQUIRE(now->events.size() == 2);
  CHECK(now->events[0].kind == event_kind::restart);
  CHECK(now->events[1].question == "e");
  // Nothing is lost: every event stays stored.
  storage::connection c(file);
  auto count = c.prepare("SELECT count(*) FROM events WHERE conversation_id = 'c1'");
  REQUIRE(count.step());
  CHECK(count.integer(0) == 7);
  // Migration 4 made the events a log, each pointing to the one before it in its conversation.
  auto chain = c.prepare(
      "SELECT group_concat(seq || ':' || coalesce((SELECT p.seq FROM events p WHERE p.id = "
      "e.prev), '-'), ' ') "
      "FROM (SELECT * FROM events WHERE conversation_id = 'c1' ORDER BY id) e");
  REQUIRE(chain.step());
  CHECK(chain.text(0) == "1:- 2:1 3:2 4:3 5:4 6:5 7:6");
}

TEST_CASE("one batch: a stale write is refused while the others land") {
  temp_dir dir;
  storage::sqlite_session_store store(dir.file("s.db"));
  using dialogue::event_kind;
  auto ev = [](const char* q) {
    return dialogue::event{event_kind::answer, q, "x", 1, "choice", ""};
  };
  store.create({"web", "a"}, "a", "fw@1");
  store.create({"web", "b"}, "b", "fw@1");
  CHECK(store.append("b", 0, {ev("q1")}) == 1);

  std::vector<dialogue::write_op> batch(3);
  batch[0].conversation = "a";
  batch[0].events = {ev("q1"), ev("q2")};
  batch[1].conversation = "b";  // saw no events, but b has one now
  batch[1].events = {ev("q2"), ev("q3")};
  batch[2].conversation = "b";
  batch[2].expected_seq = 1;
  batch[2].events = {ev("q4")};
  auto status = store.apply(batch);
  REQUIRE(status.size() == 3);
  CHECK(status[0] == dialogue::write_status::applied);
  CHECK(status[1] == dialogue::write_status::conflict);
  CHECK(status[2] == dialogue::write_status::applied);
  CHECK(store.find({"web", "a"})->seq == 2);
  auto b = store.find({"web", "b"});
  CHECK(b->seq == 2);
  REQUIRE(b->events.size() == 2);
  CHECK(b->events[1].question == "q4");

  // The log holds every event, each conversation's linked in order.
  storage::connection c(dir.file("s.db"));
  auto chain = c.prepare(
      "SELECT group_concat(e.seq || '<' || coalesce(p.seq, 0), ' ') FROM events e "
      "LEFT JOIN events p ON p.id = e.prev WHERE e.conversation_id = 'b' ORDER BY e.id");
  REQUIRE(chain.step());
  CHECK(chain.text(0) == "1<0 2<1");
}

TEST_CASE(
    "two writers on one file - a binding changed and events added underneath are seen by the "
    "other") {
  temp_dir dir;
  const std::string file = dir.file("s.db");
  storage::sqlite_session_store a(file);
  storage::sqlite_session_store b(file);
  using dialogue::write_status;
  auto ev = [](const char* q) {
    return dialogue::event{dialogue::event_kind::answer, q, "x", 1, "choice", ""};
  };
  auto turn = [&](const char* conversation, std::uint64_t seq, const dialogue::channel_key& via,
                  const char* question) {
    dialogue::write_op w;
    w.conversation = conversation;
    w.via = via;
    w.expected_seq = seq;
    w.events = {ev(question)};
    return w;
  };
  const dialogue::channel_key k{"web", "k"};
  const dialogue::channel_key other{"web", "other"};
  // A new conversation that takes k over from `from`.
  auto rebind = [&](const char* conversation, const char* from) {
    dialogue::write_op w;
    w.conversation = conversation;
    w.framework = "fw@1";
    w.bind = k;
    w.bound_to = from;
    return w;
  };
  a.create(k, "c1", "fw@1");
  a.create(other, "c3", "fw@1");
  // Writer a has read (and remembers) both bindings and the log's end.
  REQUIRE(a.apply({turn("c1", 0, k, "q1"), turn("c3", 0, other, "q1")}) ==
          std::vector{write_status::applied, write_status::applied});

  // Writer b binds k to a new conversation c2 (compare-and-set from c1) and writes to the log.
  REQUIRE(b.apply({rebind("c2", "c1")}) == std::vector{write_status::applied});
  REQUIRE(b.apply({turn("c2", 0, k, "q1")}) == std::vector{write_status::applied});
  REQUIRE(b.apply({turn("c2", 1, k, "q2")}) == std::vector{write_status::applied});

  // a's next turn through k on c1 is refused (k is c2's now); its turn on c3 lands after b's
  // events, not on their ids.
  auto status = a.apply({turn("c1", 1, k, "q2"), turn("c3", 1, other, "q2")});
  CHECK(status == std::vector{write_status::conflict, write_status::applied});
  auto via_k = a.find(k);
  REQUIRE(via_k);
  CHECK(via_k->id == "c2");
  CHECK(via_k->seq == 2);
  auto c3 = b.find(other);
  REQUIRE(c3);
  CHECK(c3->seq == 2);
  REQUIRE(c3->events.size() == 2);
  CHECK(c3->events[1].question == "q2");
  storage::connection c(file);
  auto c1 = c.prepare("SELECT seq FROM conversations WHERE id = 'c1'");
  REQUIRE(c1.step());
  CHECK(c1.integer(0) == 1);  // nothing of the refused turn was written
  auto log = c.prepare(
      "SELECT group_concat(conversation_id || seq, ' ') FROM (SELECT * FROM events ORDER BY id)");
  REQUIRE(log.step());
  CHECK(log.text(0) == "c11 c31 c21 c22 c32");

  // And back: b's next turn through k, after a has written, still finds k bound to c2, and a
  // conversation a binds to a key b has read is seen by b.
  REQUIRE(b.apply({turn("c2", 2, k, "q3")}) == std::vector{write_status::applied});
  REQUIRE(a.apply({rebind("c4", "c2")}) == std::vector{write_status::applied});
  CHECK(b.apply({turn("c2", 3, k, "q4")}) == std::vector{write_status::conflict});
  CHECK(b.apply({turn("c4", 0, k, "q1")}) == std::vector{write_status::applied});
  CHECK(a.find(k)->seq == 1);
}

TEST_CASE("the topic index tells what a question is about") {
  storage::topic_index t;
  t.add("performance", "fast speed throughput requests");
  t.add("performance", "slow speed requests rps");
  t.add("packages", "npm packages ecosystem modules");
  t.add("packages", "pip dependencies install");
  t.add("community", "community developers help support");
  using V = std::vector<std::string>;
  CHECK(t.topic_of(V{"speed"}) == "performance");
  CHECK(t.topic_of(V{"dependencies"}) == "packages");
  // A word of four letters or more stands for the longer words it begins.
  CHECK(t.topic_of(V{"develop"}) == "community");
  // Stack names and judging words say nothing of the topic; nor do words no topic uses.
  CHECK(t.topic_of(V{"python", "better"}).empty());
  CHECK(t.topic_of(V{"weather"}).empty());
  // Two topics near level: no topic is sure enough to lead.
  CHECK(t.topic_of(V{"speed", "packages"}).empty());
  // A word that one of many facts of a topic uses is too little to tell.
  for (const char* k : {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"})
    t.add("guide", std::string("rule") + k);
  t.add("guide", "start");
  CHECK(t.topic_of(V{"start"}).empty());
  // A word most of a topic's facts use outweighs one a single fact of another topic uses.
  t.add("community", "requests");
  t.add("community", "mentors");
  t.add("community", "meetups");
  CHECK(t.topic_of(V{"requests", "speed"}) == "performance");
}

TEST_CASE("search reads the stacks from the stored framework and leans on one-stack keywords") {
  temp_dir dir;
  storage::knowledge_store kb(dir.file("k.db"));
  kb.import(shipped_knowledge());
  // Without a framework no word names a stack: a bare "is python better?" is about nothing.
  CHECK(kb.search("is python better?", 3).empty());
  std::string file = source_path("config/framework.json");
  std::string text = bot::read_file(file);
  kb.store_framework(dialogue::parse_framework(text, file), text);
  CHECK(!kb.search("is python better?", 3).empty());
  // A stack's names (framework.json: "js" names Node.js) put its facts first.
  auto js = kb.search("how fast is js compared to python", 1);
  REQUIRE(js.size() == 1);
  CHECK(js.front().fact.tech == "nodejs");
  // Reopened, the names come back from the stored framework.
  storage::knowledge_store again(dir.file("k.db"));
  CHECK(!again.search("is python better?", 3).empty());
  // "npm" names no stack, but only Node.js facts use it: its facts lead.
  auto npm = kb.search("how big is npm these days", 1);
  REQUIRE(npm.size() == 1);
  CHECK(npm.front().fact.tech == "nodejs");
}

TEST_CASE(
    "migration 7 keeps the framework documents this database last loaded - and gives a "
    "conversation recorded without a version that one") {
  temp_dir dir;
  const std::string file = dir.file("s.db");
  {
    // A database as version 6 left it: the framework it last loaded (version 3), a conversation
    // recorded as "id@version" and one recorded before versions were (just "id").
    storage::connection c(file);
    storage::migrate(c, 6);
    c.exec(
        "INSERT INTO frameworks (id, version, title, document, loaded_at) VALUES ('fw', '3', "
        "'t', '{\"version\": \"3\"}', 'x');"
        "INSERT INTO conversations (id, framework, seq, created_at, updated_at) VALUES "
        "('with', 'fw@2', 0, 'x', 'x'), ('without', 'fw', 0, 'x', 'x');"
        "INSERT INTO bindings VALUES ('web', 'with', 'with', 'x'), ('web', 'without', "
        "'without', 'x');");
  }
  storage::sqlite_session_store store(file);  // migrates to the latest version
  CHECK(store.framework_document("fw", "3") == R"({"version": "3"})");
  CHECK(!store.framework_document("fw", "2"));
  CHECK(store.find({"web", "with"})->framework == "fw@2");     // as recorded
  CHECK(store.find({"web", "without"})->framework == "fw@3");  // what it last ran on
}
