// Scoring: turns a state's answers into a recommendation with its reasons and sources.
// A reason moves a score (or, for the hybrid rule, the choice) and cites at least one source;
// answers that move nothing are context, kept apart so a reason is never an unsourced aside.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "events.hpp"
#include "framework.hpp"
#include "knowledge/knowledge.hpp"

namespace advisor::dialogue {

// A source as a reply cites it: its title, and its address when the knowledge has one (every
// channel then shows it as a link; see knowledge::valid_source_url for what an address may hold).
struct source_ref {
  source_ref() = default;
  // A title alone is a source_ref with no address (implicit, so {"Title A", "Title B"} reads as
  // a list of sources).
  source_ref(std::string title_, std::string url_ = {})  // NOLINT(google-explicit-constructor)
      : title(std::move(title_)), url(std::move(url_)) {}
  source_ref(const char* title_) : title(title_) {}  // NOLINT(google-explicit-constructor)
  std::string title;
  std::string url;  // empty when no address is known
  bool operator==(const source_ref&) const = default;
};

struct reason {
  std::string text;                      // our words, naming the answer and its effect
  std::vector<source_ref> sources;       // the sources behind it
  std::vector<std::string> facts;        // fact ids behind it
  std::string question;                  // the answer this reason comes from ("" for rule reasons)
  std::map<std::string, double> effect;  // stack id -> points, non-zero entries only
};

struct contested_view {
  std::string id;
  std::string summary;
  struct side {
    std::string position;
    std::string claim;
    std::vector<source_ref> sources;
  };
  std::vector<side> sides;
};

struct recommendation {
  std::string choice;  // a stack id, or the hybrid id
  std::string choice_label;
  // The choice's place among the framework's stacks (0 for the first), or -1 when it is none
  // of them (the hybrid): channels style the choice by it, whatever the stacks are called.
  int choice_position = -1;
  double confidence = 0;  // 0..1
  std::map<std::string, double> scores;
  std::vector<reason> reasons;  // answers that move a score, and the hybrid rule; each sourced
  std::vector<reason>
      context;  // answers that move no score (or cite no source), in answering order
  std::vector<std::string> unknowns;  // short labels of questions answered "not sure"
  std::vector<contested_view> contested;
  std::vector<std::string> next_steps;
  std::map<std::string, double> signals;
};

recommendation score(const framework& fw, const knowledge::knowledge_source& kb, const state& s);

}  // namespace advisor::dialogue
