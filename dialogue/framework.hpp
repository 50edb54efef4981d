// The decision framework as data: questions, options, synonyms, conditions and scores.
// Loaded from a JSON file under config/ (see docs/framework-format.md); never hard-coded.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "knowledge/load_error.hpp"

namespace advisor::dialogue {

// A condition on earlier answers: every listed question must have one of the listed options.
// An empty condition always holds.
struct condition {
  std::map<std::string, std::vector<std::string>> any_of;  // question id -> accepted option ids
  bool empty() const { return any_of.empty(); }
};

struct option {
  std::string id;
  std::string label;
  std::vector<std::string> synonyms;     // words and phrases that pick this option anywhere
  std::vector<std::string> replies;      // words that pick it only as a direct reply ("yes")
  std::map<std::string, double> scores;  // stack id -> points this option adds
  std::map<std::string, double>
      signals;                     // named needs (e.g. "realtime", "data") this option raises
  std::string reason;              // our words: why this answer moves the scores
  std::vector<std::string> facts;  // knowledge fact ids behind the reason
  std::string if_negated;          // option meant when a synonym is negated ("no real-time")
  // Questions whose answer this option says in its own words ("a full-stack JavaScript team"
  // says what the team knows): the same message's answer to them is this answer again, not a
  // second one; they are still asked.
  std::vector<std::string> speaks_for;
  // Questions this option makes a guess at ("a career in data science" hints at data work): a
  // guess at them from the same message is no answer; words that say it still are.
  std::vector<std::string> hints_at;
};

struct question {
  std::string id;
  std::string text;                    // the question as asked
  std::string short_label;             // a few words for status lines ("team skills")
  std::string why;                     // why it matters, in our words
  std::vector<std::string> why_facts;  // fact ids behind the why
  condition ask_if;                    // asked only when this holds
  std::vector<option> options;
  std::vector<std::string> phrases;  // words that show a sentence is about this question
  std::vector<std::string> names;  // what users call the question ("the team") when they change it
  bool requires_phrase = false;    // in a free sentence, count it only with one of those
  int line = 0;                    // line in the framework file, for messages

  const option* find_option(std::string_view id) const;
  // The option with `reply` among its replies ("both", "yes"), or null.
  const option* find_reply(std::string_view reply) const;
};

struct stack {
  std::string id;
  std::string label;
  std::vector<std::string>
      names;  // what people call it, lower case ("node", "js"); default: id, label
};

// When both needs weigh in enough, the advice is to use both stacks side by side.
struct hybrid_rule {
  std::string id = "hybrid";
  std::string label = "Both (hybrid)";
  std::vector<std::string> signals;  // every one of these must reach min_signal
  double min_signal = 0;
  double max_margin = 0;  // and the two leading stacks are at most this far apart (0: any)
  std::string reason;
  std::vector<std::string> facts;
};

struct next_step {
  std::string text;
  condition when;                    // shown only when the answers match
  std::vector<std::string> choices;  // shown only for these choices (empty: any)
  std::vector<std::string> facts;
};

struct framework {
  std::string id;
  std::string version;
  std::string title;
  std::string intro;  // the greeting before the first question
  std::vector<stack> stacks;
  std::optional<hybrid_rule> hybrid;
  std::vector<question> questions;  // in asking order
  std::vector<next_step> next_steps;
  double unknown_penalty = 0.1;  // confidence lost per unanswered ("not sure") question

  const question* find_question(std::string_view id) const;
  int question_index(std::string_view id) const;  // -1 when unknown
  std::string stack_label(std::string_view id) const;
};

// A problem in a framework or knowledge file (knowledge/load_error.hpp, below the dialogue so the
// knowledge model can throw it too).
using knowledge::load_error;

// Parses and validates a framework document. Throws load_error on the first problem.
framework parse_framework(std::string_view text, const std::string& file_name);

// Validates a framework document and returns every problem found (empty when it is fine).
std::vector<load_error> validate_framework(std::string_view text, const std::string& file_name);

}  // namespace advisor::dialogue
