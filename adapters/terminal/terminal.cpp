#include "adapters/terminal/terminal.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "adapters/common/protocol.hpp"
#include "bot/infra/metrics.hpp"
#include "dialogue/markdown.hpp"
#include "dialogue/matching.hpp"
#include "dialogue/presentation.hpp"

namespace advisor::terminal {

namespace {
constexpr std::string_view channel_name = "terminal";  // its turns' label in the metrics
}  // namespace

std::string terminal_text(const std::string& text, bool color) {
  std::string out;
  bool bold = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (auto link = dialogue::link_at(text, i)) {
      // A terminal has no links: the title, then the address to copy.
      out.append(link->label).append(" (").append(link->url).append(")");
      i = link->end - 1;
    } else if (text[i] == '\\' && i + 1 < text.size() && dialogue::escapable(text[i + 1])) {
      out += text[++i];  // a user's character, shown as typed
    } else if (text.compare(i, 2, "**") == 0) {
      if (color) out += bold ? "\033[0m" : "\033[1m";
      bold = !bold;
      ++i;
    } else if (text[i] == '`') {
      continue;  // code marks read fine without their ticks
    } else if (text[i] == '_' && (i == 0 || text[i - 1] == ' ' || i + 1 == text.size() ||
                                  text[i + 1] == '\n' || text[i + 1] == ' ')) {
      continue;  // _emphasis_ marks around sources
    } else {
      out += text[i];
    }
  }
  if (bold && color) out += "\033[0m";
  return out;
}

std::string render_turn(const bot::turn& t, bool color) {
  std::ostringstream out;
  out << "\n";
  // A typed number the service refused as out of date: the core's words, then where the
  // conversation is now.
  if (t.out.notice == dialogue::notice::stale)
    out << terminal_text(dialogue::present(dialogue::part::stale{
                             .typed = true, .then_now = !t.out.text.empty(), .resume = ""}),
                         color)
        << "\n\n";
  out << terminal_text(t.out.text, color) << "\n";
  if (!t.out.options.empty()) {
    if (t.out.progress.total > 0 && !t.out.finished)
      out << (color ? "\033[2m" : "") << "(step " << t.out.progress.step << " of about "
          << t.out.progress.total << ")" << (color ? "\033[0m" : "") << "\n";
    int i = 0;
    for (const auto& o : t.out.options) out << "  " << ++i << ") " << o.label << "\n";
  }
  return out.str();
}

bool is_quit(const std::string& line) {
  std::string norm = dialogue::normalize(line);
  return norm == "quit" || norm == "exit" || norm == "bye";
}

std::optional<adapters::action> parse_line(const std::string& line, const bot::turn& now) {
  std::string norm = dialogue::normalize(line);
  if (norm.empty() || is_quit(line)) return std::nullopt;
  bool is_number = norm.size() < 3 && std::all_of(norm.begin(), norm.end(), ::isdigit);
  if (is_number) {
    std::size_t n = std::stoul(norm);
    if (n >= 1 && n <= now.out.options.size()) {
      // The question and conversation on screen, as a button carries them: a number typed
      // against a question since answered (in another terminal on the same conversation) is
      // refused by the service's stale check like any out-of-date button.
      auto a = adapters::action::chose(now.out.options[n - 1].id, now.out.question);
      a.expected_conversation = now.conversation;
      return a;
    }
  }
  return adapters::action::said(line);
}

int chat(bot::service& svc, const chat_settings& s, std::istream& in, std::ostream& out) {
  bool color = s.color;
  dialogue::channel_key key{"terminal", s.conversation};
  if (!s.framework.empty() && !svc.has_framework(s.framework)) {
    std::string ids;
    for (const auto& [id, title] : svc.frameworks()) ids += "\n  " + id + ": " + title;
    throw std::runtime_error("unknown framework \"" + s.framework + "\"; available:" + ids);
  }
  // The channel's entry, the service's rule as on every channel: resume the unfinished
  // conversation or start one; --fresh (or a framework) always starts a new one.
  adapters::action entry = adapters::action::open({}, s.fresh || !s.framework.empty());
  entry.framework = s.framework;
  // Each turn is timed and counted under "terminal" in the process's metrics, as every channel
  // counts its own (bot/infra/metrics.hpp); `advisor chat` serves no /metrics, so an embedding
  // of the terminal (or a later exporter) reads them from the same registry.
  auto turn = [&](const adapters::action& a) {
    return adapters::timed_turn(channel_name, [&] { return adapters::run(svc, key, a); });
  };
  bot::turn t = turn(entry);
  if (t.resumed) out << "(Resuming your conversation; say `restart` to begin again.)\n";
  out << render_turn(t, color);
  std::string line;
  while (true) {
    out << "\n> " << std::flush;
    if (!std::getline(in, line)) break;
    if (is_quit(line)) break;
    auto what = parse_line(line, t);
    if (!what) continue;
    t = turn(*what);
    out << render_turn(t, color);
  }
  if (!s.record_file.empty()) {
    auto record = svc.decision_record(key);
    std::ofstream f(s.record_file);
    if (!f || !(f << record.value_or(""))) {
      std::cerr << "advisor: " << s.record_file << ": cannot write the decision record\n";
      return 1;
    }
    out << "\nDecision record written to " << s.record_file << "\n";
  }
  out << "\nBye! Your answers are saved; run `advisor chat` again to pick up where you left off.\n";
  return 0;
}

int json_lines(bot::service& svc, std::istream& in, std::ostream& out) {
  bot::json_session session(svc, "json");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto frames = adapters::timed_turn(channel_name, [&] { return session.handle(line); });
    for (const auto& frame : frames) out << frame << "\n";
    out.flush();
  }
  return 0;
}

}  // namespace advisor::terminal
