// The advisor binary as people and scripts run it.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "process.hpp"
#include "support.hpp"

using namespace advisor::test;
using nlohmann::json;

namespace {

std::vector<std::string> advisor_args(const temp_dir& dir, std::vector<std::string> rest) {
  std::vector<std::string> args{ADVISOR_BINARY, "--data-dir", dir.file("data")};
  args.insert(args.end(), rest.begin(), rest.end());
  return args;
}

json next_frame(process& p) {
  auto line = p.read_line();
  REQUIRE_MESSAGE(line.has_value(), "no reply from advisor chat --json");
  return json::parse(*line);
}

std::string write_file(const temp_dir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir.file(name)) << text;
  return dir.file(name);
}

int count_rows(const std::string& db, const char* table) {
  sqlite3* h = nullptr;
  sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  std::string sql = std::string("SELECT count(*) FROM ") + table;
  sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr);
  int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
  sqlite3_finalize(st);
  sqlite3_close(h);
  return n;
}

}  // namespace

TEST_CASE("advisor --version and --help") {
  temp_dir dir;
  process v(advisor_args(dir, {"--version"}));
  CHECK(v.read_all().find("advisor ") != std::string::npos);
  CHECK(v.wait() == 0);
  process h(advisor_args(dir, {"--help"}));
  std::string help = h.read_all();
  CHECK(help.find("chat") != std::string::npos);
  CHECK(help.find("serve") != std::string::npos);
  CHECK(help.find("knowledge") != std::string::npos);
  CHECK(h.wait() == 0);
}

TEST_CASE(
    "chat --json speaks the message shapes - and a killed process resumes at the same question") {
  temp_dir dir;
  std::string token;
  {
    process p(advisor_args(dir, {"chat", "--json"}));
    p.write_line(R"({"type":"start"})");
    json session = next_frame(p);
    CHECK(session["type"] == "session");
    token = session["session"];
    CHECK(next_frame(p)["question"] == "context");
    p.write_line(R"({"type":"choose","option":"enterprise"})");
    CHECK(next_frame(p)["question"] == "enterprise_focus");
    p.write_line("this is not json");
    CHECK(next_frame(p)["code"] == "invalid_json");
    p.write_line(R"({"type":"message","text":"data analytics"})");
    json reply = next_frame(p);
    CHECK(reply["question"] == "workload");
    CHECK(reply["progress"]["step"] == 3);
    p.kill(SIGKILL);  // mid-conversation, no goodbye
    CHECK(p.wait() == 128 + SIGKILL);
  }
  process p(advisor_args(dir, {"chat", "--json"}));
  p.write_line(json({{"type", "start"}, {"session", token}}).dump());
  json session = next_frame(p);
  CHECK(session["resumed"] == true);
  json reply = next_frame(p);
  CHECK(reply["question"] == "workload");
  CHECK(reply["progress"]["step"] == 3);
  p.close_stdin();
  CHECK(p.wait() == 0);
}

TEST_CASE("the terminal chat: numbers pick options - and the decision record is written") {
  temp_dir dir;
  process p(advisor_args(dir, {"chat", "--record", dir.file("adr.md")}));
  for (const char* line :
       {"3", "I already know JavaScript", "2", "no", "none", "4", "why", "confirm", "summary"})
    p.write_line(line);
  p.close_stdin();
  std::string out = p.read_all();
  CHECK(p.wait() == 0);
  CHECK(out.find("who is this decision for") != std::string::npos);
  CHECK(out.find("1) A startup or new product team") != std::string::npos);
  CHECK(out.find("My recommendation: Node.js") != std::string::npos);
  CHECK(out.find("# Decision record") != std::string::npos);
  std::ifstream adr(dir.file("adr.md"));
  std::string record((std::istreambuf_iterator<char>(adr)), {});
  CHECK(record.find("## Decision") != std::string::npos);
  CHECK(record.find("**Node.js**") != std::string::npos);
  CHECK(record.find("## Sources") != std::string::npos);
}

TEST_CASE("knowledge search - export and import") {
  temp_dir dir;
  process s(advisor_args(dir, {"knowledge", "search", "how fast is Node.js"}));
  std::string found = s.read_all();
  CHECK(s.wait() == 0);
  CHECK(found.find("15,000") != std::string::npos);
  CHECK(found.find("Source:") != std::string::npos);

  process e(advisor_args(dir, {"knowledge", "export", dir.file("export.json")}));
  CHECK(e.read_all().find("Exported") != std::string::npos);
  CHECK(e.wait() == 0);
  std::ifstream in(dir.file("export.json"));
  json exported = json::parse(in);
  CHECK(exported["facts"].size() >= 60);
  CHECK(exported["frameworks"].size() == 2);
  CHECK(exported["frameworks"][0]["id"] == "backend-stack");

  // Change one fact and import: the change is searchable.
  for (auto& f : exported["facts"])
    if (f["id"] == "perf-node-rps") f["claim"] = "Zanzibar throughput claim for the import test.";
  write_file(dir, "changed.json", exported.dump());
  process i(advisor_args(dir, {"knowledge", "import", dir.file("changed.json")}));
  CHECK(i.read_all().find("Imported") != std::string::npos);
  CHECK(i.wait() == 0);
  process s2(advisor_args(dir, {"knowledge", "search", "zanzibar"}));
  CHECK(s2.read_all().find("Zanzibar") != std::string::npos);
  CHECK(s2.wait() == 0);

  // A broken import changes nothing.
  exported["facts"][0]["source"] = "no-such-source";
  write_file(dir, "broken.json", exported.dump(2));
  int facts_before = count_rows(dir.file("data") + "/advisor.db", "facts");
  process b(advisor_args(dir, {"knowledge", "import", dir.file("broken.json")}));
  std::string err = b.read_all_err();
  CHECK(b.wait() != 0);
  CHECK(err.find("broken.json:") != std::string::npos);
  CHECK(err.find("unknown source \"no-such-source\"") != std::string::npos);
  CHECK(count_rows(dir.file("data") + "/advisor.db", "facts") == facts_before);
}

TEST_CASE(
    "a bad framework file gives file - line and problem - exits non-zero - and writes nothing") {
  temp_dir dir;
  std::string good = source_path("config/framework.json");
  std::ifstream in(good);
  std::string text((std::istreambuf_iterator<char>(in)), {});

  SUBCASE("validate lists the problems") {
    std::string bad = text;
    const std::string from = "\"ask_if\": {\"context\": [\"startup\"]}";
    bad.replace(bad.find(from), from.size(), "\"ask_if\": {\"contxt\": [\"startup\"]}");
    auto file = write_file(dir, "bad.json", bad);
    process v(advisor_args(dir, {"knowledge", "validate", file}));
    std::string out = v.read_all();
    CHECK(v.wait() == 1);
    CHECK(out.find(file + ":") != std::string::npos);
    CHECK(out.find("branches on unknown question \"contxt\"") != std::string::npos);
    process ok(advisor_args(dir, {"knowledge", "validate", good}));
    CHECK(ok.read_all().find(": ok") != std::string::npos);
    CHECK(ok.wait() == 0);
  }
  SUBCASE("chat refuses to start on it and creates no database") {
    std::string bad = text;
    bad.insert(bad.find("\"questions\""), "\"oops\" ");  // a syntax error
    auto file = write_file(dir, "broken.json", bad);
    write_file(dir, "config.json", json({{"framework_file", file}}).dump());
    process c({ADVISOR_BINARY, "--config", dir.file("config.json"), "--data-dir", dir.file("data"),
               "chat"});
    c.close_stdin();
    std::string err = c.read_all_err();
    CHECK(c.wait() == 2);
    CHECK(err.find(file + ":") != std::string::npos);
    CHECK(err.find("not valid JSON") != std::string::npos);
    CHECK(!std::filesystem::exists(dir.file("data") + "/advisor.db"));
  }
  SUBCASE("a bad config file is named too") {
    auto file = write_file(dir, "config.json", "{\n  \"port\": \"eighty\"\n}");
    process c({ADVISOR_BINARY, "--config", file, "chat"});
    std::string err = c.read_all_err();
    CHECK(c.wait() != 0);
    CHECK(err.find(file + ":2: \"port\" has the wrong type") != std::string::npos);
  }
}
