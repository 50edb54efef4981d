// POST /discord/interactions on the real server (web::server in process, 127.0.0.1, port 0)
// over a real bot::service and SQLite data directory. Requests are signed with libsodium;
// follow-ups, the webhook and command registration land in a fake Discord API.
#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <set>
#include <sstream>
#include <thread>

#include "adapters/discord/discord.hpp"
#include "adapters/web/server.hpp"
#include "bot/infra/metrics.hpp"
#include "client.hpp"
#include "discord_limits_check.hpp"
#include "fake_chat_api.hpp"
#include "live_markup.hpp"
#include "signer.hpp"
#include "support.hpp"

using nlohmann::json;
using namespace advisor;
using namespace std::chrono_literals;

namespace {

using test::discord_wire::app_id;
using test::discord_wire::bot_token;
using test::discord_wire::button_for;
using test::discord_wire::custom_ids;
using test::discord_wire::first_answer;
using test::discord_wire::reply;
using test::discord_wire::unix_now;

// The advisor's server with Discord configured, and a fake Discord API for its outbound calls.
struct discord_server : test::interaction_client {
  test::temp_dir dir;
  test::fake_discord api;
  bot::config cfg;
  std::unique_ptr<bot::app> app;
  std::unique_ptr<adapters::worker_pool> pool;
  std::unique_ptr<discord::adapter> adapter;
  std::unique_ptr<web::server> srv;
  std::thread thread;

  explicit discord_server(discord::adapter_options opts = {},
                          std::function<void(bot::config&)> tweak = {}) {
    cfg = test::test_config(dir.str());
    cfg.port = 0;
    cfg.discord.public_key = key.public_hex();
    cfg.discord.app_id = app_id;
    cfg.discord.bot_token = bot_token;
    cfg.discord.api_url = api.url();
    if (tweak) tweak(cfg);
    app = bot::open_app(cfg);
    pool = std::make_unique<adapters::worker_pool>(2);
    opts.retry.first_backoff = 50ms;
    adapter = std::make_unique<discord::adapter>(cfg.discord, *app->service, *pool, opts);
    srv = std::make_unique<web::server>(app->cfg, *app->service,
                                        [this] { return app->sessions->writable(); });
    adapter->register_routes(srv->routes());
    port = srv->listen();
    thread = std::thread([this] { srv->run(); });
  }
  ~discord_server() {
    srv->stop();
    thread.join();
    adapter.reset();  // waits for its follow-ups
    pool.reset();
  }

  std::optional<bot::turn> current(const std::string& k = "G1/C1/U1") {
    return app->service->current({"discord", k});
  }
};

void check_stale(const reply& r) {
  REQUIRE(r.status == 200);
  CHECK(r.body["type"] == 4);
  CHECK(r.body["data"]["flags"] == 64);
  CHECK(r.body["data"]["content"].get<std::string>().find("out of date") != std::string::npos);
}

// Clicks the first answer until the recommendation arrives; returns that response's data.
json click_to_recommendation(discord_server& s, json message) {
  for (int i = 0; i < 25; ++i) {
    if (!message["embeds"].empty()) return message;
    reply r = s.send(s.click(first_answer(message)));
    REQUIRE(r.status == 200);
    REQUIRE(r.body["type"] == 7);
    message = r.body["data"];
    test::check_message_limits(message);
  }
  FAIL("no recommendation after 25 clicks");
  return {};
}

}  // namespace

TEST_SUITE("discord endpoint") {
  TEST_CASE("PING is answered with PONG") {
    discord_server s;
    reply r = s.send(
        {{"id", "1"}, {"application_id", app_id}, {"type", 1}, {"token", "t"}, {"version", 1}});
    CHECK(r.status == 200);
    CHECK(r.body == json{{"type", 1}});
  }

  TEST_CASE("missing or malformed or wrong-key or tampered signatures get 401 and change nothing") {
    discord_server s;
    json cmd = s.command("we are a startup");
    std::string body = cmd.dump();
    std::string ts = std::to_string(unix_now());
    std::string good = s.key.sign(ts + body);

    CHECK(s.post(body, {}).status == 401);
    CHECK(s.post(body, {{"X-Signature-Timestamp", ts}}).status == 401);
    CHECK(s.post(body, {{"X-Signature-Ed25519", good}}).status == 401);
    CHECK(s.post(body, {{"X-Signature-Ed25519", "nothex"}, {"X-Signature-Timestamp", ts}}).status ==
          401);
    CHECK(s.post(body, {{"X-Signature-Ed25519", good.substr(2)}, {"X-Signature-Timestamp", ts}})
              .status == 401);
    CHECK(s.post(body,
                 {{"X-Signature-Ed25519", std::string(128, '0')}, {"X-Signature-Timestamp", ts}})
              .status == 401);
    // Signed by someone else's key.
    test::signer other = test::signer::random();
    CHECK(s.post(body,
                 {{"X-Signature-Ed25519", other.sign(ts + body)}, {"X-Signature-Timestamp", ts}})
              .status == 401);
    // A tampered body, and a tampered timestamp, under a signature that was good.
    std::string tampered = body;
    tampered.replace(tampered.find("startup"), 7, "company");
    CHECK(s.post(tampered, {{"X-Signature-Ed25519", good}, {"X-Signature-Timestamp", ts}}).status ==
          401);
    CHECK(s.post(body, {{"X-Signature-Ed25519", good},
                        {"X-Signature-Timestamp", std::to_string(unix_now() + 1)}})
              .status == 401);
    // Even a PING needs a good signature.
    CHECK(s.post(R"({"type":1})", {{"X-Signature-Ed25519", good}, {"X-Signature-Timestamp", ts}})
              .status == 401);

    reply refused =
        s.post(tampered, {{"X-Signature-Ed25519", good}, {"X-Signature-Timestamp", ts}});
    CHECK(refused.body["error"] == "invalid_signature");
    CHECK_FALSE(s.current());  // no conversation was started
    CHECK(s.api.count() == 0);
  }

  TEST_CASE("a timestamp far from now and an exact replay get 401") {
    discord_server s;
    CHECK(s.send(s.command(), unix_now() - 3600).status == 401);
    CHECK(s.send(s.command(), unix_now() + 3600).status == 401);
    // Inside the window but signed before the server started: it may have been served before
    // a restart, so it is refused too.
    CHECK(s.send(s.command(), unix_now() - 120).status == 401);
    CHECK_FALSE(s.current());

    json cmd = s.command();
    std::string body = cmd.dump();
    std::string ts = std::to_string(unix_now());
    std::vector<std::pair<std::string, std::string>> headers = {
        {"X-Signature-Ed25519", s.key.sign(ts + body)}, {"X-Signature-Timestamp", ts}};
    reply first = s.post(body, headers);
    CHECK(first.status == 200);
    auto seq = s.current()->seq;
    reply again = s.post(body, headers);
    CHECK(again.status == 401);
    CHECK(s.current()->seq == seq);
  }

  TEST_CASE(
      "a replay of an early request after more requests than the old memory held (20000) is "
      "still refused") {
    discord_server s;
    std::string body = s.command().dump();
    std::string ts = std::to_string(unix_now());
    std::vector<std::pair<std::string, std::string>> headers = {
        {"X-Signature-Ed25519", s.key.sign(ts + body)}, {"X-Signature-Timestamp", ts}};
    REQUIRE(s.post(body, headers).status == 200);
    auto seq = s.current()->seq;
    // 20,000 more signed requests, straight to the handler (PINGs: no turn).
    for (int i = 0; i < 20000; ++i) {
      adapters::http_request req;
      req.method = "POST";
      req.path = "/discord/interactions";
      req.body = json({{"id", std::to_string(i)}, {"application_id", app_id}, {"type", 1}}).dump();
      std::string now = std::to_string(unix_now());
      req.headers = {{"x-signature-ed25519", s.key.sign(now + req.body)},
                     {"x-signature-timestamp", now}};
      REQUIRE(s.adapter->handle(req).status == 200);
    }
    reply again = s.post(body, headers);
    CHECK(again.status == 401);
    CHECK(s.current()->seq == seq);
  }

  TEST_CASE("with the replay memory full - a signed request gets 503 busy with Retry-After") {
    auto skew = std::make_shared<std::atomic<std::int64_t>>(0);
    discord::adapter_options opts;
    opts.replay_capacity = 1;
    opts.clock = [skew] { return unix_now() + skew->load(); };
    discord_server s(opts);
    reply started = s.send(s.command());
    REQUIRE(started.status == 200);
    auto seq = s.current()->seq;
    auto calls = s.api.count();
    json click = s.click(first_answer(started.body["data"]));

    reply refused = s.send(click);
    CHECK(refused.status == 503);
    REQUIRE_FALSE(refused.retry_after.empty());
    std::string message = "Too many signed requests to check for replays right now. Try again in " +
                          refused.retry_after + " seconds.";
    CHECK(refused.body == json({{"error", "busy"}, {"message", message}}));
    int wait = std::stoi(refused.retry_after);
    CHECK(wait >= 1);
    CHECK(wait <= 301);
    CHECK(s.current()->seq == seq);  // the answer was not taken
    CHECK(s.api.count() == calls);   // and nothing was sent

    // Once the command's timestamp has left the window, there is room again.
    *skew = wait;
    reply served = s.send(click, unix_now() + wait);
    CHECK(served.status == 200);
    CHECK(s.current()->seq == seq + 1);
  }

  TEST_CASE("/advisor asks the first question with buttons exactly as Discord expects") {
    discord_server s;
    auto timed = adapters::metrics::global().turns_observed("discord");
    reply r = s.send(s.command());
    REQUIRE(r.status == 200);
    // The turn counts in the discord latency histogram (and in no other channel's).
    CHECK(adapters::metrics::global().turns_observed("discord") == timed + 1);
    CHECK(r.body["type"] == 4);
    auto t = s.current();
    REQUIRE(t);
    REQUIRE(t->out.options.size() <= 5);
    std::string prefix =
        "adv:" + t->conversation.substr(t->conversation.size() - 8) + ":" + t->out.question + ":";
    json buttons = json::array();
    for (const auto& o : t->out.options)
      buttons.push_back({{"type", 2},
                         {"style", o.id == "not_sure" ? 2 : 1},
                         {"label", o.label},
                         {"custom_id", prefix + o.id}});
    json expected_components =
        json::array({{{"type", 1}, {"components", buttons}},
                     {{"type", 1},
                      {"components", json::array({{{"type", 2},
                                                   {"style", 2},
                                                   {"label", "Why this question?"},
                                                   {"custom_id", prefix + "!why"}}})}}});
    // The greeting, then the question, then the progress.
    std::string content = r.body["data"]["content"];
    CHECK(content.starts_with("Hi! I'm the stack advisor."));
    CHECK(content.ends_with(t->out.text + "\n\n_Question 1 of about " +
                            std::to_string(t->out.progress.total) + "_"));
    json expected = {{"content", content},
                     {"embeds", json::array()},
                     {"components", expected_components},
                     {"allowed_mentions", {{"parse", json::array()}}}};
    CHECK(r.body["data"] == expected);
    CHECK(r.body["data"]["content"].get<std::string>().find("who is this decision for?") !=
          std::string::npos);
    test::check_message_limits(r.body["data"]);
  }

  TEST_CASE(
      "a button click updates the message with the next question and the old button is then "
      "stale") {
    discord_server s;
    json first = s.send(s.command()).body["data"];
    auto before = s.current();
    std::string startup = button_for(first, ":startup");

    reply r = s.send(s.click(startup));
    REQUIRE(r.status == 200);
    CHECK(r.body["type"] == 7);
    auto after = s.current();
    CHECK(after->out.question != before->out.question);
    std::string content = r.body["data"]["content"];
    CHECK(content.starts_with("You answered: **A startup or new product team**\n\n" +
                              after->out.text));
    auto ids = custom_ids(r.body["data"]);
    CHECK(ids.size() == after->out.options.size() + 2);  // and Why? and Back
    CHECK(ids.back().ends_with(":!back"));

    // The same button again, and a button of the first question: out of date, nothing changes.
    check_stale(s.send(s.click(startup)));
    check_stale(s.send(s.click(button_for(first, ":enterprise"))));
    CHECK(s.current()->seq == after->seq);
    CHECK(s.current()->out.question == after->out.question);

    // Back undoes the answer and shows the first question again.
    reply back = s.send(s.click(ids.back()));
    CHECK(back.body["type"] == 7);
    CHECK(s.current()->out.question == before->out.question);
    // Why? explains the question to the clicker alone and changes nothing.
    auto seq = s.current()->seq;
    reply why = s.send(s.click(button_for(back.body["data"], ":!why")));
    CHECK(why.body["type"] == 4);
    CHECK(why.body["data"]["flags"] == 64);
    CHECK(why.body["data"]["content"].get<std::string>().find("Why I ask") != std::string::npos);
    CHECK(s.current()->seq == seq);
  }

  TEST_CASE(
      "a button of a question already answered changes nothing and gets the current question "
      "back to the clicker alone - as the web channel answers it") {
    discord_server s;
    json first = s.send(s.command()).body["data"];
    std::string startup = button_for(first, ":startup");
    reply answered = s.send(s.click(startup));
    REQUIRE(answered.body["type"] == 7);
    auto now = s.current();
    REQUIRE(now);

    reply again = s.send(s.click(startup));
    check_stale(again);
    test::check_message_limits(again.body["data"]);
    std::string content = again.body["data"]["content"];
    CHECK(content.starts_with("That button is out of date: its question was already answered"));
    CHECK(content.find("\n\n" + now->out.text) != std::string::npos);
    // The question the conversation is on, with the buttons of the message that asked it.
    CHECK(custom_ids(again.body["data"]) == custom_ids(answered.body["data"]));
    // Nothing changed.
    CHECK(s.current()->conversation == now->conversation);
    CHECK(s.current()->seq == now->seq);
    CHECK(s.current()->out.question == now->out.question);
    // The question asked again answers like the original.
    reply next = s.send(s.click(first_answer(again.body["data"])));
    CHECK(next.body["type"] == 7);
    CHECK(s.current()->seq > now->seq);
  }

  TEST_CASE(
      "a whole conversation from /advisor to the recommendation embed through button clicks") {
    discord_server s;
    reply start = s.send(s.command());
    json card = click_to_recommendation(s, start.body["data"]);
    auto t = s.current();
    REQUIRE(t);
    REQUIRE(t->out.finished);
    REQUIRE(t->out.recommendation);
    const auto& rec = *t->out.recommendation;

    CHECK(card["content"] == "");
    REQUIRE(card["embeds"].size() == 1);
    const json& e = card["embeds"][0];
    test::check_embed_limits(e);
    CHECK(e["title"] == "My recommendation: " + rec.choice_label);
    std::vector<std::string> names;
    for (const auto& f : e["fields"]) names.push_back(f["name"]);
    REQUIRE(names.size() >= 4);
    CHECK(names[0] == "Confidence");
    CHECK(e["fields"][0]["value"].get<std::string>().starts_with(
        std::to_string(static_cast<int>(std::lround(rec.confidence * 100))) + "%"));
    CHECK(names[1] == "Scores");
    CHECK(e["fields"][1]["value"].get<std::string>().find("Python") != std::string::npos);
    CHECK(e["fields"][1]["value"].get<std::string>().find("Node.js") != std::string::npos);
    CHECK(names[2] == "Why");
    CHECK(e["fields"][2]["value"].get<std::string>().find(" _Source") != std::string::npos);
    CHECK(std::find(names.begin(), names.end(), "Next steps") != names.end());
    if (!rec.contested.empty())
      CHECK(std::find(names.begin(), names.end(), "Where the sources disagree") != names.end());

    std::string prefix = "adv:" + t->conversation.substr(t->conversation.size() - 8) + "::";
    json expected_buttons = json::array(
        {{{"type", 2}, {"style", 1}, {"label", "Why this choice?"}, {"custom_id", prefix + "why"}},
         {{"type", 2},
          {"style", 2},
          {"label", "Decision record"},
          {"custom_id", prefix + "summary"}},
         {{"type", 2}, {"style", 2}, {"label", "Start over"}, {"custom_id", prefix + "restart"}}});
    CHECK(card["components"] == json::array({{{"type", 1}, {"components", expected_buttons}}}));

    // Why? and the decision record come as new messages; the card stays.
    reply why = s.send(s.click(prefix + "why"));
    CHECK(why.body["type"] == 4);
    CHECK_FALSE(why.body["data"].contains("flags"));
    test::check_message_limits(why.body["data"]);
    std::string why_text = why.body["data"]["content"].get<std::string>();
    for (const auto& embed : why.body["data"]["embeds"])
      why_text += embed["description"].get<std::string>();
    CHECK(why_text.find(rec.choice_label) != std::string::npos);
    // The decision record comes as a Markdown file.
    reply record = s.send(s.click(prefix + "summary"));
    CHECK(record.body["type"] == 4);
    test::check_message_limits(record.body["data"]);
    CHECK(record.body["data"]["content"].get<std::string>().starts_with(
        "Here's your decision record"));
    CHECK(record.body["data"]["attachments"] ==
          json::array({{{"id", 0}, {"filename", "decision-record.md"}}}));
    CHECK(record.file_name == "decision-record.md");
    CHECK(record.file == *s.app->service->decision_record({"discord", "G1/C1/U1"}));
    CHECK(record.file.starts_with("# Decision record"));

    // Start over: a new conversation, and the old card's buttons are out of date.
    reply again = s.send(s.click(prefix + "restart"));
    CHECK(again.body["type"] == 4);
    auto fresh = s.current();
    CHECK(fresh->conversation != t->conversation);
    CHECK(fresh->out.progress.step == 1);
    CHECK(custom_ids(again.body["data"])
              .front()
              .starts_with("adv:" + fresh->conversation.substr(fresh->conversation.size() - 8) +
                           ":"));
    check_stale(s.send(s.click(prefix + "why")));
    CHECK(s.current()->seq == fresh->seq);
  }

  TEST_CASE(
      "the same channel and user ids in two guilds are two conversations - a click from the other "
      "guild moves neither") {
    discord_server s;
    json g1 = s.send(s.command({}, "U1", "G1", "C1")).body["data"];
    s.send(s.command({}, "U1", "G2", "C1"));
    auto a = s.current("G1/C1/U1");
    auto b = s.current("G2/C1/U1");
    REQUIRE((a && b));
    CHECK(a->conversation != b->conversation);
    // G2's user moves on; G1's conversation stays where it was.
    reply moved = s.send(s.click(button_for(g1, ":startup"), "U1", "U1", "G2", "C1"));
    CHECK(moved.status == 200);
    CHECK(s.current("G1/C1/U1")->seq == a->seq);
    // G1's button pressed in G2 acts, at most, on G2's own conversation, never on G1's.
    s.send(s.click(button_for(g1, ":enterprise"), "U1", "U1", "G2", "C1"));
    CHECK(s.current("G1/C1/U1")->seq == a->seq);
    CHECK(s.current("G1/C1/U1")->out.question == a->out.question);
  }

  TEST_CASE("sessions are per guild and channel and user and another user's buttons are refused") {
    discord_server s;
    json mine = s.send(s.command()).body["data"];
    s.send(s.command({}, "U1", "G1", "C2"));
    s.send(s.command({}, "U2", "G1", "C1"));
    s.send(s.command({}, "U1", "", "D1"));  // a direct message
    auto a = s.current("G1/C1/U1");
    auto b = s.current("G1/C2/U1");
    auto c = s.current("G1/C1/U2");
    auto d = s.current("dm/D1/U1");
    REQUIRE((a && b && c && d));
    std::set<std::string> ids = {a->conversation, b->conversation, c->conversation,
                                 d->conversation};
    CHECK(ids.size() == 4);

    // U2 clicks U1's button: a polite refusal, and neither conversation moves.
    reply r = s.send(s.click(button_for(mine, ":startup"), "U2", "U1"));
    CHECK(r.body["type"] == 4);
    CHECK(r.body["data"]["flags"] == 64);
    CHECK(r.body["data"]["content"].get<std::string>().find("someone else") != std::string::npos);
    CHECK(s.current("G1/C1/U1")->seq == a->seq);
    CHECK(s.current("G1/C1/U2")->seq == c->seq);
  }

  TEST_CASE(
      "/advisor text starts with an opening sentence or answers mid-conversation and /advisor "
      "alone resumes") {
    discord_server s;
    reply r = s.send(s.command("We're a startup building an ML product"));
    CHECK(r.body["type"] == 4);
    auto t = s.current();
    REQUIRE(t);
    CHECK(t->out.progress.step > 1);  // the sentence answered something

    reply resumed = s.send(s.command());
    CHECK(resumed.body["data"]["content"].get<std::string>().starts_with(
        "Picking up where you left off."));
    CHECK(s.current()->conversation == t->conversation);
    CHECK(s.current()->seq == t->seq);

    reply restarted = s.send(s.command("restart"));
    CHECK(restarted.body["type"] == 4);
    CHECK(s.current()->out.progress.step == 1);
  }

  TEST_CASE(
      "unknown commands and foreign buttons and other interaction types are answered without a "
      "turn") {
    discord_server s;
    json other = s.command();
    other["data"]["name"] = "weather";
    reply r = s.send(other);
    CHECK(r.body["type"] == 4);
    CHECK(r.body["data"]["flags"] == 64);
    CHECK_FALSE(s.current());
    r = s.send(s.click("someone-elses-bot:1"));
    CHECK(r.body["data"]["flags"] == 64);
    json autocomplete = s.command();
    autocomplete["type"] = 4;
    CHECK(s.send(autocomplete).status == 400);
    json wrong_app = s.command();
    wrong_app["application_id"] = "999";
    CHECK(s.send(wrong_app).status == 400);
    CHECK_FALSE(s.current());
  }

  TEST_CASE("hostile text comes back inert: no masked link - mention or spoiler of the user's") {
    const std::string hostile =
        "[click me](https://evil.example/x) @everyone @here <@123456789012345678> <@&42> <#77> "
        "||spoiler|| `code` **bold** <https://evil.example>";
    auto check_posted = [](const json& data) {
      CAPTURE(data.dump());
      CHECK(data["allowed_mentions"] == json{{"parse", json::array()}});
      std::string content = data.value("content", "");
      CHECK(test::discord_live(content).empty());
      CHECK(content.find("Sorry, I couldn't match") != std::string::npos);
      test::check_message_limits(data);
    };
    SUBCASE("answered inline") {
      discord_server s;
      REQUIRE(s.send(s.command()).status == 200);
      reply r = s.send(s.command(hostile));
      REQUIRE(r.status == 200);
      check_posted(r.body["data"]);
    }
    SUBCASE("deferred, through the follow-up Discord receives") {
      discord::adapter_options opts;
      opts.inline_budget = 0ms;
      discord_server s(opts);
      s.send(s.command());
      REQUIRE(s.api.wait_for(1));
      CHECK(s.send(s.command(hostile)).body == json{{"type", 5}});
      REQUIRE(s.api.wait_for(2));
      check_posted(s.api.calls()[1].json());
    }
  }

  TEST_CASE("a zero budget defers with type 5 then PATCHes @original and clicks get type 6") {
    discord::adapter_options opts;
    opts.inline_budget = 0ms;
    discord_server s(opts);
    json cmd = s.command();
    reply r = s.send(cmd);
    CHECK(r.status == 200);
    CHECK(r.body == json{{"type", 5}});
    REQUIRE(s.api.wait_for(1));
    auto call = s.api.calls()[0];
    CHECK(call.method == "PATCH");
    CHECK(call.target == "/webhooks/" + std::string(app_id) + "/" +
                             cmd["token"].get<std::string>() + "/messages/@original");
    CHECK(call.header("authorization").empty());  // the interaction token is the credential
    json question = call.json();
    test::check_message_limits(question);
    auto t = s.current();
    CHECK(question["content"].get<std::string>().find(t->out.text) != std::string::npos);
    CHECK(custom_ids(question).size() == t->out.options.size() + 1);

    json click = s.click(first_answer(question));
    r = s.send(click);
    CHECK(r.body == json{{"type", 6}});
    REQUIRE(s.api.wait_for(2));
    call = s.api.calls()[1];
    CHECK(call.method == "PATCH");
    CHECK(call.target == "/webhooks/" + std::string(app_id) + "/" +
                             click["token"].get<std::string>() + "/messages/@original");
    CHECK(call.json()["content"].get<std::string>().find(s.current()->out.text) !=
          std::string::npos);

    // A stale click, deferred, is told by an ephemeral follow-up.
    json stale = s.click(first_answer(question));
    CHECK(s.send(stale).body == json{{"type", 6}});
    REQUIRE(s.api.wait_for(3));
    call = s.api.calls()[2];
    CHECK(call.method == "POST");
    CHECK(call.target ==
          "/webhooks/" + std::string(app_id) + "/" + stale["token"].get<std::string>());
    CHECK(call.json()["flags"] == 64);
    CHECK(call.json()["content"].get<std::string>().find("out of date") != std::string::npos);
  }

  TEST_CASE("a turn stuck behind a slow one is deferred and then delivered") {
    discord::adapter_options opts;
    opts.inline_budget = 200ms;
    discord_server s(opts);
    json first = s.send(s.command()).body["data"];
    // Hold this user's queue on the adapter's worker pool, as a slow turn would.
    std::promise<void> release;
    auto released = release.get_future().share();
    s.pool->post("discord:G1/C1/U1", [released] { released.wait(); });
    json click = s.click(first_answer(first));
    reply r = s.send(click);
    CHECK(r.body == json{{"type", 6}});
    CHECK(s.api.count() == 0);
    release.set_value();
    REQUIRE(s.api.wait_for(1));
    auto call = s.api.calls()[0];
    CHECK(call.method == "PATCH");
    CHECK(call.target.ends_with(click["token"].get<std::string>() + "/messages/@original"));
    CHECK(call.json()["content"].get<std::string>().starts_with("You answered: "));
  }

  TEST_CASE("follow-ups honour 429: the Retry-After header and retry_after in the JSON body") {
    discord::adapter_options opts;
    opts.inline_budget = 0ms;
    opts.retry.max_attempts = 2;
    discord_server s(opts);

    // The header: the shared client waits it out.
    s.api.respond_next(
        {429,
         R"({"message":"You are being rate limited.","retry_after":1.0,"global":false})",
         {{"Retry-After", "1"}}});
    s.send(s.command());
    REQUIRE(s.api.wait_for(2));
    auto calls = s.api.calls();
    CHECK(calls[1].at - calls[0].at >= 900ms);
    CHECK(calls[1].body == calls[0].body);

    // Only the JSON body: the client's own retries run out, the adapter waits retry_after.
    s.api.respond_next(
        {429, R"({"message":"You are being rate limited.","retry_after":0.6,"global":false})", {}},
        2);
    json click = s.click(first_answer(calls[0].json()));
    s.send(click);
    REQUIRE(s.api.wait_for(5));
    calls = s.api.calls();
    CHECK(calls[4].at - calls[3].at >= 550ms);
    CHECK(calls[4].target == calls[2].target);
  }

  TEST_CASE("the optional webhook gets the final recommendation as an embed") {
    test::fake_discord hook;
    discord_server s({}, [&](bot::config& c) {
      c.discord.webhook_url = hook.url() + "/api/webhooks/42/secret";
    });
    json card = click_to_recommendation(s, s.send(s.command()).body["data"]);
    REQUIRE(hook.wait_for(1));
    auto call = hook.calls()[0];
    CHECK(call.method == "POST");
    CHECK(call.target == "/api/webhooks/42/secret");
    json body = call.json();
    CHECK(body["content"] == "A recommendation for <@U1>:");
    CHECK(body["allowed_mentions"] == json{{"parse", json::array()}});
    REQUIRE(body["embeds"].size() == 1);
    CHECK(body["embeds"][0] == card["embeds"][0]);
    CHECK(s.api.count() == 0);
  }
}

TEST_SUITE("discord register") {
  TEST_CASE("registers the global /advisor command with the bot token") {
    test::fake_discord api;
    bot::discord_config cfg;
    cfg.app_id = app_id;
    cfg.bot_token = bot_token;
    cfg.api_url = api.url() + "/";
    std::ostringstream out;
    CHECK(discord::register_command(cfg, out) == 0);
    CHECK(out.str() == "Registered the /advisor command (id 1100000000000000001) for application " +
                           std::string(app_id) + ". It may take a minute to show up in Discord.\n");
    REQUIRE(api.count() == 1);
    auto call = api.calls()[0];
    CHECK(call.method == "POST");
    CHECK(call.target == "/applications/" + std::string(app_id) + "/commands");
    CHECK(call.header("authorization") == "Bot " + std::string(bot_token));
    CHECK(call.header("content-type").starts_with("application/json"));
    json expected = {
        {"name", "advisor"},
        {"type", 1},
        // Guild and user installs; servers, DMs with the bot and group DMs.
        {"integration_types", {0, 1}},
        {"contexts", {0, 1, 2}},
        {"description",
         "Python or Node.js for your backend? Answer a few questions and get a recommendation."},
        {"options",
         json::array({{{"type", 3},
                       {"name", "text"},
                       {"description",
                        "Start with a sentence about your project, or answer the current question"},
                       {"required", false},
                       {"max_length", 1000}}})}};
    CHECK(call.json() == expected);
  }

  TEST_CASE("a missing app id or token is a clear error and nothing is sent") {
    test::fake_discord api;
    bot::discord_config cfg;
    cfg.api_url = api.url();
    cfg.app_id = app_id;
    std::ostringstream out;
    CHECK(discord::register_command(cfg, out) == 2);
    CHECK(out.str().find("ADVISOR_DISCORD_BOT_TOKEN") != std::string::npos);
    cfg.app_id.clear();
    cfg.bot_token = bot_token;
    std::ostringstream out2;
    CHECK(discord::register_command(cfg, out2) == 2);
    CHECK(out2.str().find("ADVISOR_DISCORD_APP_ID") != std::string::npos);
    CHECK(api.count() == 0);
  }

  TEST_CASE("a refused token is reported without echoing it and a 429 is waited out") {
    test::fake_discord api;
    bot::discord_config cfg;
    cfg.app_id = app_id;
    cfg.bot_token = bot_token;
    cfg.api_url = api.url();
    api.respond_next({401, R"({"message": "401: Unauthorized", "code": 0})", {}});
    std::ostringstream out;
    CHECK(discord::register_command(cfg, out) == 1);
    CHECK(out.str() ==
          "Discord refused the bot token (HTTP 401): check ADVISOR_DISCORD_BOT_TOKEN.\n");
    CHECK(out.str().find(bot_token) == std::string::npos);

    api.respond_next(
        {429,
         R"({"message":"You are being rate limited.","retry_after":0.3,"global":false})",
         {{"Retry-After", "1"}}});
    std::ostringstream out2;
    CHECK(discord::register_command(cfg, out2) == 0);
    CHECK(api.count() == 3);

    api.respond_next({400, R"({"message": "Invalid Form Body", "code": 50035})", {}});
    std::ostringstream out3;
    CHECK(discord::register_command(cfg, out3) == 1);
    CHECK(out3.str() == "Could not register the /advisor command: HTTP 400: Invalid Form Body.\n");
  }
}
