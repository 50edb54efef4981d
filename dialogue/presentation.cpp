#include "dialogue/presentation.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "dialogue/markdown.hpp"

namespace advisor::dialogue {

namespace {

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : std::string(sep)) + i;
  return out;
}

std::string cite_all(const std::vector<source_ref>& sources, std::string_view sep) {
  std::string out;
  for (const auto& s : sources) out += (out.empty() ? "" : std::string(sep)) + cite(s);
  return out;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", std::round(v * 10) / 10);
  return buf;
}

std::string bold(const std::string& s) { return "**" + s + "**"; }

std::string answer_label(const answer_view& a) { return a.open ? "not sure" : a.option; }

// "**Team** = Python; **Scale** = High"
std::string took_line(const std::vector<answer_view>& answers, bool strong = true) {
  std::vector<std::string> took;
  for (const auto& a : answers)
    took.push_back((strong ? bold(a.question) : a.question) + " = " + a.option);
  return join(took, "; ");
}

// "- **Team**: Python" per answer, each on its line.
std::string answer_list(const std::vector<answer_view>& answers) {
  std::string t;
  for (const auto& a : answers) t += "- " + bold(a.question) + ": " + answer_label(a) + "\n";
  return t;
}

std::string scores_line(const std::vector<scored_stack>& scores) {
  std::vector<std::string> parts;
  for (const auto& s : scores) parts.push_back(s.label + " " + number(s.score));
  return join(parts, ", ");
}

std::string fact_line(const fact_view& f) {
  std::string line = "- " + f.claim;
  if (!f.figure.empty() && f.claim.find(f.figure) == std::string::npos)
    line += " (" + f.figure + ")";
  line += " _Source: " + cite(f.source) + "_";
  return line;
}

std::string facts_block(const std::vector<fact_view>& facts) {
  std::string out;
  for (const auto& f : facts) out += fact_line(f) + "\n";
  if (!out.empty()) out.pop_back();
  return out;
}

std::string not_covered_text() {
  return "My sources don't cover that. They compare Python and Node.js for backends: speed, "
         "frameworks, "
         "real-time work, data and ML, learning, scaling and who uses them.";
}

std::string words(const part::intro& p) { return p.text; }
std::string words(const part::restarted&) { return "Starting over."; }
std::string words(const part::took& p) {
  return "I took: " + took_line(p.answers, p.bold) + ". Say `back` to change that.";
}
std::string words(const part::got_it& p) { return "Got it: " + took_line(p.answers) + "."; }
std::string words(const part::accepted& p) { return "Done: " + took_line(p.answers) + "."; }
std::string words(const part::dismissed&) { return "Okay, I'll leave that as it was."; }
std::string words(const part::skipped& p) {
  return "Fine, I'll leave " + bold(p.question) + " open.";
}
std::string words(const part::changing& p) {
  return "Sure, let's change " + bold(p.question) + ".";
}
std::string words(const part::undone&) { return "Undone."; }

std::string words(const part::greeting&) {
  return "Hello! Answer in your own words or pick an option; `help` shows what else I understand.";
}
std::string words(const part::okay&) { return "Okay."; }
std::string words(const part::help&) {
  return "Answer with a button, a number, or in your own words. You can also say:\n"
         "- `back`: undo your last answer\n"
         "- `skip` or `not sure`: leave this question open (it lowers my confidence, and I'll say "
         "so)\n"
         "- `why`: why I'm asking this, with sources\n"
         "- `status`: your answers so far\n"
         "- `restart`: start again from the top\n"
         "- `compare <topic>`: the two stacks side by side (performance, frameworks, learning, "
         "...)\n"
         "- any question, like \"how fast is Node.js?\"\n"
         "- `summary`: a decision record; `whatif <question> <answer>` once you have a "
         "recommendation";
}
std::string words(const part::nothing_to_undo&) { return "There's nothing to undo yet."; }
std::string words(const part::status& p) {
  if (p.answers.empty()) return "No answers yet.";
  std::string t = "Your answers so far:\n" + answer_list(p.answers);
  t.pop_back();
  return t;
}
std::string words(const part::not_answered_yet& p) {
  return "You haven't answered " + bold(p.question) + " yet, so there's nothing to change.";
}
std::string words(const part::which_to_change& p) {
  const std::string example = "\"change the " + p.example + "\"";
  if (!p.buttons)
    return "Which answer should I change? Name it, for example " + example +
           "; `status` lists your answers so far.";
  return "Which answer should I change? Pick one of the buttons, or say for example " + example +
         ".";
}
std::string words(const part::why_question& p) {
  std::string t = "**Why I ask about " + p.question + ":** " + p.why;
  std::string facts = facts_block(p.facts);
  if (!facts.empty()) t += "\n\nFrom the sources:\n" + facts;
  return t;
}
std::string words(const part::why_recommendation& p) {
  const auto& rec = p.rec;
  std::string t = "**The full breakdown for " + rec.choice_label + "** (confidence " +
                  percent(rec.confidence) + ")\n";
  for (std::size_t i = 0; i < rec.reasons.size(); ++i) {
    t += "\n- " + rec.reasons[i].text;
    std::string facts = i < p.reason_facts.size() ? facts_block(p.reason_facts[i]) : "";
    if (!facts.empty()) {
      std::istringstream lines(facts);
      for (std::string line; std::getline(lines, line);) t += "\n  " + line;
    }
  }
  if (!rec.unknowns.empty())
    t += "\n- Left open: " + join(rec.unknowns, ", ") + " (each lowers the confidence).";
  if (rec.contested.empty()) {
    t += "\n\nNone of the points where the sources disagree bears on your answers.";
  } else {
    t += "\n\n**Where the sources disagree, as it bears on you:**";
    for (const auto& cv : rec.contested) {
      t += "\n- " + cv.summary;
      for (const auto& side : cv.sides)
        t += "\n  - " + side.claim +
             (side.sources.empty() ? "" : " _Source: " + cite_all(side.sources, "; ") + "_");
    }
  }
  return t;
}
std::string words(const part::why_proposal&) {
  return "You told me something that differs from an earlier answer, or that I wasn't sure I "
         "read "
         "right. Say yes to take it or no to keep things as they were.";
}
std::string words(const part::why_questions&) {
  return "I ask these questions to match your situation to the sources' advice; confirm the "
         "answers "
         "and I'll explain the result in full.";
}
std::string words(const part::sourced& p) {
  std::string t = "Here's what the sources say:\n" + facts_block(p.facts);
  for (const auto& d : p.disputes) t += "\n\n**The sources disagree here:** " + d;
  return t;
}
std::string words(const part::compare_what& p) {
  return "Compare what? Try one of: " + join(p.topics, ", ") +
         ". For example: `compare performance`.";
}
std::string words(const part::compare& p) {
  std::string t = bold(p.topic) + ", side by side:";
  for (const auto& side : p.sides)
    if (!side.facts.empty()) t += "\n\n**" + side.label + ":**\n" + facts_block(side.facts);
  return t;
}
std::string words(const part::not_yet& p) {
  std::string t = "I'll recommend a stack once the questions are done: ";
  t += p.left <= 1 ? std::string("this is the last one.")
                   : "at most " + std::to_string(p.left) + " to go, starting with this one.";
  return t + " `skip` leaves a question open if you'd rather not answer it.";
}
std::string words(const part::whatif_too_early&) {
  return "What-if works once you have a recommendation. Let's finish the questions first.";
}
std::string words(const part::whatif_unclear&) {
  return "I couldn't tell which answer to change. Try for example `whatif team javascript` or "
         "\"what if our team knew JavaScript?\"";
}
std::string words(const part::whatif& p) {
  std::vector<std::string> what;
  for (const auto& ch : p.changes)
    what.push_back(bold(ch.question) + " were " + bold(ch.option) +
                   (ch.before ? " (instead of " + answer_label(*ch.before) + ")" : ""));
  std::string t = "**What if** " + join(what, " and ") + "?\n";
  if (p.same_choice)
    t += "- The choice stays " + bold(p.after_choice) + ".\n";
  else
    t += "- The choice moves from " + bold(p.before_choice) + " to " + bold(p.after_choice) + ".\n";
  t +=
      "- Confidence: " + percent(p.before_confidence) + " -> " + percent(p.after_confidence) + "\n";
  t += "- Scores: " + scores_line(p.before_scores) + " -> " + scores_line(p.after_scores) + "\n";
  for (const auto& r : p.new_reasons) t += "- New reason: " + r + "\n";
  for (const auto& r : p.dropped_reasons) t += "- No longer counts: " + r + "\n";
  if (!p.opened.empty())
    t += "- It would also raise questions I haven't asked: " + join(p.opened, ", ") + ".\n";
  t += "\nYour real answers are unchanged; say `restart` or change an answer to make it real.";
  return t;
}
std::string words(const part::record_ready&) {
  return "Here's your decision record, ready to copy:";
}
std::string words(const part::record& p) {
  std::string t = "# Decision record: " + p.title + "\n\n";
  t += "- Date: " + p.date +
       "\n- Status: " + std::string(p.done ? "Proposed" : "Draft (questions still open)") + "\n\n";
  t += "## Context\n\n";
  if (p.answers.empty()) t += "No answers given yet.\n";
  for (const auto& a : p.answers) t += "- " + a.question + ": " + answer_label(a) + "\n";
  t += "\n## Decision\n\n";
  t += "Build the backend with " + bold(p.choice) + " (confidence " + percent(p.confidence) +
       "; scores: " + scores_line(p.scores) + ").\n";
  t += "\n## Reasons\n\n";
  for (const auto& r : p.reasons)
    t += "- " + r.text +
         (r.sources.empty() ? "" : " (Sources: " + cite_all(r.sources, "; ") + ")") + "\n";
  t += "\n## Consequences\n\n";
  if (p.hybrid)
    t += "- Two stacks to build, deploy and staff, with a clear service boundary between them.\n";
  for (const auto& c : p.consequences)
    t +=
        "- " + std::string(c.good ? "Good" : "Watch out") + " (" + c.stack + "): " + c.claim + "\n";
  t += "\n## Contested points\n\n";
  if (p.contested.empty())
    t += "None of the points where the sources disagree bears on these answers.\n";
  for (const auto& cv : p.contested) {
    t += "- " + cv.summary + "\n";
    for (const auto& side : cv.sides)
      t += "  - " + side.claim +
           (side.sources.empty() ? "" : " (" + cite_all(side.sources, "; ") + ")") + "\n";
  }
  if (!p.unknowns.empty()) t += "\n## Open questions\n\n- " + join(p.unknowns, "\n- ") + "\n";
  t += "\n## Next steps\n\n";
  for (const auto& n : p.next_steps) t += "- " + n + "\n";
  t += "\n## Sources\n\n";
  for (const auto& src : p.sources) {
    std::vector<std::string> by;
    if (!src.author.empty()) by.push_back(src.author);
    if (!src.publisher.empty()) by.push_back(src.publisher);
    t += "- " + cite({src.title, src.url}) + (by.empty() ? "" : " (" + join(by, ", ") + ")") + "\n";
  }
  return t;
}

std::string words(const part::too_long& p) {
  return "That message is too long for me: I read up to " + std::to_string(p.limit) +
         " characters. Could you say it in a sentence or two?";
}
std::string words(const part::empty_message&) {
  return "I didn't catch anything there. Type `help` to see what you can say.";
}
std::string words(const part::unknown_option& p) {
  return "\"" + echo(p.words) + "\" is not one of the options here.";
}
std::string words(const part::not_covered& p) {
  if (!p.hint) return not_covered_text();
  return not_covered_text() +
         " You can also say `why`, `summary`, `what if our team knew Python?`, or `restart`.";
}
std::string words(const part::proposal_unclear&) {
  return "Sorry, I didn't follow. Say yes to take it, or no to keep things as they were.";
}
std::string words(const part::ambiguous& p) {
  std::vector<std::string> labels;
  for (const auto& o : p.options) labels.push_back(bold(o));
  return "That could mean " + join(labels, " or ") + ". Which one fits best?";
}
std::string words(const part::mixed& p) {
  std::vector<std::string> labels;
  for (const auto& o : p.options) labels.push_back(bold(o));
  return "It sounds like a mix. Which fits best overall: " + join(labels, ", ") +
         "? If it's truly a mix, pick the closest, or say `skip`.";
}
std::string words(const part::no_match& p) {
  return "Sorry, I couldn't match \"" + echo(p.words) + "\" to an answer. " + p.question +
         "\nPick one of the options, say `skip` if you're not sure, or `help`.";
}
std::string words(const part::review_unclear&) {
  return "Please confirm the answers, or pick one to change.";
}

std::string words(const part::stale& p) {
  std::string t = p.typed ? "That number" : "That button";
  t += " is out of date: its question was already answered, or the conversation started over, "
       "so nothing was changed.";
  if (p.then_now) return t + " Here is where we are now:";
  if (!p.resume.empty())
    t += " Use the buttons on the latest message, or type `" + p.resume +
         "` to pick up where you left off.";
  return t;
}

std::string words(const part::framework_unavailable&) {
  return "This conversation was started on a version of the questions that this advisor cannot "
         "load any more, so it cannot go on and nothing was changed. Please start a new "
         "conversation.";
}

std::string words(const part::asked& p) { return p.text; }
std::string words(const part::proposal& p) {
  std::string t;
  for (const auto& i : p.items) {
    if (!t.empty()) t += "\n";
    if (i.before)
      t += "You said " + bold(answer_label(*i.before)) + " for " + bold(i.question) +
           " earlier. Change it to " + bold(i.option) + "?";
    else
      t += "Did you mean " + bold(i.option) + " for " + bold(i.question) + "?";
  }
  return t;
}
std::string words(const part::review& p) {
  return "That's everything I need. Here is what I have:\n" + answer_list(p.answers) +
         "\nIs that right? Confirm, or pick an answer to change.";
}
std::string words(const part::recommended& p) {
  const auto& rec = p.rec;
  std::string t = "**My recommendation: " + rec.choice_label + "** (confidence " +
                  percent(rec.confidence) + ")\n\n";
  t += "Scores: " + scores_line(p.scores) + ".";
  if (p.close_call) t += " It's a close call: neither stack pulls ahead on your answers.";
  t += "\n\n**Why:**\n";
  for (const reason* r : shown_reasons(rec))
    t += "- " + r->text +
         (r->sources.empty() ? "" : " _Sources: " + cite_all(r->sources, "; ") + "_") + "\n";
  if (!rec.unknowns.empty())
    t += "- Left open: " + join(rec.unknowns, ", ") + ". That lowers my confidence.\n";
  if (!p.noted.empty())
    t += "- Also taken into account, moving neither score: " + join(p.noted, ", ") + ".\n";
  if (!rec.contested.empty()) {
    t += "\n**Where the sources disagree:**\n";
    for (const auto& cv : rec.contested) t += "- " + cv.summary + "\n";
  }
  if (!rec.next_steps.empty()) {
    t += "\n**Next steps:**\n";
    for (const auto& n : rec.next_steps) t += "- " + n + "\n";
  }
  t += "\nSay `why` for the full breakdown, `whatif <question> <answer>` to try another answer, "
       "`summary` for a decision record, or `restart`.";
  return t;
}
std::string words(const part::back_to& p) {
  switch (p.to) {
    case part::where::review:
      return "Back to the review: ";
    case part::where::proposal:
      return "Back to my question: ";
    case part::where::question:
      break;
  }
  return "Back to the question: ";
}

}  // namespace

std::string cite(const source_ref& s) {
  return s.url.empty() ? s.title : "[" + s.title + "](" + s.url + ")";
}

std::vector<const reason*> shown_reasons(const recommendation& rec, std::size_t limit) {
  std::vector<const reason*> out;
  for (const auto& r : rec.reasons) {
    if (r.effect.empty() && !r.question.empty()) continue;  // an answer that moved nothing
    if (out.size() == limit) break;
    out.push_back(&r);
  }
  return out;
}

std::string present(const say& s) {
  return std::visit([](const auto& p) { return words(p); }, s);
}

std::string present(const std::vector<say>& parts) {
  std::string out;
  bool joined = false;  // the last part was a back_to: the next one follows it on its line
  for (const auto& p : parts) {
    std::string text = present(p);
    if (text.empty()) continue;
    if (!out.empty() && !joined) out += "\n\n";
    out += text;
    joined = std::holds_alternative<part::back_to>(p);
  }
  return out;
}

std::string not_sure_label() { return "Not sure"; }
std::string accept_label(std::size_t proposals) { return proposals > 1 ? "Yes, take them" : "Yes"; }
std::string reject_label() { return "No"; }
std::string confirm_label() { return "Looks right: show my recommendation"; }
std::string change_label(const std::string& question) { return "Change " + question; }
std::string command_label(command c) {
  switch (c) {
    case command::why:
      return "Why this choice?";
    case command::summary:
      return "Decision record";
    case command::restart:
      return "Start over";
    default:
      break;
  }
  return std::string(to_string(c));
}

std::string both_stacks_label() { return "Both"; }

std::string echo(std::string_view text) {
  if (text.size() <= echo_limit) return quote_user_text(text);
  std::size_t cut = echo_limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return quote_user_text(text.substr(0, cut)) + "...";
}

std::string percent(double v) {
  return std::to_string(static_cast<int>(std::lround(v * 100))) + "%";
}

}  // namespace advisor::dialogue
