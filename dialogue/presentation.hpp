// The presentation module: the one place where the advisor's words are written. The engine
// decides WHAT to say as typed parts (an acknowledgement, a notice, the question, an answer
// from the sources, the review, the recommendation...); present() turns them into the light
// Markdown every channel shows (**bold**, _italics_, `code`, "- " lists). Pure functions: no
// I/O, no knowledge store; every label, claim and title comes resolved in the parts, so a
// translation changes this module alone.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "language.hpp"
#include "scoring.hpp"

namespace advisor::dialogue {

// The most reasons a recommendation shows before "why" gives the full breakdown: one cap for
// every channel (the text reply, the Slack card, the Discord embed, the widget's card).
constexpr std::size_t max_reasons_shown = 5;

// The reasons a recommendation shows, in order: the ones that moved a score (answers that
// moved nothing are context), at most `limit`.
std::vector<const reason*> shown_reasons(const recommendation& rec,
                                         std::size_t limit = max_reasons_shown);

// An answer as the user sees it: a question's short label and the option's label; `open` for
// "not sure" (the option label is then unused).
struct answer_view {
  std::string question;
  std::string option;
  bool open = false;
};

// A fact, resolved: its claim, its figure, its source.
struct fact_view {
  std::string id;
  std::string claim;
  std::string figure;
  source_ref source;
};

// A source in the light Markdown: "[title](url)" when its address is known, else the title.
std::string cite(const source_ref& s);

struct scored_stack {
  std::string label;
  double score = 0;
};

namespace part {

// Prefaces: what this turn did.
struct intro {
  std::string text;
};                    // the framework's introduction
struct restarted {};  // "Starting over."
struct took {
  std::vector<answer_view> answers;
  bool bold = true;
};  // answers read from a sentence
struct got_it {
  std::vector<answer_view> answers;
};  // the answer to the question asked
struct accepted {
  std::vector<answer_view> answers;
};                    // a proposal taken
struct dismissed {};  // a proposal declined
struct skipped {
  std::string question;
};  // left open
struct changing {
  std::string question;
};  // reopened
struct undone {};

// Informing: answers that do not move the conversation on.
struct greeting {};
struct okay {};
struct help {};
struct nothing_to_undo {};
struct status {
  std::vector<answer_view> answers;
};
struct not_answered_yet {
  std::string question;
};
struct which_to_change {
  std::string example;  // a question's short label, as an example
  bool buttons = true;  // the answers are shown as buttons (the review, the recommendation)
};
struct why_question {
  std::string question;
  std::string why;
  std::vector<fact_view> facts;
};
struct why_recommendation {
  dialogue::recommendation rec;
  std::vector<std::vector<fact_view>> reason_facts;  // per reason of rec.reasons
};
struct why_proposal {};
struct why_questions {};  // why the questions, before the answers are confirmed
struct sourced {
  std::vector<fact_view> facts;
  std::vector<std::string> disputes;
};
struct compare_what {
  std::vector<std::string> topics;
};
struct compare {
  std::string topic;
  struct side {
    std::string label;
    std::vector<fact_view> facts;
  };
  std::vector<side> sides;
};
struct not_yet {
  int left = 0;  // questions still to answer, along the longest branch open
};               // the recommendation asked for before the questions are done
struct whatif_too_early {};
struct whatif_unclear {};
struct whatif {
  struct change {
    std::string question;
    std::string option;
    std::optional<answer_view> before;
  };
  std::vector<change> changes;
  std::string before_choice, after_choice;
  bool same_choice = true;
  double before_confidence = 0, after_confidence = 0;
  std::vector<scored_stack> before_scores, after_scores;
  std::vector<std::string> new_reasons, dropped_reasons, opened;
};
struct record_ready {};  // "here's your decision record", before the record

// A decision record (an ADR in Markdown).
struct record {
  std::string title, date;
  bool done = false;  // the recommendation was given: Proposed, else Draft
  std::vector<answer_view> answers;
  std::string choice;
  double confidence = 0;
  std::vector<scored_stack> scores;
  std::vector<reason> reasons;
  bool hybrid = false;
  struct consequence {
    bool good = true;
    std::string stack;
    std::string claim;
  };
  std::vector<consequence> consequences;
  std::vector<contested_view> contested;
  std::vector<std::string> unknowns, next_steps;
  struct source {
    std::string title, author, publisher;
    std::string url = {};  // empty when no address is known
  };
  std::vector<source> sources;
};

// Notices: why nothing changed.
struct too_long {
  std::size_t limit = 0;
};
struct empty_message {};
struct unknown_option {
  std::string words;
};  // what was sent, as typed
struct not_covered {
  bool hint = false;
};  // hint: also list what can be said
struct proposal_unclear {};
struct ambiguous {
  std::vector<std::string> options;
};
struct mixed {
  std::vector<std::string> options;
};  // it sounds like a mix of them
struct no_match {
  std::string words;
  std::string question;
};  // re-prompt with the question
struct review_unclear {};
// A press the service refused (notice::stale): a button, or a typed option number, made for a
// question already answered or a conversation since started over. Nothing changed.
struct stale {
  bool typed = false;     // a typed option number, not a button
  bool then_now = false;  // where the conversation is now follows
  std::string resume;     // else, the channel's command that picks the conversation up again
};
// The conversation's framework version cannot be loaded (notice::framework_unavailable): it
// was started on a version no instance sharing the store has kept. Nothing changed.
struct framework_unavailable {};

// Where the conversation stands.
struct asked {
  std::string text;
};  // the pending question
struct proposal {
  struct item {
    std::string question;
    std::string option;
    std::optional<answer_view> before;
  };
  std::vector<item> items;
};
struct review {
  std::vector<answer_view> answers;
};
struct recommended {
  dialogue::recommendation rec;
  std::vector<scored_stack> scores;  // in the framework's order
  bool close_call = false;           // neither stack pulls ahead
  std::vector<std::string> noted;    // questions taken into account that moved no score
};
enum class where { question, proposal, review };
struct back_to {
  part::where to = where::question;
};  // joins the part after it

}  // namespace part

using say =
    std::variant<part::intro, part::restarted, part::took, part::got_it, part::accepted,
                 part::dismissed, part::skipped, part::changing, part::undone, part::greeting,
                 part::okay, part::help, part::nothing_to_undo, part::status,
                 part::not_answered_yet, part::which_to_change, part::why_question,
                 part::why_recommendation, part::why_proposal, part::why_questions, part::sourced,
                 part::compare_what, part::compare, part::not_yet, part::whatif_too_early,
                 part::whatif_unclear, part::whatif, part::record_ready, part::record,
                 part::too_long, part::empty_message, part::unknown_option, part::not_covered,
                 part::proposal_unclear, part::ambiguous, part::mixed, part::no_match,
                 part::review_unclear, part::stale, part::framework_unavailable, part::asked,
                 part::proposal, part::review, part::recommended, part::back_to>;

// One part in words.
std::string present(const say& s);
// A turn's parts in words: paragraphs apart, a back_to joined to the part after it.
std::string present(const std::vector<say>& parts);

// The labels of the options the advisor adds to a framework's own.
std::string not_sure_label();
std::string accept_label(std::size_t proposals);
std::string reject_label();
std::string confirm_label();
std::string change_label(const std::string& question);
std::string command_label(command c);  // why, summary, restart after the recommendation
std::string both_stacks_label();       // facts that hold for every stack ("Both")

// The user's words quoted back: at most echo_limit bytes, cut at a character boundary, and
// escaped so that no channel shows them as a link, a mention or formatting.
constexpr std::size_t echo_limit = 100;
std::string echo(std::string_view text);

// A confidence as a whole percentage ("72%").
std::string percent(double v);

}  // namespace advisor::dialogue
