// The channel contract's pure parts: the terminal's parse (a typed line to an action) and render
// (a turn to text), the web's (a client frame to a key and an action, a result to frames), and
// an action's service request. No service, no socket.
#include "adapters/common/channel.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "adapters/common/protocol.hpp"
#include "adapters/terminal/terminal.hpp"
#include "dialogue/presentation.hpp"

using namespace advisor;

namespace {

bot::turn asking() {
  bot::turn t;
  t.conversation = "c1";
  t.out.text = "How big is the **team**?";
  t.out.question = "team_size";
  t.out.options = {{"small", "Small (1-5)", dialogue::option_role::answer, {}},
                   {"large", "Large (6+)", dialogue::option_role::answer, {}}};
  t.out.progress = {2, 7};
  return t;
}

}  // namespace

TEST_CASE("terminal parse: a bare number picks that option and other words are said") {
  bot::turn now = asking();
  auto two = terminal::parse_line("2", now);
  REQUIRE(two);
  CHECK(two->type == adapters::action::kind::option);
  CHECK(two->option == "large");
  auto words = terminal::parse_line("we are five people", now);
  REQUIRE(words);
  CHECK(words->type == adapters::action::kind::text);
  CHECK(words->text == "we are five people");
  // A number with no option of that number is words like any other.
  auto nine = terminal::parse_line("9", now);
  REQUIRE(nine);
  CHECK(nine->type == adapters::action::kind::text);
  CHECK_FALSE(terminal::parse_line("   ", now));
  CHECK_FALSE(terminal::parse_line("Quit", now));
  CHECK(terminal::is_quit("bye"));
  CHECK_FALSE(terminal::is_quit("by the way"));
}

TEST_CASE("terminal parse: a typed number carries the question and conversation on screen") {
  bot::turn now = asking();
  auto two = terminal::parse_line("2", now);
  REQUIRE(two);
  CHECK(two->expected_question == "team_size");
  CHECK(two->expected_conversation == "c1");
  // So the service judges it as it judges a button (its stale check).
  auto r = adapters::to_request(*two);
  CHECK(r.type == bot::request::kind::choose);
  CHECK(r.option == "large");
  CHECK(r.expected_question == "team_size");
  CHECK(r.expected_conversation == "c1");
  // Typed words are no button: never refused as stale.
  auto words = terminal::parse_line("large", now);
  REQUIRE(words);
  CHECK(adapters::to_request(*words).expected_question.empty());
}

TEST_CASE("terminal render: a number refused as out of date says so before the current question") {
  bot::turn now = asking();
  now.out.notice = dialogue::notice::stale;
  CHECK(
      terminal::render_turn(now, false) ==
      "\n" +
          dialogue::present(dialogue::part::stale{.typed = true, .then_now = true, .resume = ""}) +
          "\n\nHow big is the team?\n(step 2 of about 7)\n  1) Small (1-5)\n  2) Large (6+)\n");
  CHECK(terminal::render_turn(now, false).starts_with("\nThat number is out of date: "));
}

TEST_CASE("terminal render: text then step and numbered options - bold only in colour") {
  bot::turn now = asking();
  CHECK(terminal::render_turn(now, false) ==
        "\nHow big is the team?\n(step 2 of about 7)\n  1) Small (1-5)\n  2) Large (6+)\n");
  std::string coloured = terminal::render_turn(now, true);
  CHECK(coloured.find("\033[1mteam\033[0m") != std::string::npos);
  CHECK(coloured.find("\033[2m(step 2 of about 7)\033[0m") != std::string::npos);
  // Finished: no step line.
  now.out.finished = true;
  CHECK(terminal::render_turn(now, false).find("step") == std::string::npos);
}

TEST_CASE("an action becomes the service request of its kind") {
  auto open = adapters::to_request(adapters::action::open("startup"));
  CHECK(open.type == bot::request::kind::open);
  CHECK(open.text == "startup");
  auto fresh = adapters::to_request(adapters::action::open("", true));
  CHECK(fresh.type == bot::request::kind::start);
  CHECK(fresh.fresh);
  auto chose = adapters::to_request(adapters::action::chose("small", "team_size"));
  CHECK(chose.type == bot::request::kind::choose);
  CHECK(chose.option == "small");
  CHECK(chose.expected_question == "team_size");
  auto cmd = adapters::to_request(adapters::action::run(dialogue::command::why));
  CHECK(cmd.type == bot::request::kind::command);
  CHECK(cmd.action == dialogue::command::why);
  auto said = adapters::to_request(adapters::action::said("not sure"));
  CHECK(said.type == bot::request::kind::message);
  CHECK(said.text == "not sure");
  auto resume = adapters::to_request(adapters::action::resume("", false, true));
  CHECK(resume.type == bot::request::kind::start);
  CHECK(resume.must_exist);
  CHECK_FALSE(resume.fresh);
  CHECK(resume.history);
  adapters::action moved = adapters::action::open("hello", true);
  moved.framework = "fw";
  auto fresh_on = adapters::to_request(std::move(moved));
  CHECK(fresh_on.type == bot::request::kind::start);
  CHECK(fresh_on.fresh);
  CHECK_FALSE(fresh_on.must_exist);
  CHECK(fresh_on.text == "hello");
  CHECK(fresh_on.framework == "fw");
}

TEST_CASE("a button's conversation and question reach the service for its stale check") {
  auto button = [](adapters::action a) {
    a.expected_conversation = "89abcdef";
    a.expected_question = "team";
    return a;
  };
  for (auto a : {button(adapters::action::chose("small")),
                 button(adapters::action::run(dialogue::command::back)),
                 button(adapters::action::open({}, true))}) {
    auto copied = adapters::to_request(a);
    CHECK(copied.expected_conversation == "89abcdef");
    CHECK(copied.expected_question == "team");
    auto moved = adapters::to_request(std::move(a));
    CHECK(moved.expected_conversation == "89abcdef");
    CHECK(moved.expected_question == "team");
  }
  // Typed words and a channel's entry are no button: never refused as stale.
  for (auto a : {button(adapters::action::said("startup")), button(adapters::action::open())}) {
    auto r = adapters::to_request(a);
    CHECK(r.expected_conversation.empty());
    CHECK(r.expected_question.empty());
  }
}

namespace {

using nlohmann::json;

// The message a frame parses to; fails the test when it was refused.
bot::client_message parsed(std::string_view frame, std::string_view token = {}) {
  auto p = bot::parse_frame(frame, "web", token);
  if (auto* refused = std::get_if<std::string>(&p)) FAIL("refused: " << *refused);
  return std::get<bot::client_message>(p);
}

// The code of the error frame a frame is refused with, or "" when it was not refused.
std::string refusal(std::string_view frame, std::string_view token = {}) {
  auto p = bot::parse_frame(frame, "web", token);
  auto* refused = std::get_if<std::string>(&p);
  if (!refused) return {};
  json j = json::parse(*refused);
  CHECK(j["type"] == "error");
  CHECK_FALSE(j["message"].get<std::string>().empty());
  return j["code"];
}

}  // namespace

TEST_CASE("web parse: a start without a session opens a new one - with a session resumes it") {
  using opening = bot::client_message::opening;
  auto fresh = parsed(R"({"type":"start","text":"we build APIs","framework":"fw"})");
  CHECK(fresh.session == opening::created);
  CHECK(fresh.in.key.channel == "web");
  CHECK(fresh.in.key.key.empty());  // the caller makes the token
  CHECK(fresh.in.what.type == adapters::action::kind::open);
  CHECK(fresh.in.what.fresh);
  CHECK(fresh.in.what.text == "we build APIs");
  CHECK(fresh.in.what.framework == "fw");

  auto again = parsed(R"({"type":"start","session":"tok","fresh":true,"history":true})", "old");
  CHECK(again.session == opening::resumed);
  CHECK(again.in.key.key == "tok");  // the frame's session, not the connection's
  CHECK(again.in.what.type == adapters::action::kind::resume);
  CHECK(again.in.what.fresh);
  CHECK(again.in.what.history);
  auto r = adapters::to_request(again.in.what);
  CHECK(r.type == bot::request::kind::start);
  CHECK(r.must_exist);

  CHECK(refusal(R"({"type":"start","session":5})") == "invalid_message");
  CHECK(refusal(R"({"type":"start","fresh":"yes"})") == "invalid_message");
}

TEST_CASE("web parse: messages and choices go to the connection's session") {
  using opening = bot::client_message::opening;
  auto said = parsed(R"({"type":"message","text":"not sure"})", "tok");
  CHECK(said.session == opening::none);
  CHECK(said.in.key.key == "tok");
  CHECK(said.in.what.type == adapters::action::kind::text);
  CHECK(said.in.what.text == "not sure");
  // A first message with no session opens one, with the message as its opening.
  auto first = parsed(R"({"type":"message","text":"hello"})");
  CHECK(first.session == opening::created);
  CHECK(first.in.what.type == adapters::action::kind::open);
  CHECK(first.in.what.text == "hello");

  auto chose = parsed(R"({"type":"choose","option":"small","question":"team_size"})", "tok");
  CHECK(chose.in.key.key == "tok");
  CHECK(chose.in.what.type == adapters::action::kind::option);
  CHECK(chose.in.what.option == "small");
  CHECK(chose.in.what.expected_question == "team_size");
  CHECK(refusal(R"({"type":"choose","option":"small"})") == "bad_session");
  CHECK(refusal(R"({"type":"choose","option":""})", "tok") == "invalid_message");
  CHECK(refusal(R"({"type":"message","text":""})", "tok") == "invalid_message");
}

TEST_CASE("web parse: frames that are not messages are refused with their code") {
  CHECK(refusal("not json") == "invalid_json");
  CHECK(refusal("[1]") == "invalid_json");
  CHECK(refusal(R"({"text":"hi"})") == "unknown_type");
  CHECK(refusal(R"({"type":"dance"})") == "unknown_type");
  CHECK(refusal(std::string(bot::max_message_bytes + 1, ' ')) == "too_large");
}

TEST_CASE("web render: a session frame first - then the reply or the notice the service gave") {
  using opening = bot::client_message::opening;
  bot::result res;
  res.t = asking();

  bot::reply_context created;
  created.session = opening::created;
  std::vector<std::pair<std::string, std::string>> offered{{"py-node", "Python or Node.js"}};
  created.session_frame = bot::session_frame("tok", false, &offered);
  auto frames = bot::render_reply(created, res);
  REQUIRE(frames.size() == 2);
  json session = json::parse(frames[0]);
  CHECK(session["type"] == "session");
  CHECK(session["session"] == "tok");
  CHECK(session["resumed"] == false);
  CHECK(session["frameworks"][0]["id"] == "py-node");
  json reply = json::parse(frames[1]);
  CHECK(reply["type"] == "reply");
  CHECK(reply["question"] == "team_size");
  CHECK(reply["options"][1]["id"] == "large");
  CHECK(reply["progress"]["step"] == 2);

  bot::reply_context resumed;
  resumed.session = opening::resumed;
  resumed.session_frame = bot::session_frame("tok", true, nullptr);
  CHECK(json::parse(bot::render_reply(resumed, res)[0])["resumed"] == true);
  bot::result unknown;
  unknown.state = bot::result::status::unknown_session;
  auto refused = bot::render_reply(resumed, unknown);
  REQUIRE(refused.size() == 1);
  CHECK(json::parse(refused[0])["code"] == "bad_session");

  // The service's notices on a choice: a stale button also gets the current question.
  bot::reply_context choice;
  choice.choice = true;
  choice.option = "huge";
  res.t.out.notice = dialogue::notice::stale;
  auto stale = bot::render_reply(choice, res);
  REQUIRE(stale.size() == 2);
  CHECK(json::parse(stale[0])["code"] == "stale_option");
  // In the core's words, as every channel says it.
  CHECK(json::parse(stale[0])["message"] ==
        dialogue::present(dialogue::part::stale{.typed = false, .then_now = true, .resume = ""}));
  CHECK(json::parse(stale[1])["question"] == "team_size");
  res.t.out.notice = dialogue::notice::unknown_option;
  auto unknown_option = bot::render_reply(choice, res);
  REQUIRE(unknown_option.size() == 1);
  json e = json::parse(unknown_option[0]);
  CHECK(e["code"] == "unknown_option");
  CHECK(e["message"].get<std::string>().find("\"huge\"") != std::string::npos);
  CHECK(e["message"] == dialogue::present(dialogue::part::unknown_option{"huge"}));
  // A message's turn is its reply frame alone.
  res.t.out.notice = dialogue::notice::none;
  auto plain = bot::render_reply(bot::reply_context{}, res);
  REQUIRE(plain.size() == 1);
  CHECK(plain[0] == bot::reply_frame(res.t));
}
