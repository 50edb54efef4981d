#include "dialogue/classifier.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace advisor::dialogue {

namespace {

// Laplace smoothing: small, so one example word that only one label uses counts for a lot.
constexpr double smoothing = 0.1;

}  // namespace

classifier::classifier(std::unordered_set<std::string> ignored) : ignored_(std::move(ignored)) {}

std::vector<std::string> classifier::features(
    const words& w, const std::vector<std::pair<std::size_t, std::size_t>>& skip) const {
  std::vector<std::string> out;
  std::string previous;
  for (std::size_t i = 0; i < w.tokens.size(); ++i) {
    bool skipped = std::any_of(skip.begin(), skip.end(),
                               [&](const auto& s) { return s.first <= i && i < s.second; });
    const std::string& t = w.tokens[i];
    // A bare number says how many, which the quantity rules read; as a word it would tie "2" to
    // whichever answer an example with a 2 in it had.
    bool number = !t.empty() &&
                  std::all_of(t.begin(), t.end(), [](unsigned char c) { return std::isdigit(c); });
    if (skipped || number || t == "," || ignored_.count(t)) {
      previous.clear();
      continue;
    }
    const std::string& s = w.stems[i];
    out.push_back(s);
    if (!previous.empty()) out.push_back(previous + " " + s);
    previous = s;
  }
  return out;
}

void classifier::add(const std::string& label, const words& example) {
  auto& counts = counts_[label];
  double& total = totals_[label];
  for (const auto& f : features(example, {})) {
    counts[f] += 1;
    total += 1;
    vocabulary_.insert(f);
  }
}

classifier::guess classifier::classify(
    const words& message, const std::vector<std::string>& labels, double min_probability,
    std::size_t min_evidence, const std::vector<std::pair<std::size_t, std::size_t>>& skip) const {
  guess g;
  std::vector<std::string> known;
  for (auto& f : features(message, skip))
    if (vocabulary_.count(f)) known.push_back(std::move(f));
  g.evidence = known.size();
  if (known.empty() || known.size() < min_evidence) return g;
  const double v = static_cast<double>(vocabulary_.size());
  std::vector<std::pair<std::string, double>> scores;
  for (const auto& [label, counts] : counts_) {
    if (!labels.empty() && std::find(labels.begin(), labels.end(), label) == labels.end()) continue;
    double total = totals_.at(label);
    double log_p = 0;
    for (const auto& f : known) {
      auto it = counts.find(f);
      double c = it == counts.end() ? 0 : it->second;
      log_p += std::log((c + smoothing) / (total + smoothing * v));
    }
    scores.emplace_back(label, log_p);
  }
  if (scores.empty()) return g;
  double top = std::max_element(scores.begin(), scores.end(), [](auto& a, auto& b) {
                 return a.second < b.second;
               })->second;
  double sum = 0;
  for (const auto& [label, s] : scores) sum += std::exp(s - top);
  for (const auto& [label, s] : scores) {
    if (s != top) continue;
    g.probability = 1.0 / sum;
    if (g.probability >= min_probability) g.label = label;
    break;
  }
  return g;
}

}  // namespace advisor::dialogue
