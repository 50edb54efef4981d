// The command line and the configuration as an operator meets them: global options anywhere
// on the line, exit status 2 with the usage for a usage error (an unknown command named), unknown
// config keys and bad log levels refused with the file, line and a suggestion, the ADVISOR_*
// environment, helps that list the global options and the environment, and a terminal chat without
// JSON log lines.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "process.hpp"
#include "support.hpp"

using namespace advisor::test;

namespace {

std::string write_text(const temp_dir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir.file(name)) << text;
  return dir.file(name);
}

struct outcome {
  int code;
  std::string out, err;
};

// Runs the advisor to its end with `input` on stdin.
outcome run(std::vector<std::string> args, std::vector<std::string> env = {},
            const std::string& input = {}) {
  args.insert(args.begin(), ADVISOR_BINARY);
  process p(std::move(args), std::move(env));
  if (!input.empty()) p.write(input);
  p.close_stdin();
  outcome o;
  o.out = p.read_all();
  o.err = p.read_all_err();
  o.code = p.wait();
  return o;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// `advisor serve` until it says where it listens; returns that line.
std::string serve_until_listening(process& p) {
  for (int i = 0; i < 20; ++i) {
    auto line = p.read_line(std::chrono::seconds(30));
    if (!line) break;
    if (line->starts_with("listening on ")) return *line;
  }
  return {};
}

}  // namespace

TEST_SUITE("cli options") {
  TEST_CASE("global options work after the command too") {
    temp_dir dir;
    auto chat =
        run({"chat", "--json", "--data-dir", dir.file("chat-data")}, {}, "{\"type\":\"start\"}\n");
    CHECK(chat.code == 0);
    CHECK(contains(chat.out, "\"type\":\"session\""));
    CHECK(std::filesystem::exists(dir.file("chat-data/advisor.db")));

    auto search =
        run({"knowledge", "search", "event loop", "--data-dir", dir.file("kb-data"), "--json"});
    CHECK(search.code == 0);
    CHECK(std::filesystem::exists(dir.file("kb-data/advisor.db")));

    // --config after the command: its data_dir is used.
    std::string cfg =
        write_text(dir, "advisor.json", "{\"data_dir\": \"" + dir.file("from-config") + "\"}\n");
    auto configured = run({"knowledge", "search", "python", "--config", cfg});
    CHECK(configured.code == 0);
    CHECK(std::filesystem::exists(dir.file("from-config/advisor.db")));

    process serve({ADVISOR_BINARY, "serve", "--port", "0", "--data-dir", dir.file("serve-data")});
    CHECK(serve_until_listening(serve).starts_with("listening on http://127.0.0.1:"));
    CHECK(std::filesystem::exists(dir.file("serve-data/advisor.db")));
    serve.kill(SIGTERM);
    CHECK(serve.wait() == 0);
  }

  TEST_CASE("a usage error exits 2 and shows the usage of the command it concerns") {
    temp_dir dir;
    auto unknown = run({"chat", "--bogus", "--data-dir", dir.file("data")});
    CHECK(unknown.code == 2);
    CHECK(contains(unknown.err, "advisor: The following argument was not expected: --bogus"));
    CHECK(contains(unknown.err, "have the conversation in this terminal"));  // chat's usage
    CHECK(contains(unknown.err, "--record"));

    auto none = run({});
    CHECK(none.code == 2);
    CHECK(contains(none.err, "A subcommand is required"));
    CHECK(contains(none.err, "Usage:"));

    auto port = run({"serve", "--port", "99999"});
    CHECK(port.code == 2);
    CHECK(contains(port.err, "--port"));
    CHECK(contains(port.err, "--threads"));  // serve's usage

    auto missing = run({"knowledge", "search"});
    CHECK(missing.code == 2);
    CHECK(contains(missing.err, "text is required"));
    CHECK(contains(missing.err, "full-text search over the facts"));
  }

  TEST_CASE("an unknown command is named - with the nearest known one - and exits 2") {
    auto top = run({"sevre", "--port", "0"});
    CHECK(top.code == 2);
    CHECK(contains(top.err, "advisor: unknown command \"sevre\" (did you mean \"serve\"?)\n"));
    CHECK(contains(top.err, "Subcommands:"));

    auto nested = run({"db", "restore", "backup.db"});
    CHECK(nested.code == 2);
    CHECK(contains(nested.err, "advisor: unknown command \"restore\"\n"));
    CHECK(contains(nested.err, "database maintenance"));  // db's usage
    CHECK(contains(nested.err, "backup"));

    auto search = run({"knowledge", "serach", "python"});
    CHECK(search.code == 2);
    CHECK(contains(search.err, "unknown command \"serach\" (did you mean \"search\"?)"));
  }

  TEST_CASE("an unknown config key names the file - the line - the key and the nearest known key") {
    temp_dir dir;
    std::string cfg = write_text(dir, "advisor.json",
                                 "{\n  \"host\": \"127.0.0.1\",\n"
                                 "  \"prot\": 9000\n}\n");
    auto top = run({"serve", "--config", cfg, "--data-dir", dir.file("data")});
    CHECK(top.code == 2);
    CHECK(contains(top.err, cfg + ":3: unknown key \"prot\" (did you mean \"port\"?)"));
    CHECK_FALSE(contains(top.out, "listening"));

    std::string nested = write_text(
        dir, "nested.json", "{\n  \"slack\": {\n    \"webhok_url\": \"https://x\"\n  }\n}\n");
    auto in_slack = run({"knowledge", "search", "python", "--config", nested});
    CHECK(in_slack.code == 2);
    CHECK(contains(in_slack.err, nested + ":3: unknown key \"webhok_url\" in \"slack\" (did you "
                                          "mean \"webhook_url\"?)"));

    std::string far = write_text(dir, "far.json", "{\"completely_different\": 1}\n");
    auto no_match = run({"knowledge", "search", "python", "--config", far});
    CHECK(no_match.code == 2);
    CHECK(contains(no_match.err, far + ":1: unknown key \"completely_different\"\n"));

    // The shipped example has no unknown key.
    auto example =
        run({"knowledge", "search", "python", "--config",
             source_path("config/advisor.example.json"), "--data-dir", dir.file("data")});
    CHECK(example.code == 0);
  }

  TEST_CASE("ADVISOR_CONFIG - ADVISOR_HOST and ADVISOR_PORT are read - and a flag wins over them") {
    temp_dir dir;
    std::string cfg =
        write_text(dir, "advisor.json", "{\"data_dir\": \"" + dir.file("env-config") + "\"}\n");
    auto from_env = run({"knowledge", "search", "python"}, {"ADVISOR_CONFIG=" + cfg});
    CHECK(from_env.code == 0);
    CHECK(std::filesystem::exists(dir.file("env-config/advisor.db")));

    // 127.0.0.2 is loopback too; port 0 picks a free one (the default would be 8080).
    process serve({ADVISOR_BINARY, "serve", "--data-dir", dir.file("data")},
                  {"ADVISOR_HOST=127.0.0.2", "ADVISOR_PORT=0"});
    std::string line = serve_until_listening(serve);
    CHECK(std::regex_match(line, std::regex(R"(listening on http://127\.0\.0\.2:\d+)")));
    CHECK_FALSE(line.ends_with(":8080"));
    serve.kill(SIGTERM);
    CHECK(serve.wait() == 0);

    process flag({ADVISOR_BINARY, "serve", "--data-dir", dir.file("data"), "--host", "127.0.0.1"},
                 {"ADVISOR_HOST=127.0.0.2", "ADVISOR_PORT=0"});
    CHECK(serve_until_listening(flag).starts_with("listening on http://127.0.0.1:"));
    flag.kill(SIGTERM);
    CHECK(flag.wait() == 0);

    auto bad_port = run({"serve", "--data-dir", dir.file("data")}, {"ADVISOR_PORT=eighty"});
    CHECK(bad_port.code == 2);
    CHECK(contains(bad_port.err, "--port"));

    auto missing =
        run({"knowledge", "search", "python"}, {"ADVISOR_CONFIG=" + dir.file("no-such.json")});
    CHECK(missing.code != 0);
    CHECK(contains(missing.err, "no-such.json: cannot read the config file"));
  }

  TEST_CASE("a bad log level is an error - from the environment or the file") {
    temp_dir dir;
    auto env = run({"knowledge", "search", "python", "--data-dir", dir.file("data")},
                   {"ADVISOR_LOG_LEVEL=bogus"});
    CHECK(env.code == 2);
    CHECK(contains(env.err,
                   "ADVISOR_LOG_LEVEL: \"bogus\" is not a log level; use one of trace, "
                   "debug, info, warn, error, off"));
    std::string cfg = write_text(dir, "advisor.json", "{\n  \"log_level\": \"loud\"\n}\n");
    auto file = run({"knowledge", "search", "python", "--config", cfg});
    CHECK(file.code == 2);
    CHECK(contains(file.err, cfg + ":2: \"log_level\" must be one of"));

    // A good level still works, and is the one used: "listening" is an info line.
    for (const char* level : {"error", "info"}) {
      process serve({ADVISOR_BINARY, "serve", "--port", "0", "--data-dir", dir.file("data")},
                    {std::string("ADVISOR_LOG_LEVEL=") + level});
      CHECK(!serve_until_listening(serve).empty());
      serve.kill(SIGTERM);
      CHECK(serve.wait() == 0);
      std::string logs = serve.read_all_err(std::chrono::seconds(5));
      CHECK(contains(logs, "\"event\":\"listening\"") == (std::string(level) == "info"));
    }
  }

  TEST_CASE("every command's help lists the global options and the environment") {
    for (std::vector<std::string> args : {std::vector<std::string>{"--help"},
                                          {"chat", "--help"},
                                          {"serve", "--help"},
                                          {"knowledge", "search", "--help"},
                                          {"db", "backup", "--help"}}) {
      INFO(args.front());
      auto help = run(args);
      CHECK(help.code == 0);
      for (const char* part : {"--config FILE", "--data-dir DIR", "ADVISOR_CONFIG", "ADVISOR_HOST",
                               "ADVISOR_PORT", "ADVISOR_LOG_LEVEL", "ADVISOR_SLACK_SIGNING_SECRET",
                               "ADVISOR_DISCORD_PUBLIC_KEY", "2 usage or configuration error"})
        CHECK_MESSAGE(contains(help.out, part), part);
    }
    CHECK(contains(run({"chat", "--help"}).out, "--record"));
  }

  TEST_CASE("the terminal chat writes no JSON log line to the terminal - its logs go to a file") {
    temp_dir dir;
    // debug: every log line there is; an answer is committed, so the writer logs when it stops.
    auto chat =
        run({"chat", "--data-dir", dir.file("data")}, {"ADVISOR_LOG_LEVEL=debug"}, "1\nquit\n");
    CHECK(chat.code == 0);
    CHECK(contains(chat.out, "who is this decision for"));
    for (const auto& text : {chat.out, chat.err}) {
      std::istringstream lines(text);
      for (std::string line; std::getline(lines, line);) {
        INFO(line);
        CHECK_FALSE(line.starts_with("{"));
      }
    }
    std::ifstream log(dir.file("data/chat.log"));
    std::string logged((std::istreambuf_iterator<char>(log)), {});
    CHECK(contains(logged, "\"event\":\"writer_stopped\""));
    CHECK(std::regex_search(logged, std::regex(R"("turns":[0-9]+[,}])")));  // a number
  }
}
