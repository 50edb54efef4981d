// The `advisor` binary as an operator runs it: `advisor serve` with Discord configured from
// the environment, and `advisor discord register`, against a fake Discord API on loopback.
#include "process.hpp"

#include <doctest/doctest.h>

#include <regex>

#include "client.hpp"
#include "fake_chat_api.hpp"
#include "support.hpp"

using namespace advisor;
using nlohmann::json;
using test::discord_wire::app_id;
using test::discord_wire::bot_token;

namespace {

std::vector<std::string> discord_env(const test::signer& key, const std::string& api_url,
                                     const std::string& webhook = {}) {
  std::vector<std::string> env = {"ADVISOR_DISCORD_PUBLIC_KEY=" + key.public_hex(),
                                  std::string("ADVISOR_DISCORD_APP_ID=") + app_id,
                                  std::string("ADVISOR_DISCORD_BOT_TOKEN=") + bot_token,
                                  "ADVISOR_DISCORD_API_URL=" + api_url};
  if (!webhook.empty()) env.push_back("ADVISOR_DISCORD_WEBHOOK_URL=" + webhook);
  return env;
}

std::uint16_t listening_port(test::process& p) {
  for (int i = 0; i < 20; ++i) {
    auto line = p.read_line(std::chrono::seconds(20));
    if (!line) break;
    std::smatch m;
    if (std::regex_search(*line, m, std::regex(R"(listening on http://127\.0\.0\.1:(\d+))")))
      return static_cast<std::uint16_t>(std::stoi(m[1]));
  }
  FAIL("advisor serve did not say where it listens");
  return 0;
}

}  // namespace

TEST_SUITE("discord advisor binary") {
  TEST_CASE("advisor serve takes a whole Discord conversation and never logs a secret") {
    test::temp_dir dir;
    test::fake_discord api;
    test::fake_discord hook;
    test::interaction_client client;
    std::string webhook = hook.url() + "/api/webhooks/42/webhook-secret-part";
    test::process p({ADVISOR_BINARY, "--data-dir", dir.file("data"), "serve", "--port", "0"},
                    discord_env(client.key, api.url(), webhook));
    client.port = listening_port(p);

    CHECK(client
              .send({{"id", "1"},
                     {"application_id", app_id},
                     {"type", 1},
                     {"token", "t"},
                     {"version", 1}})
              .body == json{{"type", 1}});
    CHECK(client
              .post(R"({"type":1})", {{"X-Signature-Ed25519", std::string(128, 'a')},
                                      {"X-Signature-Timestamp", "1"}})
              .status == 401);

    json message = client.send(client.command()).body["data"];
    for (int i = 0; i < 25 && message["embeds"].empty(); ++i) {
      auto r = client.send(client.click(test::discord_wire::first_answer(message)));
      REQUIRE(r.body["type"] == 7);
      message = r.body["data"];
    }
    REQUIRE(message["embeds"].size() == 1);
    CHECK(message["embeds"][0]["title"].get<std::string>().starts_with("My recommendation: "));
    REQUIRE(hook.wait_for(1));
    CHECK(hook.calls()[0].json()["embeds"][0] == message["embeds"][0]);

    p.kill(SIGTERM);
    CHECK(p.wait() == 0);
    std::string logs = p.read_all_err(std::chrono::seconds(5));
    CHECK(logs.find("discord_enabled") != std::string::npos);
    CHECK(logs.find("discord_bad_signature") != std::string::npos);
    CHECK(logs.find(bot_token) == std::string::npos);
    CHECK(logs.find("webhook-secret-part") == std::string::npos);
    CHECK(logs.find("interaction-token-") == std::string::npos);
  }

  TEST_CASE("advisor discord register registers /advisor and says so") {
    test::temp_dir dir;
    test::fake_discord api;
    test::signer key;
    test::process p({ADVISOR_BINARY, "--data-dir", dir.file("data"), "discord", "register"},
                    discord_env(key, api.url()));
    std::string out = p.read_all();
    CHECK(p.wait() == 0);
    CHECK(out.find("Registered the /advisor command (id 1100000000000000001)") !=
          std::string::npos);
    REQUIRE(api.count() == 1);
    CHECK(api.calls()[0].target == std::string("/applications/") + app_id + "/commands");
    CHECK(api.calls()[0].header("authorization") == std::string("Bot ") + bot_token);
  }

  TEST_CASE("advisor discord register without a token says what to set") {
    test::temp_dir dir;
    test::fake_discord api;
    test::process p({ADVISOR_BINARY, "--data-dir", dir.file("data"), "discord", "register"},
                    {std::string("ADVISOR_DISCORD_APP_ID=") + app_id,
                     "ADVISOR_DISCORD_API_URL=" + api.url(), "ADVISOR_DISCORD_BOT_TOKEN="});
    std::string out = p.read_all();
    CHECK(p.wait() == 2);
    CHECK(out.find("ADVISOR_DISCORD_BOT_TOKEN") != std::string::npos);
    CHECK(api.count() == 0);
  }

  TEST_CASE("a malformed public key stops advisor serve with a clear message") {
    test::temp_dir dir;
    test::process p({ADVISOR_BINARY, "--data-dir", dir.file("data"), "serve", "--port", "0"},
                    {"ADVISOR_DISCORD_PUBLIC_KEY=not-a-key"});
    std::string err = p.read_all_err();
    CHECK(p.wait() != 0);
    CHECK(err.find("ADVISOR_DISCORD_PUBLIC_KEY") != std::string::npos);
    CHECK(err.find("64 hex digits") != std::string::npos);
  }
}
