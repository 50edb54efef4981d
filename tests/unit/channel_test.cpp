// The channel contract's pure parts: the terminal's parse (a typed line to an action) and render
// (a turn to text), and an action's service request. No service, no socket.
#include "adapters/common/channel.hpp"

#include <doctest/doctest.h>

#include "adapters/terminal/terminal.hpp"

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
}
