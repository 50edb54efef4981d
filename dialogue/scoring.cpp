#include "dialogue/scoring.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace advisor::dialogue {

namespace {

// The sources behind a list of facts, each once, in order.
std::vector<source_ref> sources_of(const knowledge::knowledge_source& kb,
                                   const std::vector<std::string>& facts) {
  std::vector<source_ref> out;
  for (const auto& id : facts) {
    auto f = kb.find_fact(id);
    if (!f) continue;
    auto src = kb.find_source(f->source);
    source_ref ref = src ? source_ref{src->title, src->url} : source_ref{f->source};
    if (std::find(out.begin(), out.end(), ref) == out.end()) out.push_back(std::move(ref));
  }
  return out;
}

std::string points(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+g", std::round(v * 10) / 10);
  return buf;
}

double clamp01(double v, double lo, double hi) { return std::max(lo, std::min(hi, v)); }

}  // namespace

recommendation score(const framework& fw, const knowledge::knowledge_source& kb, const state& s) {
  recommendation rec;
  for (const auto& st : fw.stacks) rec.scores[st.id] = 0;

  for (const auto& a : s.answers) {
    const question* q = fw.find_question(a.question);
    if (!q) continue;
    if (a.option.empty()) {
      rec.unknowns.push_back(q->short_label);
      continue;
    }
    const option* o = q->find_option(a.option);
    if (!o) continue;
    for (const auto& [stack_id, pts] : o->scores) rec.scores[stack_id] += pts;
    for (const auto& [sig, v] : o->signals) rec.signals[sig] += v;
    reason r;
    r.question = q->id;
    for (const auto& [stack_id, pts] : o->scores)
      if (pts != 0) r.effect[stack_id] = pts;
    r.facts = o->facts;
    r.sources = sources_of(kb, o->facts);
    std::string effect;
    for (const auto& [stack_id, pts] : r.effect)
      effect += (effect.empty() ? "" : ", ") + fw.stack_label(stack_id) + " " + points(pts);
    r.text = "**" + q->short_label + ": " + o->label + "**" +
             (effect.empty() ? "" : " (" + effect + ")") + ". " + o->reason;
    // A weight without a source is a framework error (validate_framework reports it); rather
    // than show an unsourced reason, such an answer is shown as context.
    bool moves = !r.effect.empty() && !r.sources.empty();
    (moves ? rec.reasons : rec.context).push_back(std::move(r));
  }
  // Strongest reasons first.
  std::stable_sort(rec.reasons.begin(), rec.reasons.end(), [](const reason& x, const reason& y) {
    auto weight = [](const reason& r) {
      double w = 0;
      for (const auto& [k, v] : r.effect) w += std::fabs(v);
      return w;
    };
    return weight(x) > weight(y);
  });

  // The leading stack, then the hybrid rule on top of it.
  std::vector<std::pair<std::string, double>> ranked(rec.scores.begin(), rec.scores.end());
  auto stack_order = [&](const std::string& id) {
    for (std::size_t i = 0; i < fw.stacks.size(); ++i)
      if (fw.stacks[i].id == id) return i;
    return fw.stacks.size();
  };
  std::stable_sort(ranked.begin(), ranked.end(), [&](const auto& x, const auto& y) {
    if (x.second != y.second) return x.second > y.second;
    return stack_order(x.first) < stack_order(y.first);  // ties keep the framework's order
  });
  double lead = ranked.size() >= 2 ? ranked[0].second - ranked[1].second : ranked[0].second;
  rec.choice = ranked[0].first;
  rec.confidence = 0.5 + 0.45 * std::min(1.0, lead / 6.0);

  if (fw.hybrid && !fw.hybrid->signals.empty()) {
    const auto& h = *fw.hybrid;
    double weakest = 1e9;
    for (const auto& sig : h.signals) weakest = std::min(weakest, rec.signals[sig]);
    bool close = h.max_margin <= 0 || lead <= h.max_margin;
    if (weakest >= h.min_signal && close) {
      rec.choice = h.id;
      rec.confidence = 0.6 + 0.3 * std::min(1.0, weakest / (2 * std::max(1.0, h.min_signal)));
      reason r;
      r.text = "**Both needs weigh in.** " + h.reason;
      r.facts = h.facts;
      r.sources = sources_of(kb, h.facts);
      rec.reasons.insert(rec.reasons.begin(), std::move(r));
    }
  }
  if (lead == 0 && rec.choice != (fw.hybrid ? fw.hybrid->id : std::string{})) rec.confidence = 0.5;
  rec.confidence -= fw.unknown_penalty * static_cast<double>(rec.unknowns.size());
  rec.confidence = std::round(clamp01(rec.confidence, 0.2, 0.95) * 100) / 100;
  rec.choice_label = fw.stack_label(rec.choice);
  for (std::size_t i = 0; i < fw.stacks.size(); ++i)
    if (fw.stacks[i].id == rec.choice) rec.choice_position = static_cast<int>(i);

  // Points where the sources disagree that touch this user's answers.
  for (const auto& cp : kb.contested()) {
    bool bears = false;
    for (const auto& [q, opts] : cp.bears_on) {
      const answer* a = s.find(q);
      if (a && std::find(opts.begin(), opts.end(), a->option) != opts.end()) bears = true;
    }
    if (!bears) continue;
    contested_view v{cp.id, cp.summary, {}};
    for (const auto& side : cp.sides)
      v.sides.push_back({side.position, side.claim, sources_of(kb, side.facts)});
    rec.contested.push_back(std::move(v));
  }

  for (const auto& step : fw.next_steps) {
    if (!step.choices.empty() &&
        std::find(step.choices.begin(), step.choices.end(), rec.choice) == step.choices.end())
      continue;
    if (!step.when.empty() && !holds(step.when, s)) continue;
    rec.next_steps.push_back(step.text);
  }
  if (!rec.unknowns.empty()) {
    std::string list;
    for (const auto& u : rec.unknowns) list += (list.empty() ? "" : ", ") + u;
    rec.next_steps.push_back("Settle what was left open (" + list +
                             "): it could change this advice.");
  }
  return rec;
}

}  // namespace advisor::dialogue
