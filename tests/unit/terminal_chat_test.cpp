// `advisor chat` as a person uses it: terminal::chat over the service and a real SQLite file,
// with a second terminal on the same conversation acting between two typed lines; and the
// terminal's turns in the process's metrics.
#include <doctest/doctest.h>

#include <functional>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "adapters/common/channel.hpp"
#include "adapters/terminal/terminal.hpp"
#include "bot/infra/metrics.hpp"
#include "support.hpp"

using namespace advisor;
using advisor::test::temp_dir;

namespace {

// Typed lines, each read only after its `before` ran: what happens meanwhile elsewhere.
class scripted_input : public std::streambuf {
 public:
  struct line {
    std::function<void()> before;
    std::string text;
  };
  explicit scripted_input(std::vector<line> lines) : lines_(std::move(lines)) {}

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (next_ == lines_.size()) return traits_type::eof();
    line& l = lines_[next_++];
    if (l.before) l.before();
    current_ = l.text + "\n";
    setg(current_.data(), current_.data(), current_.data() + current_.size());
    return traits_type::to_int_type(*gptr());
  }

 private:
  std::vector<line> lines_;
  std::size_t next_ = 0;
  std::string current_;
};

std::uint64_t terminal_turns() { return adapters::metrics::global().turns_observed("terminal"); }

}  // namespace

TEST_CASE(
    "terminal chat: a number typed against a question another terminal answered changes nothing") {
  temp_dir dir;
  auto app = test::open_test_app(dir.str());
  bot::service& svc = *app->service;
  const bot::channel_key key{"terminal", "default"};
  std::string shown;  // the question on this terminal's screen when the other one answered it
  std::uint64_t seq = 0;
  const auto counted = terminal_turns();

  scripted_input script({
      {[&] {
         // Another terminal on the same conversation answers the question shown here.
         bot::turn now = svc.current(key).value();
         shown = now.out.question;
         REQUIRE_FALSE(now.out.options.empty());
         bot::turn t =
             adapters::run(svc, key, adapters::action::chose(now.out.options[0].id, shown));
         REQUIRE(t.out.notice == dialogue::notice::none);
         REQUIRE(t.out.question != shown);
         seq = t.seq;
       },
       "1"},
      {[&] {
         // The number typed against the old question was refused: nothing changed.
         bot::turn now = svc.current(key).value();
         CHECK(now.seq == seq);
         CHECK(now.out.question != shown);
       },
       "1"},
  });
  std::istream in(&script);
  std::ostringstream out;
  CHECK(terminal::chat(svc, terminal::chat_settings{}, in, out) == 0);

  const std::string screen = out.str();
  CHECK(screen.find("That number is out of date: its question was already answered") !=
        std::string::npos);
  // The number typed after it, against the question shown with the notice, is taken.
  bot::turn last = svc.current(key).value();
  CHECK(last.seq > seq);
  // Each of this terminal's turns (the entry and two lines) counted under "terminal"; the other
  // terminal's turn went around chat and is not.
  CHECK(terminal_turns() - counted == 3);
}

TEST_CASE("terminal json lines: each frame's turn is counted under terminal") {
  temp_dir dir;
  auto app = test::open_test_app(dir.str());
  const auto counted = terminal_turns();
  std::istringstream in("{\"type\":\"start\"}\n\n{\"type\":\"message\",\"text\":\"hello\"}\n");
  std::ostringstream out;
  CHECK(terminal::json_lines(*app->service, in, out) == 0);
  CHECK(out.str().find("\"type\":\"reply\"") != std::string::npos);
  CHECK(terminal_turns() - counted == 2);
}
