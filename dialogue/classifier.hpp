// A small text classifier: multinomial naive Bayes over word stems and stem pairs, trained at
// start-up on the example sentences the project ships (config/examples.json). It reads the
// sentences the phrase matcher cannot: "hospital IT department" for an established company,
// "transcoding user uploads" for heavy computation. It only answers when the words it knows
// point clearly one way; otherwise it says nothing and the advisor asks again.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "dialogue/matching.hpp"

namespace advisor::dialogue {

class classifier {
 public:
  // `ignored`: words that carry nothing (fillers, articles, pronouns).
  explicit classifier(std::unordered_set<std::string> ignored = {});

  void add(const std::string& label, const words& example);

  struct guess {
    std::string label;         // empty: no clear answer
    double probability = 0;    // of `label` among the labels asked about
    std::size_t evidence = 0;  // how many of the message's features the examples know
  };

  // The most likely of `labels` (all labels when empty), or an empty guess when fewer than
  // `min_evidence` features are known or the winner's probability is under `min_probability`.
  // Tokens in [skip_begin, skip_end) ranges are left out.
  guess classify(const words& message, const std::vector<std::string>& labels,
                 double min_probability, std::size_t min_evidence,
                 const std::vector<std::pair<std::size_t, std::size_t>>& skip = {}) const;

 private:
  std::vector<std::string> features(
      const words& w, const std::vector<std::pair<std::size_t, std::size_t>>& skip) const;

  std::unordered_set<std::string> ignored_;
  std::map<std::string, std::unordered_map<std::string, double>>
      counts_;                            // label -> feature -> count
  std::map<std::string, double> totals_;  // label -> feature count
  std::unordered_set<std::string> vocabulary_;
};

}  // namespace advisor::dialogue
