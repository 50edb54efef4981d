#include "dialogue/engine.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <set>
#include <unordered_map>

#include "dialogue/markdown.hpp"
#include "dialogue/matching.hpp"
#include "dialogue/presentation.hpp"

namespace advisor::dialogue {

namespace {

constexpr std::string_view review_id = "review";
constexpr std::string_view confirm_id = "confirm";
constexpr std::string_view change_prefix = "change:";
constexpr std::string_view not_sure_id = "not_sure";
constexpr std::size_t facts_per_answer = 3;
// Words between an answer and another question's words that still make the latter describe the
// former ("mostly node microservices": none).
constexpr std::size_t near_words = 1;

constexpr std::string_view proposal_id = "proposal";
constexpr std::string_view accept_id = "accept";
constexpr std::string_view reject_id = "reject";

}  // namespace

// Two results depend only on the answers, and conversations keep reaching the same few sets
// of answers, so they are remembered per set (bounded: past `capacity` entries a table starts
// again; shared by the threads that use the engine):
// - the number of questions still ahead: exploring the branches for it was the costliest part
//   of a turn. It depends on which questions are answered and, for the questions a condition
//   names, with which option.
// - the recommendation: it depends on the options chosen, in the order they were given.
class engine::answers_memo {
 public:
  static constexpr std::size_t capacity = 1 << 14;

  // A byte per question: 0 unanswered; 1 answered, or "not sure"; 2 + the option's index for
  // a question some condition names. Empty when an answer names no option of its question.
  static std::string ahead_key(const framework& fw, const std::vector<char>& branching,
                               const state& s) {
    std::string key(fw.questions.size(), '\0');
    for (const auto& a : s.answers) {
      auto code = code_of(fw, a, &branching);
      if (!code) return {};
      key[code->first] = code->second;
    }
    return key;
  }

  // Two bytes per answer, in the order given: the question's index and its option's code.
  static std::string recommendation_key(const framework& fw, const state& s) {
    std::string key;
    key.reserve(2 * s.answers.size());
    for (const auto& a : s.answers) {
      auto code = code_of(fw, a, nullptr);
      if (!code || code->first > 255) return {};
      key += static_cast<char>(code->first);
      key += code->second;
    }
    return key;
  }

  std::optional<int> find_ahead(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = ahead_.find(key);
    if (it == ahead_.end()) return std::nullopt;
    return it->second;
  }

  void remember_ahead(std::string key, int ahead) {
    std::lock_guard lock(mutex_);
    if (ahead_.size() >= capacity) ahead_.clear();
    ahead_.emplace(std::move(key), ahead);
  }

  std::shared_ptr<const recommendation> find_recommendation(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = recommendations_.find(key);
    return it == recommendations_.end() ? nullptr : it->second;
  }

  void remember_recommendation(std::string key, std::shared_ptr<const recommendation> rec) {
    std::lock_guard lock(mutex_);
    if (recommendations_.size() >= capacity) recommendations_.clear();
    recommendations_.emplace(std::move(key), std::move(rec));
  }

 private:
  // The answer's question index and option code (see ahead_key; with `branching` null every
  // question's option counts).
  static std::optional<std::pair<std::size_t, char>> code_of(const framework& fw, const answer& a,
                                                             const std::vector<char>* branching) {
    int i = fw.question_index(a.question);
    if (i < 0) return std::nullopt;
    auto at = static_cast<std::size_t>(i);
    if (a.option.empty() || (branching && !(*branching)[at])) return std::pair{at, char{1}};
    const question& q = fw.questions[at];
    std::size_t k = 0;
    while (k < q.options.size() && q.options[k].id != a.option) ++k;
    if (k == q.options.size() || k > 250) return std::nullopt;
    return std::pair{at, static_cast<char>(2 + k)};
  }

  std::mutex mutex_;
  std::unordered_map<std::string, int> ahead_;
  std::unordered_map<std::string, std::shared_ptr<const recommendation>> recommendations_;
};

namespace {

struct context {
  const framework& fw;
  const knowledge::knowledge_source& kb;
  const std::vector<char>& branching;  // see questions_ahead
  engine::answers_memo& memo;
  const state& s;  // the state the history leads to: a turn never replays the history
  int turn;        // the number this turn's events get
};

// The options of `q` the message leaves: neither denied nor ruled out by the rest of it ("not a
// startup, we're a textile mill": a group is no individual). `ruled_out`: some option was.
std::vector<const option*> options_left(const question& q, const std::vector<const option*>& denied,
                                        const answer_filter& allowed, bool& ruled_out) {
  std::vector<const option*> left;
  ruled_out = false;
  for (const auto& o : q.options) {
    if (std::find(denied.begin(), denied.end(), &o) != denied.end()) continue;
    if (allowed && !allowed(q, o))
      ruled_out = true;
    else
      left.push_back(&o);
  }
  return left;
}

const question* next_question(const framework& fw, const state& s) {
  for (const auto& q : fw.questions)
    if (!s.answered(q.id) && holds(q.ask_if, s)) return &q;
  return nullptr;
}

// How many more questions the user will be asked, along the longest branch still open.
// `branching[i]`: some question's condition names question i. Explores the branches on `s`
// itself (answers pushed and popped), which it leaves as it found it.
int questions_ahead(const framework& fw, const std::vector<char>& branching, state& s,
                    std::size_t from) {
  const std::size_t mark = s.answers.size();
  int count = 0;
  int longest = 0;
  for (std::size_t i = from; i < fw.questions.size(); ++i) {
    const question& q = fw.questions[i];
    if (s.answered(q.id) || !holds(q.ask_if, s)) continue;
    ++count;
    if (!branching[i]) {
      s.answers.push_back({q.id, {}, 0, {}, {}});  // its answer changes no branch
      continue;
    }
    for (const auto& o : q.options) {
      s.answers.push_back({q.id, o.id, 0, {}, {}});
      longest = std::max(longest, questions_ahead(fw, branching, s, i + 1));
      s.answers.pop_back();
    }
    break;
  }
  s.answers.resize(mark);
  return count + longest;
}

progress progress_of(const framework& fw, const std::vector<char>& branching,
                     engine::answers_memo& memo, const state& s) {
  int answered = static_cast<int>(s.answers.size());
  std::string key = engine::answers_memo::ahead_key(fw, branching, s);
  std::optional<int> known;
  if (!key.empty()) known = memo.find_ahead(key);
  int ahead;
  if (known) {
    ahead = *known;
  } else {
    state scratch = s;
    ahead = questions_ahead(fw, branching, scratch, 0);
    if (!key.empty()) memo.remember_ahead(std::move(key), ahead);
  }
  if (ahead == 0) return {answered, answered};
  return {answered + 1, answered + ahead};
}

// score(fw, kb, s), remembered: the memo's own copy, shared rather than copied.
std::shared_ptr<const recommendation> remembered(const framework& fw,
                                                 const knowledge::knowledge_source& kb,
                                                 engine::answers_memo& memo, const state& s) {
  std::string key = engine::answers_memo::recommendation_key(fw, s);
  if (key.empty()) return std::make_shared<const recommendation>(score(fw, kb, s));
  if (auto known = memo.find_recommendation(key)) return known;
  auto rec = std::make_shared<const recommendation>(score(fw, kb, s));
  memo.remember_recommendation(std::move(key), rec);
  return rec;
}

recommendation scored(const framework& fw, const knowledge::knowledge_source& kb,
                      engine::answers_memo& memo, const state& s) {
  return *remembered(fw, kb, memo, s);
}

// An answer as the user sees it (the presentation words "not sure").
answer_view view_of(const framework& fw, const answer& a) {
  const question* q = fw.find_question(a.question);
  if (!q) return {a.question, a.option, false};
  const option* o = q->find_option(a.option);
  return {q->short_label, o ? o->label : a.option, a.option.empty()};
}

// The answers of `s` whose question the framework knows, in the order given.
std::vector<answer_view> answers_of(const framework& fw, const state& s) {
  std::vector<answer_view> out;
  for (const auto& a : s.answers)
    if (fw.find_question(a.question)) out.push_back(view_of(fw, a));
  return out;
}

// Found answers, as taken: their question's and option's labels.
std::vector<answer_view> taken(const framework& fw, const std::vector<found_answer>& found) {
  std::vector<answer_view> out;
  for (const auto& f : found) {
    const question* q = fw.find_question(f.question);
    out.push_back({q->short_label, q->find_option(f.option)->label, false});
  }
  return out;
}

fact_view view_of(const knowledge::knowledge_source& kb, const knowledge::fact& f) {
  auto src = kb.find_source(f.source);
  return {f.id, f.claim, f.figure, src ? source_ref{src->title, src->url} : source_ref{f.source}};
}

// The first `limit` of the facts `ids` names that the store has.
std::vector<fact_view> facts_of(const knowledge::knowledge_source& kb,
                                const std::vector<std::string>& ids, std::size_t limit) {
  std::vector<fact_view> out;
  for (const auto& id : ids) {
    if (out.size() == limit) break;
    if (auto f = kb.find_fact(id)) out.push_back(view_of(kb, *f));
  }
  return out;
}

std::vector<scored_stack> scores_of(const framework& fw, const recommendation& r) {
  std::vector<scored_stack> out;
  for (const auto& st : fw.stacks)
    out.push_back({st.label, r.scores.count(st.id) ? r.scores.at(st.id) : 0});
  return out;
}

class turn_builder {
 public:
  explicit turn_builder(context& c) : c_(c) {}

  // Where the conversation stands after the turn's events, said after `preface`.
  outcome ask(std::vector<say> preface = {}) {
    outcome out;
    out.events = std::move(events_);
    out.action = action_;
    state after = out.events.empty() ? c_.s : advance(c_.fw, c_.s, out.events);
    out.progress = progress_of(c_.fw, c_.branching, c_.memo, after);
    const question* q = next_question(c_.fw, after);
    out.parts = std::move(preface);
    if (!after.proposals.empty()) {
      out.stage = stage::confirming;
      out.question = std::string(proposal_id);
      out.parts.push_back(proposal_part(after));
      out.options.reserve(2);
      out.options.push_back(
          {std::string(accept_id), accept_label(after.proposals.size()), option_role::accept});
      out.options.push_back({std::string(reject_id), reject_label(), option_role::reject});
    } else if (q) {
      out.stage = stage::asking;
      out.question = q->id;
      out.parts.push_back(part::asked{q->text});
      out.options.reserve(q->options.size() + 1);  // its options and "not sure"
      for (const auto& o : q->options) out.options.push_back({o.id, o.label, option_role::answer});
      out.options.push_back({std::string(not_sure_id), not_sure_label(), option_role::not_sure});
    } else if (!after.confirmed) {
      out.stage = stage::reviewing;
      out.question = std::string(review_id);
      out.parts.push_back(part::review{answers_of(c_.fw, after)});
      out.options.reserve(after.answers.size() + 1);  // confirm, and a change per answer
      out.options.push_back({std::string(confirm_id), confirm_label(), option_role::confirm});
      for (const auto& a : after.answers)
        if (const question* aq = c_.fw.find_question(a.question))
          out.options.push_back({std::string(change_prefix) + aq->id, change_label(aq->short_label),
                                 option_role::change});
    } else {
      out.stage = stage::recommended;
      auto rec = remembered(c_.fw, c_.kb, c_.memo, after);
      out.parts.push_back(recommended_part(*rec));
      out.recommendation = std::move(rec);
      out.finished = true;
      out.options.reserve(3);
      for (command cmd : {command::why, command::summary, command::restart})
        out.options.push_back(
            {std::string(to_string(cmd)), command_label(cmd), option_role::command, cmd});
    }
    out.text = present(out.parts);
    out.state = std::move(after);
    return out;
  }

  // Says something without moving the state, then repeats where we are.
  outcome inform(say what, std::vector<std::string> facts = {}) {
    std::vector<say> parts;
    parts.push_back(std::move(what));
    return inform_all(std::move(parts), std::move(facts));
  }

  outcome inform_all(std::vector<say> what, std::vector<std::string> facts = {}) {
    outcome out = ask();
    out.informing = true;
    out.facts = std::move(facts);
    if (!out.finished) {
      part::where to = out.stage == stage::reviewing    ? part::where::review
                       : out.stage == stage::confirming ? part::where::proposal
                                                        : part::where::question;
      what.push_back(part::back_to{to});
      for (auto& p : out.parts) what.push_back(std::move(p));
    }
    out.parts = std::move(what);
    out.text = present(out.parts);
    return out;
  }

  outcome refuse(notice n, say what) {
    outcome out = inform(std::move(what));
    out.informing = false;
    out.notice = n;
    out.error = std::string(to_string(n));
    return out;
  }

  // A re-prompt: what it says restates the question; the options come with the reply.
  outcome reprompt(notice n, say what) {
    outcome out = ask();
    out.parts = {std::move(what)};
    out.text = present(out.parts);
    out.notice = n;
    out.error = std::string(to_string(n));
    return out;
  }

  void understood(command c) { action_ = c; }

  part::proposal proposal_part(const state& s) const {
    part::proposal p;
    for (const auto& pr : s.proposals) {
      const question* q = c_.fw.find_question(pr.question);
      if (!q) continue;
      const option* o = q->find_option(pr.option);
      part::proposal::item item{q->short_label, o ? o->label : pr.option, std::nullopt};
      if (const answer* before = s.find(pr.question); before && before->option != pr.option)
        item.before = view_of(c_.fw, *before);
      p.items.push_back(std::move(item));
    }
    return p;
  }

  void add(event e) {
    e.turn = c_.turn;
    events_.push_back(std::move(e));
  }

  part::recommended recommended_part(const recommendation& rec) const {
    part::recommended p{rec, scores_of(c_.fw, rec), false, {}};
    double top = 0, second = 0;
    for (const auto& [k, v] : rec.scores) {
      if (v >= top) {
        second = top;
        top = v;
      } else if (v > second)
        second = v;
    }
    p.close_call = top == second && rec.choice != (c_.fw.hybrid ? c_.fw.hybrid->id : "");
    for (const auto& r : rec.context)
      if (const question* q = c_.fw.find_question(r.question)) p.noted.push_back(q->short_label);
    return p;
  }

 private:
  context& c_;
  std::vector<event> events_;
  command action_ = command::none;
};

part::why_question why_question_part(const context& c, const question& q) {
  return {q.short_label, q.why, facts_of(c.kb, q.why_facts, facts_per_answer)};
}

part::why_recommendation why_recommendation_part(const context& c, const recommendation& rec) {
  part::why_recommendation p{rec, {}};
  for (const auto& r : rec.reasons)
    p.reason_facts.push_back(facts_of(c.kb, r.facts, facts_per_answer));
  return p;
}

// An answer shows this many facts at most.
constexpr std::size_t shown_facts = 4;
// A full-text rank this close to the first's (bm25, lower is better) counts as a near tie.
constexpr double near_rank = 0.85;

// An answer from the sources: the best fact first, then up to three more, and where the
// sources disagree on the point, the disagreement. No facts when the sources cover nothing.
struct sourced_answer {
  part::sourced said;
  std::vector<std::string> facts;
};

// `topic`: the knowledge topic the question asks about, as the classifier trained on example
// questions reads it ("" when it is unsure). The full-text search ranks the facts; when its
// second fact is on that topic and its first is not, the classifier breaks the near tie ("is
// python code shorter than js" is about the code, not the language's history). It reaches no
// further down: a fact the search ranks low shares too little with the question to lead.
// `reach`: how far down the ranking a fact on that topic may come from to lead; further when
// the topic is that of a question set apart from the rest of the message ("does python even
// have types? the client's devs are all java people").
// `by_topic`: when the full-text search finds nothing, the topic's facts answer.
sourced_answer search_sources(const context& c, const std::string& query, const std::string& topic,
                              std::size_t reach = 2, bool by_topic = true) {
  sourced_answer out;
  auto hits = c.kb.search(query, shown_facts);
  // Words the facts never use made the search give up, but the classifier trained on the
  // project's example questions is sure what the question is about ("can django do live
  // notifications decently"): the facts on that topic answer it.
  if (hits.empty() && !topic.empty() && by_topic) hits = c.kb.search_on(topic, query, shown_facts);
  if (!topic.empty() && !hits.empty() && hits[0].fact.topic != topic) {
    const auto end = hits.begin() + static_cast<std::ptrdiff_t>(std::min(reach, hits.size()));
    auto on = std::find_if(hits.begin(), end,
                           [&](const knowledge::search_hit& h) { return h.fact.topic == topic; });
    if (on != end) {
      std::rotate(hits.begin(), on, on + 1);
    } else {
      // Further down, a fact on the first's stack that the full-text search ranks nearly as
      // high ("how hard is node for a frontend dev": the downsides say "hard", the learning
      // fact "front end").
      const auto more = c.kb.search(query, 2 * shown_facts);
      const auto near = std::find_if(more.begin(), more.end(), [&](const knowledge::search_hit& h) {
        return h.fact.topic == topic && h.fact.tech == hits[0].fact.tech &&
               h.rank <= near_rank * hits[0].rank;
      });
      if (near != more.end()) {
        std::erase_if(hits,
                      [&](const knowledge::search_hit& h) { return h.fact.id == near->fact.id; });
        hits.insert(hits.begin(), *near);
        if (hits.size() > shown_facts) hits.pop_back();
      }
    }
  }
  std::vector<std::string> disputed;
  for (const auto& h : hits) {
    out.said.facts.push_back(view_of(c.kb, h.fact));
    out.facts.push_back(h.fact.id);
    if (!h.fact.contested.empty() &&
        std::find(disputed.begin(), disputed.end(), h.fact.contested) == disputed.end())
      disputed.push_back(h.fact.contested);
  }
  if (!disputed.empty())
    for (const auto& cp : c.kb.contested())
      if (std::find(disputed.begin(), disputed.end(), cp.id) != disputed.end())
        out.said.disputes.push_back(cp.summary);
  return out;
}

std::string tech_label(const framework& fw, const std::string& tech) {
  if (tech == "both") return both_stacks_label();
  return fw.stack_label(tech);
}

bool squash_eq(const std::string& a, const std::string& b) {
  auto squash = [](const std::string& x) {
    std::string out;
    for (char ch : x)
      if (ch != '-' && ch != ' ' && ch != '_') out += ch;
    return out;
  };
  return squash(a) == squash(b);
}

say compare_part(const context& c, const std::string& topic_words) {
  auto topics = c.kb.topics();
  std::string topic;
  std::string wanted = normalize(topic_words);
  for (const auto& t : topics)
    if (normalize(t) == wanted || squash_eq(t, wanted)) topic = t;
  if (topic.empty() && !wanted.empty()) {
    auto hits = c.kb.search(wanted, 1);
    if (!hits.empty()) topic = hits.front().fact.topic;
  }
  if (topic.empty()) return part::compare_what{std::move(topics)};
  auto facts = c.kb.facts_on(topic);
  part::compare p{topic, {}};
  std::vector<std::string> techs;
  for (const auto& st : c.fw.stacks) techs.push_back(st.id);
  techs.push_back("both");
  for (const auto& tech : techs) {
    part::compare::side side{tech_label(c.fw, tech), {}};
    for (const auto& f : facts)
      if (f.tech == tech) side.facts.push_back(view_of(c.kb, f));
    p.sides.push_back(std::move(side));
  }
  return p;
}

bool is_finished(const context& c) { return c.s.confirmed && !next_question(c.fw, c.s); }

// `guessed`: the answers the understanding reads in the what-if when the phrases find none
// ("what if we needed live features": a yes/no question named, and no "no").
say whatif_part(const context& c, const std::string& norm,
                const std::vector<found_answer>& guessed) {
  if (!is_finished(c)) return part::whatif_too_early{};
  std::string rest = norm;
  for (std::string_view prefix : {"whatif ", "what if "})
    if (rest.rfind(prefix, 0) == 0) rest = rest.substr(prefix.size());
  std::vector<found_answer> changes;
  // `whatif <question> <answer>`, the question by id or short label.
  for (const auto& q : c.fw.questions) {
    for (const auto& name : {normalize(q.id), normalize(q.short_label)}) {
      if (rest.rfind(name + " ", 0) != 0) continue;
      auto m = match_reply(q, rest.substr(name.size() + 1));
      if (m.chosen) changes.push_back({q.id, m.chosen->id, m.phrase, false, {}});
    }
    if (!changes.empty()) break;
  }
  if (changes.empty()) changes = extract_answers(c.fw, c.s, rest, {});
  if (changes.empty()) changes = guessed;
  if (changes.empty()) return part::whatif_unclear{};
  std::vector<event> hypothetical;
  for (const auto& ch : changes)
    hypothetical.push_back(
        {event_kind::answer, ch.question, ch.option, c.turn, "whatif", ch.phrase});
  hypothetical.push_back({event_kind::confirm, {}, {}, c.turn, "whatif", {}});
  state hs = advance(c.fw, c.s, hypothetical);
  recommendation before = scored(c.fw, c.kb, c.memo, c.s);
  recommendation after = scored(c.fw, c.kb, c.memo, hs);

  part::whatif p;
  for (const auto& ch : changes) {
    const question* q = c.fw.find_question(ch.question);
    const answer* old = c.s.find(ch.question);
    p.changes.push_back({q->short_label, q->find_option(ch.option)->label,
                         old ? std::optional(view_of(c.fw, *old)) : std::nullopt});
  }
  p.same_choice = after.choice == before.choice;
  p.before_choice = before.choice_label;
  p.after_choice = after.choice_label;
  p.before_confidence = before.confidence;
  p.after_confidence = after.confidence;
  p.before_scores = scores_of(c.fw, before);
  p.after_scores = scores_of(c.fw, after);
  std::set<std::string> before_texts, after_texts;
  for (const auto& r : before.reasons) before_texts.insert(r.text);
  for (const auto& r : after.reasons) after_texts.insert(r.text);
  for (const auto& r : after.reasons)
    if (!before_texts.count(r.text)) p.new_reasons.push_back(r.text);
  for (const auto& r : before.reasons)
    if (!after_texts.count(r.text)) p.dropped_reasons.push_back(r.text);
  for (const auto& q : c.fw.questions)
    if (!hs.answered(q.id) && holds(q.ask_if, hs)) p.opened.push_back(q.short_label);
  return p;
}

part::record record_part(const context& c, const std::string& date) {
  recommendation rec = scored(c.fw, c.kb, c.memo, c.s);
  part::record p;
  p.title = c.fw.title;
  p.date = date;
  p.done = is_finished(c);
  p.answers = answers_of(c.fw, c.s);
  p.choice = rec.choice_label;
  p.confidence = rec.confidence;
  p.scores = scores_of(c.fw, rec);
  std::set<std::string> fact_ids;
  for (const auto& r : rec.reasons) {
    if (r.effect.empty() && !r.question.empty()) continue;
    p.reasons.push_back(r);
    fact_ids.insert(r.facts.begin(), r.facts.end());
  }
  std::vector<std::string> techs;
  if (c.fw.hybrid && rec.choice == c.fw.hybrid->id) {
    for (const auto& st : c.fw.stacks) techs.push_back(st.id);
    p.hybrid = true;
  } else {
    techs.push_back(rec.choice);
  }
  for (const auto& topic : {std::string("pros"), std::string("cons")})
    for (const auto& f : c.kb.facts_on(topic))
      if (std::find(techs.begin(), techs.end(), f.tech) != techs.end()) {
        p.consequences.push_back({topic == "pros", tech_label(c.fw, f.tech), f.claim});
        fact_ids.insert(f.id);
      }
  p.contested = rec.contested;
  for (const auto& cp : c.kb.contested())
    for (const auto& cv : rec.contested)
      if (cv.id == cp.id)
        for (const auto& side : cp.sides) fact_ids.insert(side.facts.begin(), side.facts.end());
  p.unknowns = rec.unknowns;
  p.next_steps = rec.next_steps;
  std::set<std::string> source_ids;
  for (const auto& id : fact_ids)
    if (auto f = c.kb.find_fact(id)) source_ids.insert(f->source);
  for (const auto& id : source_ids)
    if (auto src = c.kb.find_source(id))
      p.sources.push_back({src->title, src->author, src->publisher, src->url});
  return p;
}

}  // namespace

std::string engine::decision_record(const std::vector<event>& history,
                                    const std::string& date) const {
  state s = replay(fw_, history);
  context c{fw_, kb_, branching_, *memo_, s, 0};
  return present(record_part(c, date));
}

engine::engine(const framework& fw, const knowledge::knowledge_source& kb)
    : fw_(fw),
      kb_(kb),
      branching_(fw.questions.size(), 0),
      understanding_(fw, default_language(), &default_examples()),
      memo_(std::make_unique<answers_memo>()) {
  for (std::size_t i = 0; i < fw.questions.size(); ++i)
    for (const auto& other : fw.questions)
      if (other.ask_if.any_of.count(fw.questions[i].id)) branching_[i] = 1;
}

engine::engine(engine&&) noexcept = default;
engine::~engine() = default;

std::string engine::pending_question(const state& now) const {
  if (!now.proposals.empty()) return std::string(proposal_id);
  if (const question* q = next_question(fw_, now)) return q->id;
  return now.confirmed ? std::string{} : std::string(review_id);
}

outcome engine::current(const std::vector<event>& history) const {
  return current(history, replay(fw_, history));
}

outcome engine::current(const std::vector<event>&, const state& now) const {
  context c{fw_, kb_, branching_, *memo_, now, 0};
  turn_builder b(c);
  return b.ask();
}

outcome engine::step(const std::vector<event>& history, const input& in) const {
  return step(history, replay(fw_, history), in);
}

bool outcome::just_recommended() const {
  if (!finished || !recommendation) return false;
  return std::any_of(events.begin(), events.end(),
                     [](const event& e) { return e.kind == event_kind::confirm; });
}

const option_view* outcome::find_option(std::string_view id) const {
  for (const auto& o : options)
    if (o.id == id) return &o;
  return nullptr;
}

std::string_view to_string(notice n) {
  switch (n) {
    case notice::none:
      return "";
    case notice::empty_message:
      return "empty_message";
    case notice::too_long:
      return "too_long";
    case notice::unknown_option:
      return "unknown_option";
    case notice::ambiguous:
      return "ambiguous";
    case notice::no_match:
      return "no_match";
    case notice::not_covered:
      return "not_covered";
    case notice::stale:
      return "stale";
    case notice::framework_unavailable:
      return "framework_unavailable";
  }
  return "";
}

std::string_view to_string(stage s) {
  switch (s) {
    case stage::asking:
      return "asking";
    case stage::confirming:
      return "confirming";
    case stage::reviewing:
      return "reviewing";
    case stage::recommended:
      return "recommended";
  }
  return "";
}

std::string_view to_string(option_role r) {
  switch (r) {
    case option_role::answer:
      return "answer";
    case option_role::not_sure:
      return "not_sure";
    case option_role::confirm:
      return "confirm";
    case option_role::change:
      return "change";
    case option_role::accept:
      return "accept";
    case option_role::reject:
      return "reject";
    case option_role::command:
      return "command";
  }
  return "";
}

std::vector<found_answer> engine::corrections(const state& s, const understanding::correction& fix,
                                              const std::string& phrase, bool& sure) const {
  sure = true;
  auto change_of = [&](const question& q, const option* o) -> std::vector<found_answer> {
    const answer* before = s.find(q.id);
    if (!o || !before || before->option.empty() || before->option == o->id) return {};
    return {{q.id, o->id, phrase, false, {}}};
  };
  // A correction states its new answer first, then maybe why: its first clause.
  auto first_clause = [&](const words& said) {
    const auto clause = understanding_.clauses(said);
    words first;
    for (std::size_t i = 0; i < clause.size() && clause[i] == clause.front(); ++i) {
      first.tokens.push_back(said.tokens[i]);
      first.stems.push_back(said.stems[i]);
    }
    return first;
  };
  auto reading = [&](const question& q, const words& said, bool counts) -> const option* {
    if (const option* o = understanding_.by_quantity(q, said, counts)) return o;
    const auto m = match_reply(q, said);
    return m.fuzzy ? nullptr : m.chosen;
  };
  // The old answer it quotes or denies names the question it corrects: "i said data
  // processing", "it's not analytics", "more a website than an api".
  const question* target = nullptr;
  bool from_old = false;
  std::vector<const words*> olds;
  if (!fix.quoted.tokens.empty()) olds.push_back(&fix.quoted);
  for (const auto& d : fix.denied) olds.push_back(&d);
  for (const words* old : olds) {
    // "scratch 'small' from before, this thing will def be big + long lived": when the old
    // words give the answer of two questions (a small load, a small codebase), the one the new
    // words answer differently is corrected.
    std::vector<const question*> quoted;
    for (const auto& q : fw_.questions) {
      const answer* before = s.find(q.id);
      if (!before || before->option.empty()) continue;
      if (const option* was = reading(q, *old, false); was && was->id == before->option)
        quoted.push_back(&q);
    }
    if (quoted.empty()) continue;
    target = quoted.front();
    from_old = true;
    // "also correction, the team is actually js not python": the question the correction
    // names, when the old words are its answer too (the old systems were Python as well).
    if (const question* named =
            quoted.size() > 1 ? understanding_.named_question(fix.said, s) : nullptr;
        named && std::find(quoted.begin(), quoted.end(), named) != quoted.end()) {
      target = named;
      break;
    }
    if (quoted.size() > 1 && !fix.asserted.tokens.empty())
      for (const question* q : quoted)
        if (const option* now = reading(*q, fix.asserted, true);
            now && now->id != s.find(q->id)->option) {
          target = q;
          break;
        }
    break;
  }
  // Or the question it names: "correction on the data bit: a fair amount of reports".
  if (!target) target = understanding_.named_question(fix.said, s);
  // "about the data question, actually we WILL do a lot of it": a clause before it that names a
  // question and gives none of its answers.
  if (!target && !fix.lead.tokens.empty())
    if (const question* named = understanding_.named_question(fix.lead, s)) {
      const auto m = match_reply(*named, fix.lead);
      if (!m.chosen && m.candidates.empty()) target = named;
    }
  if (!target && !fix.quoted.tokens.empty()) target = understanding_.named_question(fix.quoted, s);
  if (target && s.answered(target->id)) {
    const option* to = understanding_.mixed(fix.said) ? target->find_reply("both") : nullptr;
    // "i said thousands of users but it'll be a couple hundred": the number is the new load.
    if (!to && !fix.asserted.tokens.empty()) {
      to = understanding_.by_quantity(*target, fix.asserted, from_old);
      if (!to) to = understanding_.changed_to(*target, fix.asserted);
      // "they run on a mainframe, the python bits were only thin wrappers": torn between the
      // answer given and one other option, the words change it to the other. (by_quantity has
      // read these words above, so the phrases' reading is all `reading` would add.)
      if (!to) {
        const auto m = match_reply(*target, fix.asserted);
        to = m.fuzzy ? nullptr : m.chosen;
        if (!to) to = other_than(m, s.find(target->id)->option);
      }
      // "we're more of a JS team, the python guy left": the new answer comes first, and the
      // reason may name the old one; when the whole reads two ways, its first clause decides.
      if (!to) {
        const words first = first_clause(fix.asserted);
        if (first.tokens.size() < fix.asserted.tokens.size()) {
          to = understanding_.changed_to(*target, first);
          if (!to) to = reading(*target, first, from_old);
        }
      }
      // "we're a big logistics company": the classifier, for words the phrases miss.
      if (!to) to = understanding_.classify_answer(*target, fix.asserted, {});
      // "we DO need stuff to update live": a yes or a no for a yes/no question.
      if (!to)
        if (auto yes_no = understanding_.polarity(fix.asserted); yes_no.sign != 0)
          to = understanding_.by_polarity(*target, yes_no.sign);
    }
    // "we don't need live stuff after all", "i said no live stuff but...": correcting one of
    // two answers gives the other.
    const bool denies_name = std::any_of(fix.denied.begin(), fix.denied.end(), [&](const words& d) {
      return understanding_.named_question(d, s) == target;
    });
    if ((!to || to->id == s.find(target->id)->option) && (from_old || denies_name) &&
        target->options.size() == 2)
      for (const auto& o : target->options)
        if (o.id != s.find(target->id)->option) to = &o;
    sure = from_old;
    if (auto change = change_of(*target, to); !change.empty() || from_old) return change;
  }
  sure = false;
  // A number for a question that counts: "oh turns out ~30% of the work will be reporting".
  for (const auto& q : fw_.questions)
    if (s.answered(q.id))
      if (auto change = change_of(q, understanding_.by_quantity(q, fix.said, false));
          !change.empty())
        return change;
  // Otherwise the words, read by the questions answered before the others.
  std::vector<found_answer> changes;
  for (auto& f : extract_answers(fw_, s, fix.said, {}, understanding_.filter(fix.said, s),
                                 understanding_.reply_words(), true)) {
    const question* q = fw_.find_question(f.question);
    if (f.fuzzy || !q) continue;
    for (auto& change : change_of(*q, q->find_option(f.option))) changes.push_back(change);
  }
  // "oh wait, i realised i already know some javascript": words the phrases miss, read by the
  // classifier for the answered questions, as sure as it must be of a question not asked.
  // "..., i'm learning this as my first real language, that's the main thing": when the whole
  // reads nothing, its first clause is read alone (a correction states its answer first).
  if (changes.empty()) {
    const words first = first_clause(fix.said);
    std::vector<const words*> readings{&fix.said};
    if (first.tokens.size() < fix.said.tokens.size()) readings.push_back(&first);
    for (const words* said : readings)
      for (const auto& a : s.answers)
        if (const question* q = fw_.find_question(a.question))
          if (auto change = change_of(*q, understanding_.classify_answer(*q, *said, {}, 1));
              !change.empty())
            return change;
  }
  return changes;
}

namespace {

// At most this many sentence breaks for a message to be read sentence by sentence.
constexpr std::size_t max_split_sentences = 8;

// Where each sentence but the last ends: just past a '.', '!' or '?' that a space or a line
// break follows ("node.js" and "5.5k" go on; "!!" ends once), or a line break. An ellipsis
// trails off inside the sentence ("internal only... so the high traffic thing was wrong").
std::vector<std::size_t> sentence_ends(std::string_view text) {
  std::vector<std::size_t> out;
  const auto last = text.find_last_not_of(" \t\r\n");
  for (std::size_t i = 0; last != std::string_view::npos && i < last; ++i) {
    const char ch = text[i];
    if (ch == '.' && i > 0 && text[i - 1] == '.') continue;
    if (ch == '\n' ||
        ((ch == '.' || ch == '!' || ch == '?') && (text[i + 1] == ' ' || text[i + 1] == '\n')))
      out.push_back(i + 1);
  }
  return out;
}

}  // namespace

outcome engine::step(const std::vector<event>& history, const state& now, const input& in) const {
  // The events of this turn share a number one past the history's last.
  context c{fw_, kb_, branching_, *memo_, now, now.last_turn + 1};
  turn_builder b(c);
  const question* pending = next_question(fw_, c.s);
  bool proposing = !c.s.proposals.empty();
  bool finished = !pending && c.s.confirmed && !proposing;
  bool reviewing = !pending && !c.s.confirmed && !proposing;

  if (in.type == input::kind::start) {
    std::vector<say> preface{part::intro{fw_.intro}};
    if (!in.text.empty() && in.text.size() <= max_message_bytes) {
      words w = understanding_.read(in.text);
      auto found = extract_answers(fw_, c.s, w, {}, understanding_.filter(w, c.s),
                                   understanding_.reply_words());
      std::erase_if(found, [](const found_answer& f) { return f.fuzzy; });
      for (const auto& f : found)
        b.add({event_kind::answer, f.question, f.option, 0, "sentence", f.phrase});
      if (!found.empty()) preface.push_back(part::took{taken(fw_, found), false});
    }
    return b.ask(preface);
  }

  // "👍" alone says "yes"; ":shrug:" (as Slack sends it) "not sure".
  const std::string said_by_emoji =
      in.type == input::kind::text ? understanding_.emoji_words(in.text) : std::string{};
  // "> who is this decision for?" and the answer below it: the quoted lines are the advisor's
  // (most messages quote nothing, and are read as they are, without a copy).
  const std::string unquoted =
      in.type == input::kind::text ? without_quoted_lines(in.text) : std::string{};
  const std::string& text = in.type == input::kind::choose ? in.option
                            : !said_by_emoji.empty()       ? said_by_emoji
                            : !unquoted.empty()            ? unquoted
                                                           : in.text;
  if (text.size() > max_message_bytes)
    return b.refuse(notice::too_long, part::too_long{max_message_bytes});
  if (normalize(text).empty() && in.type == input::kind::text)
    return b.refuse(notice::empty_message, part::empty_message{});

  auto accept = [&] {
    b.understood(command::confirm);
    std::vector<found_answer> taken;
    for (const auto& p : c.s.proposals) {
      b.add({event_kind::answer, p.question, p.option, 0, p.via, p.phrase});
      taken.push_back({p.question, p.option, p.phrase, false, {}});
    }
    return b.ask({part::accepted{dialogue::taken(fw_, taken)}});
  };
  auto reject = [&] {
    b.understood(command::back);
    b.add({event_kind::dismiss, {}, {}, 0, {}, {}});
    return b.ask({part::dismissed{}});
  };
  auto skip = [&] {
    b.understood(command::skip);
    b.add({event_kind::answer, pending->id, {}, 0, "skip", {}});
    return b.ask({part::skipped{pending->short_label}});
  };
  auto change = [&](const question& q) {
    b.understood(command::change);
    b.add({event_kind::change, q.id, {}, 0, "text", {}});
    return b.ask({part::changing{q.short_label}});
  };

  // "oh wait, the team is actually python people": a change that says the new answer is
  // proposed at once, to be confirmed; one that does not asks the question again.
  // "medium. oh and i was wrong about the team, they're all python folks": the clauses before
  // a change that proposes a new value may answer the question asked; that answer is recorded
  // first, and said, before the change is proposed.
  auto typed_change = [&](const question& q, const words& w, std::size_t change_begin = 0) {
    const option* wanted = understanding_.changed_to(q, w);
    const answer* before = c.s.find(q.id);
    if (wanted && before && before->option != wanted->id) {
      std::vector<say> preface;
      if (pending && !proposing && pending->id != q.id && change_begin > 0) {
        const auto clause = understanding_.clauses(w);
        std::size_t end = 0;  // the lead clauses end where the change's clause starts
        while (end < change_begin && clause[end] != clause[change_begin]) ++end;
        if (end > 0) {
          words lead{{w.tokens.begin(), w.tokens.begin() + static_cast<std::ptrdiff_t>(end)},
                     {w.stems.begin(), w.stems.begin() + static_cast<std::ptrdiff_t>(end)},
                     false,
                     {}};
          const auto m = match_reply(*pending, lead);
          if (m.chosen && !m.fuzzy) {
            b.add({event_kind::answer, pending->id, m.chosen->id, 0, "text", normalize(text)});
            preface.push_back(part::got_it{{{pending->short_label, m.chosen->label, false}}});
          }
        }
      }
      b.understood(command::change);
      b.add({event_kind::propose, q.id, wanted->id, 0, "text", normalize(text)});
      return b.ask(std::move(preface));
    }
    return change(q);
  };

  // "I said no to the live features", "we needed live features": a yes/no question named,
  // with a yes or a no said, or named and denied nowhere.
  auto yes_no_named = [&](const std::string& said) {
    std::vector<found_answer> out;
    const words rw = understanding_.read(said);
    const question* q = understanding_.named_question(rw, c.s);
    if (!q) return out;
    if (const option* o = understanding_.yes_no_said(rw, *q))
      out.push_back({q->id, o->id, normalize(said), false, {}});
    return out;
  };

  auto clarify = [&](const question& q) {
    part::mixed mix;
    for (const auto& o : q.options) mix.options.push_back(o.label);
    return b.refuse(notice::ambiguous, std::move(mix));
  };

  // A command, by its typed action: buttons send these ids, and so can a typed message.
  auto run = [&](command cmd, const std::string& rest) -> std::optional<outcome> {
    switch (cmd) {
      case command::help:
        b.understood(cmd);
        return b.inform(part::help{});
      case command::restart:
        b.understood(cmd);
        b.add({event_kind::restart, {}, {}, 0, {}, {}});
        return b.ask({part::restarted{}, part::intro{fw_.intro}});
      case command::back:
        b.understood(cmd);
        if (proposing) return reject();
        if (c.s.answers.empty()) return b.inform(part::nothing_to_undo{});
        b.add({event_kind::undo, {}, {}, 0, {}, {}});
        return b.ask({part::undone{}});
      case command::status:
        b.understood(cmd);
        return b.inform(part::status{answers_of(fw_, c.s)});
      case command::summary:
        b.understood(cmd);
        return b.inform_all({part::record_ready{}, record_part(c, in.date)});
      case command::why:
        b.understood(cmd);
        if (pending && !proposing) return b.inform(why_question_part(c, *pending));
        if (finished) return b.inform(why_recommendation_part(c, scored(fw_, kb_, *memo_, c.s)));
        if (proposing) return b.inform(part::why_proposal{});
        return b.inform(part::why_questions{});
      case command::compare:
        b.understood(cmd);
        return b.inform(compare_part(c, rest));
      case command::whatif:
        b.understood(cmd);
        return b.inform(whatif_part(c, "whatif " + rest, yes_no_named(rest)));
      case command::skip:
        if (!pending || proposing) return std::nullopt;
        return skip();
      case command::confirm:
        if (proposing) return accept();
        if (reviewing) {
          b.understood(cmd);
          b.add({event_kind::confirm, {}, {}, 0, "text", {}});
          return b.ask();
        }
        return std::nullopt;
      case command::change:
      case command::none:
        return std::nullopt;
    }
    return std::nullopt;
  };

  // A typed action (a channel's button): run as the command it is, never read as words.
  if (in.type == input::kind::command) {
    if (auto out = run(in.action, in.text)) return *out;
    return b.refuse(notice::unknown_option,
                    part::unknown_option{std::string(to_string(in.action))});
  }

  // Buttons and ids first: they are exact.
  if (in.type == input::kind::choose) {
    if (proposing && text == accept_id) return accept();
    if (proposing && text == reject_id) return reject();
    if (reviewing && text == confirm_id) {
      b.understood(command::confirm);
      b.add({event_kind::confirm, {}, {}, 0, "choice", {}});
      return b.ask();
    }
    if (reviewing && text.rfind(change_prefix, 0) == 0) {
      std::string qid = text.substr(change_prefix.size());
      if (const question* q = fw_.find_question(qid); q && c.s.answered(qid)) return change(*q);
    }
    if (pending && !proposing && text == not_sure_id) return skip();
    if (pending && !proposing) {
      if (const option* o = pending->find_option(text)) {
        b.add({event_kind::answer, pending->id, o->id, 0, "choice", o->label});
        return b.ask();
      }
    }
    // Command buttons (after the recommendation) are named by their command.
    for (command cmd : {command::why, command::summary, command::restart, command::help,
                        command::back, command::status})
      if (text == to_string(cmd))
        if (auto out = run(cmd, {})) return *out;
    return b.refuse(notice::unknown_option, part::unknown_option{text});
  }

  // "All JavaScript here! Oh and actually we're past testing the idea now, the product is the
  // match data": a sentence that answers the question asked, then a later one that corrects an
  // earlier answer. Each is read on its own: the answer is recorded, the correction proposed.
  // A long message is read whole: each split reads its parts again, and a part may split again.
  if (const auto ends = sentence_ends(text);
      pending && !proposing && ends.size() <= max_split_sentences) {
    for (const std::size_t end : ends) {
      const std::string_view rest = std::string_view(text).substr(end);
      if (!understanding_.correction_in(understanding_.read(rest))) continue;
      input first = in;
      first.text = text.substr(0, end);
      outcome one = step(history, now, first);
      if (one.notice != notice::none || one.action != command::none || one.events.empty() ||
          !std::all_of(one.events.begin(), one.events.end(),
                       [](const event& e) { return e.kind == event_kind::answer; }))
        break;
      input second = in;
      second.text = std::string(rest);
      outcome two = step(history, one.state, second);
      // Only the correction: what the rest would answer of the next question is not asked yet,
      // and what it says of the answer just given ("none of them fit. they're not testing an
      // idea anymore") explains that answer.
      if (two.notice != notice::none || two.events.empty() ||
          !std::all_of(two.events.begin(), two.events.end(), [&](const event& e) {
            return e.kind == event_kind::propose && e.question != pending->id;
          }))
        break;
      // One turn: the second part's events share the first's number.
      for (auto& e : two.events) {
        e.turn = c.turn;
        one.events.push_back(std::move(e));
      }
      one.parts.pop_back();  // the question the first part would ask next
      for (auto& p : two.parts) one.parts.push_back(std::move(p));
      two.events = std::move(one.events);
      two.parts = std::move(one.parts);
      two.text = present(two.parts);
      two.state = advance(fw_, now, two.events);
      return two;
    }
  }

  // Typed text: read it, then find what it does.
  const words w = understanding_.read(text);
  // The pending question's reading of the message, wanted by several steps below: once a turn.
  std::optional<option_match> pending_reply;
  // What the message rules out ("we": not "just me"), read once for every step below.
  const answer_filter allowed = understanding_.filter(w, c.s);
  auto reply_to_pending = [&]() -> const option_match& {
    if (!pending_reply) {
      pending_reply = match_reply(*pending, w);
      keep_allowed(*pending, allowed, *pending_reply);
    }
    return *pending_reply;
  };
  // "the one before the last" is a position in the list, not a step back.
  const bool from_the_end = pending && understanding_.ordinal(w).value_or(0) < -1;
  intent said = from_the_end ? intent{} : understanding_.command_in(w, c.s);
  const auto yes_no = understanding_.polarity(w);
  // "what about Go?", "php vs node?": a subject the sources never mention. A tool a backend runs
  // with ("postgres", "k8s") beside one of the stacks is no such subject: the question is about
  // the stack ("microservices on k8s, is node a fit?"), and the search leaves the tool out.
  const auto stack_in = [&](const words& of) {
    return std::any_of(fw_.stacks.begin(), fw_.stacks.end(), [&](const auto& st) {
      return std::any_of(of.tokens.begin(), of.tokens.end(), [&](const std::string& t) {
        return std::find(st.names.begin(), st.names.end(), t) != st.names.end();
      });
    });
  };
  const bool names_a_stack = stack_in(w);
  // "does python even have types? the client's devs are all java people": the words before a
  // '?' that more words follow, when they ask on their own (read once, for the subjects, the
  // commands, the question test and the search below).
  std::optional<words> question_part;
  if (const auto mark = text.find('?'); mark != std::string::npos)
    if (!understanding_.core(understanding_.read(std::string_view(text).substr(mark + 1))).empty())
      if (words q = understanding_.read(std::string_view(text).substr(0, mark + 1));
          understanding_.asks(q))
        question_part = std::move(q);
  // "How does Node cope with CPU-heavy work? In Go I would ...", "does python have types, like
  // PHP 5?": a subject named in passing, beside a question about a stack or a subject the
  // sources cover ("django, the way rails does"), is no subject asked.
  // "how does C# compare": the full-text search drops the '#' and finds the facts on C; a
  // subject written with a mark ("c#", ".net") is covered only by a fact that writes it so.
  const auto covered = [&](const std::string& sub) {
    const auto hits = kb_.search(sub, 3);
    if (std::all_of(sub.begin(), sub.end(), [](char ch) {
          return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '\'';
        }))
      return !hits.empty();
    return std::any_of(hits.begin(), hits.end(), [&](const knowledge::search_hit& h) {
      return normalize(h.fact.claim).find(sub) != std::string::npos;
    });
  };
  const auto covered_in = [&](const words& of) {
    if (stack_in(of)) return true;
    const auto named = understanding_.other_subjects(of);
    return std::any_of(named.begin(), named.end(), covered);
  };
  // "Which is better for microservices in containers? everything here goes to k8s ...": a
  // question the sources answer on its own words, before a sentence that names the subject.
  const bool asked_of_a_stack =
      covered_in(question_part ? *question_part : w) ||
      (question_part && understanding_.other_subjects(*question_part).empty() &&
       !kb_.search(understanding_.search_query(*question_part), 1).empty());
  const std::vector<std::string> subjects = understanding_.other_subjects(w);  // read once
  std::vector<std::string> unknown_subjects;  // named, and in no fact
  // "we keep whole BIM models (IFC, 800 MB) in memory. which stack?": a subject named only
  // inside parentheses is said in passing.
  std::string lowered;  // read only when a subject is named
  if (!subjects.empty()) {
    lowered = text;
    for (auto& ch : lowered) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  const auto in_parentheses = [&](const std::string& subject) {
    const auto letter = [&](std::size_t i) {
      return i < lowered.size() && std::isalnum(static_cast<unsigned char>(lowered[i]));
    };
    bool seen = false;
    for (auto at = lowered.find(subject); at != std::string::npos;
         at = lowered.find(subject, at + 1)) {
      if ((at > 0 && letter(at - 1)) || letter(at + subject.size())) continue;
      const auto open = lowered.rfind('(', at);
      const auto close = lowered.rfind(')', at);
      if (open == std::string::npos || (close != std::string::npos && close > open)) return false;
      seen = true;
    }
    return seen;
  };
  for (const auto& subject : subjects) {
    if (covered(subject)) continue;
    const bool in_passing =
        in_parentheses(subject) ||
        (asked_of_a_stack &&
         (understanding_.aside(w, subject) ||
          (question_part && std::find(question_part->tokens.begin(), question_part->tokens.end(),
                                      subject) == question_part->tokens.end())));
    if (!in_passing) unknown_subjects.push_back(subject);
  }
  const bool uncovered_subject = std::any_of(
      unknown_subjects.begin(), unknown_subjects.end(),
      [&](const std::string& sub) { return !understanding_.surrounding(sub) || !names_a_stack; });
  // "django vs flask?", "the difference between Django and Flask", "Django or Flask, what is the
  // difference?": two things set against each other, neither of them a stack, are a question for
  // the sources, not the side by side of the two stacks.
  if (said.command == command::compare && !names_a_stack) {
    const auto& t = w.tokens;
    const auto thing = [&](std::size_t i) {
      return i < t.size() && t[i] != "," && !understanding_.core(understanding_.read(t[i])).empty();
    };
    for (std::size_t k = 1; k + 1 < t.size(); ++k) {
      // "Django or Flask, what is the difference between them?"
      if ((t[k] == "vs" || t[k] == "versus" || t[k] == "or") && thing(k - 1) && thing(k + 1))
        said = {};
      if (t[k] == "between")
        for (std::size_t a = k + 2; a < t.size() && a <= k + 4; ++a)
          if (t[a] == "and" && thing(a - 1) && thing(a + 1)) said = {};
    }
  }
  // Command words in a question about the stacks: "in a nutshell why would you pick node?",
  // before any recommendation, asks what speaks for Node.js, not why the advisor asks its
  // question; in "what are the downsides of node? boss wants the cons in writing" the summary
  // words after the question say what the asker will do with the answer, and in "how do I get
  // type safety in node? I refuse to go back to untyped code" no step back is asked.
  if (names_a_stack && !uncovered_subject) {
    if (said.command == command::why && !finished && !understanding_.named_question(w, c.s))
      said = {};
    else if ((said.command == command::summary || said.command == command::back) && question_part &&
             said.begin + 1 >= question_part->tokens.size())
      said = {};
  }

  // A proposal waits for a yes or a no.
  if (proposing) {
    if (said.command == command::confirm ||
        (yes_no.sign > 0 && (yes_no.whole || said.command == command::none)))
      return accept();
    if (yes_no.sign < 0 && (yes_no.whole || said.command == command::none)) return reject();
    // Neither: the user moved on ("it'll be a big system"). The proposal lapses and the message
    // is read as it would be without it.
    if (said.command == command::none && !understanding_.core(w).empty()) {
      b.add({event_kind::dismiss, {}, {}, 0, {}, {}});
      proposing = false;
      finished = !pending && c.s.confirmed;
      reviewing = !pending && !c.s.confirmed;
    }
  }

  // "python. i mean typescript", "python, scratch that, typescript": the reply to the question
  // asked that the message ends on is the answer; the one it corrects is not (nor is it a step
  // back).
  if (pending && !proposing && in.type == input::kind::text)
    if (auto corrected = understanding_.corrected_reply(*pending, w, c.s)) {
      input alone = in;
      alone.text = std::move(*corrected);
      return step(history, now, alone);
    }

  // "little to none. also correction, the team is half python half js": a correction said in
  // passing. What it changes is proposed, to be confirmed; the rest of the message is read as
  // it would be alone, and what it answers is recorded first.
  // "start over from scratch, I want to do it for my company this time": starting over
  // corrects nothing; the reason given with it is no answer to keep. Nor does a what-if:
  // "suppose we do need live updates after all, does the answer change?".
  if (!proposing && said.command != command::restart && said.command != command::whatif)
    if (auto fix = understanding_.correction_in(w)) {
      bool sure = false;
      auto changes = corrections(c.s, *fix, normalize(text), sure);
      // "turns out we do need live push notifications": words the question asked reads as its
      // answer correct nothing, unless they name what they correct.
      // Nor when the rest of the message answers that question: "they're all python folk.
      // correction on the old systems: a mainframe, the python bits were thin wrappers".
      const auto rest_answers = [&] {
        const auto r = match_reply(*pending, understanding_.read(fix->rest));
        return r.chosen && !r.fuzzy;
      };
      if (!sure && pending && !rest_answers())
        if (const auto m = match_reply(*pending, fix->said);
            (m.chosen && !m.fuzzy) || understanding_.by_quantity(*pending, fix->said, true) ||
            understanding_.affirms(fix->said, *pending))
          changes.clear();
      // "who actually uses node in production?": a question corrects nothing.
      if (understanding_.asks(fix->said)) changes.clear();
      // "can we change my answer about live features? ... we do need a chat after all": a change
      // that names its question is that question's, read below, unless the correction is too.
      if (said.command == command::change && said.target &&
          std::none_of(changes.begin(), changes.end(),
                       [&](const found_answer& f) { return f.question == said.target->id; }))
        changes.clear();
      if (!changes.empty()) {
        std::vector<found_answer> fresh;
        if (pending && !fix->rest.empty()) {
          input alone = in;
          alone.text = fix->rest;
          for (const auto& e : step(history, now, alone).events) {
            if ((e.kind != event_kind::answer && e.kind != event_kind::propose) ||
                std::any_of(changes.begin(), changes.end(),
                            [&](const found_answer& f) { return f.question == e.question; }))
              continue;
            b.add(e);
            if (e.kind == event_kind::answer)
              fresh.push_back({e.question, e.option, e.phrase, false, {}});
          }
        }
        b.understood(command::change);
        for (const auto& f : changes)
          b.add({event_kind::propose, f.question, f.option, 0, "text", f.phrase});
        std::vector<say> preface;
        if (!fresh.empty()) preface.push_back(part::got_it{taken(fw_, fresh)});
        return b.ask(std::move(preface));
      }
    }

  // Nothing but "hi", "ok", "thanks": no answer, nothing wrong either.
  const auto core_words = understanding_.core(w);
  // But "just me" is fillers that name an option of the question asked.
  if (core_words.empty() && said.command == command::none && !proposing && !reviewing &&
      !(pending && yes_no.sign != 0 && understanding_.by_polarity(*pending, yes_no.sign)) &&
      !(pending && reply_to_pending().chosen && !reply_to_pending().fuzzy)) {
    if (understanding_.greets(w)) return b.inform(part::greeting{});
    return b.inform(part::okay{});
  }

  if (said.command == command::change) {
    if (said.target && c.s.answered(said.target->id))
      return typed_change(*said.target, w, said.begin);
    // "couple hundred users, so the high traffic thing was wrong", asked about the load: a
    // "change" of the question asked is its answer, read below.
    if (said.target && said.target != pending)
      return b.inform(part::not_answered_yet{said.target->short_label});
    // "I need to change one of my earlier answers", mid-way: which one, unless the words
    // answer the question asked.
    const bool answers_pending = pending && !proposing &&
                                 ((reply_to_pending().chosen && !reply_to_pending().fuzzy) ||
                                  understanding_.by_polarity(*pending, yes_no.sign));
    if ((reviewing || finished || (pending && !proposing && !said.target && !answers_pending)) &&
        !c.s.answers.empty()) {
      b.understood(command::change);
      return b.inform(part::which_to_change{
          fw_.find_question(c.s.answers.front().question)->short_label, reviewing || finished});
    }
  }
  if (said.command == command::skip && pending && !proposing) {
    // "no idea" is a skip, but "I don't care" may be an option of the question itself.
    const auto& m = reply_to_pending();
    // "no idea, need to ask our PM": the "no" of "no idea" is inside a skip phrase, though
    // not inside the longest one.
    // "dunno, product hasn't decided whether we do any analytics": an option named inside the
    // question left open is no answer either.
    auto skip_phrases = understanding_.phrases_of(w, command::skip);
    for (const auto& open : understanding_.open_questions(w)) skip_phrases.push_back(open);
    const bool named_outside = std::any_of(m.spans.begin(), m.spans.end(), [&](const auto& sp) {
      return std::none_of(skip_phrases.begin(), skip_phrases.end(), [&](const auto& k) {
        return k.first <= sp.first && sp.second <= k.second;
      });
    });
    // "some APIs, a lot of ML, hard to say", "hard to say, could be 500 could be 50k"
    if ((m.candidates.size() > 1 && named_outside) ||
        understanding_.by_each_quantity(*pending, w).size() > 1)
      return clarify(*pending);
    bool option_outside = m.chosen && named_outside;
    // "don't care either way" for "what do you value": the question's own "no preference".
    bool option_is_skip =
        m.chosen && !m.fuzzy && std::any_of(m.spans.begin(), m.spans.end(), [&](const auto& sp) {
          return sp.first <= said.begin && said.end <= sp.second;
        });
    if (!option_outside && !option_is_skip) return skip();
  } else if (said.command != command::none && said.command != command::change) {
    std::string rest;
    for (const auto& t : understanding_.core(w)) rest += (rest.empty() ? "" : " ") + t;
    if (said.command == command::compare) {
      // "php vs node?": no side by side for a subject the sources never mention.
      if (uncovered_subject) return b.refuse(notice::not_covered, part::not_covered{});
      // The topic: what follows the command word.
      rest = understanding_.compare_topic(w, said.end);
    }
    if (said.command == command::whatif) rest = said.rest;
    // "what if we get tons of traffic, which one holds up": before the recommendation there is
    // nothing to replay, but a question asked after the what-if is one for the sources.
    const bool asks_after = [&] {
      if (said.command != command::whatif || finished) return false;
      // "is it easy to get into node if I already know JavaScript?": a question asked first, on
      // a condition, is one for the sources too.
      // Not when a condition comes before ("what if i said ..., would that flip the result?"),
      // nor when the condition is all it asks ("what if ...", "and if ...").
      if (said.begin > 2 && text.find('?') != std::string::npos &&
          understanding_.opens_question(w) &&
          std::find(w.tokens.begin(), w.tokens.begin() + static_cast<std::ptrdiff_t>(said.begin),
                    "if") == w.tokens.begin() + static_cast<std::ptrdiff_t>(said.begin))
        return true;
      words after;
      for (std::size_t i = said.end; i < w.tokens.size(); ++i) after.tokens.push_back(w.tokens[i]);
      // "if the workload were data, what would you recommend": what it asks after is the
      // what-if's own question.
      intent tail = said;
      tail.begin = said.end;
      tail.end = w.tokens.size();
      if (understanding_.names_recommendation(w, tail)) return false;
      return understanding_.has_wh_word(after) ||
             std::find(after.tokens.begin(), after.tokens.end(), "which") != after.tokens.end();
    }();
    // "can i see the recommendation now?" with questions still open: how many are left. So for
    // "all good, confirm", said of nothing but a confirmation: it picks none of the options.
    const auto only_confirms = [&] {
      if (yes_no.sign != 0) return false;
      std::vector<bool> confirming(w.tokens.size(), false);
      for (const auto& [from, to] : understanding_.phrases_of(w, command::confirm))
        for (std::size_t i = from; i < to; ++i) confirming[i] = true;
      words others;
      for (std::size_t i = 0; i < w.tokens.size(); ++i)
        if (!confirming[i]) others.tokens.push_back(w.tokens[i]);
      return understanding_.core(others).empty();
    };
    if (said.command == command::confirm && pending && !proposing &&
        (understanding_.names_recommendation(w, said) || only_confirms())) {
      b.understood(command::confirm);
      const progress p = progress_of(fw_, c.branching, c.memo, c.s);
      return b.inform(part::not_yet{p.total - p.step + 1});
    }
    if (!asks_after)
      if (auto out = run(said.command, rest)) return *out;
  }

  if (reviewing) {
    if (yes_no.sign > 0) {
      b.understood(command::confirm);
      b.add({event_kind::confirm, {}, {}, 0, "text", {}});
      return b.ask();
    }
    if (yes_no.sign < 0 && yes_no.whole) {
      b.understood(command::change);
      return b.inform(
          part::which_to_change{fw_.find_question(c.s.answers.front().question)->short_label});
    }
  }

  // Direct replies to the pending question: yes or no, a position in the list, a quantity.
  auto answer_with = [&](const option& o, std::string via) {
    b.add({event_kind::answer, pending->id, o.id, 0, std::move(via), normalize(text)});
    return b.ask({part::got_it{{{pending->short_label, o.label, false}}}});
  };
  if (pending && !proposing) {
    // "small-to-medium?", "so... 1 and 2?": between two options (named, when the question has
    // none for both, or by their places in the list); asked back, not guessed.
    if (understanding_.between_options(*pending, w)) return clarify(*pending);
    // "our 2 seniors are python, the 5 juniors only know JS. what is 'best' here?": the answer
    // is asked back; the options are shown, not a guess.
    if (understanding_.asks_back(w)) return clarify(*pending);
    // "the 3rd sounds right for us": a position with a yes is that position.
    const auto position = understanding_.ordinal(w);
    if (yes_no.whole && !position)
      if (const option* o = understanding_.by_polarity(*pending, yes_no.sign))
        return answer_with(*o, "text");
    if (const auto& n = position) {
      int count = static_cast<int>(pending->options.size());
      if (*n == 0) return clarify(*pending);  // "the first or the third"
      if (*n == -1) {
        // The last one shown is "Not sure"; "last option, it's just me" names the one before
        // it, which is meant.
        const auto& m = reply_to_pending();
        if (m.chosen && !m.fuzzy && m.chosen == &pending->options.back())
          return answer_with(*m.chosen, "text");
        return skip();
      }
      if (*n < -1 && -*n <= count + 1)  // "the one before the last"
        return answer_with(pending->options[static_cast<std::size_t>(count + 1 + *n)], "choice");
      if (*n >= 1 && *n <= count)
        return answer_with(pending->options[static_cast<std::size_t>(*n - 1)], "choice");
      if (*n == count + 1) return skip();
    }
    // "it will grow, is our main product for many years, so large": what the message closes on
    // is the answer, whatever the clauses before it seemed to ask or weigh. Not when they
    // answer another question ("we need live updates, so python"): that is read below.
    if (said.command == command::none && text.find('?') == std::string::npos)
      if (const auto closing = understanding_.conclusion(w)) {
        const auto m = match_reply(*pending, slice(w, closing->first, closing->second));
        const words before = slice(w, 0, closing->first);
        const auto others = extract_answers(fw_, c.s, before, pending->id, allowed,
                                            understanding_.reply_words(), false, nullptr);
        if (m.chosen && !m.fuzzy && m.denied.empty() &&
            (!allowed || allowed(*pending, *m.chosen)) &&
            std::all_of(others.begin(), others.end(),
                        [&](const found_answer& f) { return f.question == pending->id; }))
          return answer_with(*m.chosen, "text");
      }
  }

  // A question ("how fast is Node.js?") is answered from the knowledge store; it is not read
  // as an answer, even when it names a stack.
  // '?' alone does not make a question: "maybe api stuff?" answers one.
  const bool question_mark = text.find('?') != std::string::npos;
  auto replies_to_pending = [&] {
    if (!pending || proposing) return false;
    const auto& m = reply_to_pending();
    return m.chosen || !m.candidates.empty();
  };
  // "for a huge codebase that'll live 10 yrs is node a bad idea?": a stack named outside the
  // words that answer the question asked is what the question is about.
  auto stack_outside_reply = [&] {
    if (!pending || proposing || !names_a_stack) return false;
    const auto& m = reply_to_pending();
    if (!m.chosen) return false;
    for (std::size_t i = 0; i < w.tokens.size(); ++i) {
      const bool stack = std::any_of(fw_.stacks.begin(), fw_.stacks.end(), [&](const auto& st) {
        return std::find(st.names.begin(), st.names.end(), w.tokens[i]) != st.names.end();
      });
      if (stack && std::none_of(m.spans.begin(), m.spans.end(),
                                [&](const auto& sp) { return sp.first <= i && i < sp.second; }))
        return true;
    }
    return false;
  };
  // "i think mainly connecting to the old stuff we already have? sorry if that's wrong": a '?'
  // before the end, after words that answer the question asked and ask nothing, hesitates over
  // that answer; what follows must not ask either ("got req/s numbers for each? ops wants
  // figures" asks).
  auto hesitates = [&] {
    if (!pending || proposing) return false;
    const auto mark = text.find('?');
    const auto last = text.find_last_not_of(" \t\r\n");
    if (mark == std::string::npos || last == std::string::npos || text[last] == '?') return false;
    const words before = understanding_.read(std::string_view(text).substr(0, mark));
    const words after = understanding_.read(std::string_view(text).substr(mark + 1));
    if (understanding_.asks(before) || understanding_.asks(after)) return false;
    if (match_reply(*pending, after).chosen) return false;
    const auto m = match_reply(*pending, before);
    return (m.chosen && !m.fuzzy) || understanding_.classify_answer(*pending, before, {}, 1);
  };
  const auto last_char = text.find_last_not_of(" \t\r\n");
  const bool opens_and_ends_asking = last_char != std::string::npos && text[last_char] == '?' &&
                                     w.tokens.size() >= 6 && understanding_.opens_question(w);
  // A question about a stack before the '?', torn between nothing.
  const bool asks_before_mark =
      names_a_stack && question_part && !understanding_.mixed(*question_part);
  const bool asks =
      (understanding_.asks(w) || (question_mark && !subjects.empty()) ||
       (question_mark && !replies_to_pending() && !hesitates()) ||
       (question_mark && stack_outside_reply()) || asks_before_mark) &&
      // "endpoints mostly but also websocket stuff, idk which one counts more": torn between
      // the question's options, not asking the sources. But in "main weaknesses of python?
      // boss wants both sides" the mix is after a question that asks on its own.
      // And "is asynchronous programming hard to pick up for java people?" opens and ends
      // like a question, long enough to be more than a hesitant reply ("is it both?").
      !(understanding_.mixed(w) && unknown_subjects.empty() && replies_to_pending() &&
        !asks_before_mark && !opens_and_ends_asking);
  // A command no rule caught, read by the classifier ("i need something to show the CTO").
  auto classified_command = [&]() -> std::optional<outcome> {
    command cmd = understanding_.classify_command(w);
    if (cmd == command::none) return std::nullopt;
    if (cmd == command::change) {
      const question* q = understanding_.named_question(w, c.s);
      if (q && c.s.answered(q->id)) return typed_change(*q, w);
      return std::nullopt;
    }
    std::string rest;
    for (const auto& t : understanding_.core(w)) rest += (rest.empty() ? "" : " ") + t;
    return run(cmd, rest);
  };
  if (asks) {
    // "what about Go?": a subject the sources never mention is not covered, whatever else the
    // question says.
    // A tool a backend runs with is left out of the search instead ("microservices on k8s, is
    // node a fit?" asks about microservices); if nothing else is covered, neither is it.
    words asked = w;
    if (uncovered_subject) return b.refuse(notice::not_covered, part::not_covered{});
    for (const auto& subject : unknown_subjects) {
      for (std::size_t i = asked.tokens.size(); i-- > 0;)
        if (asked.tokens[i] == subject) {
          asked.tokens.erase(asked.tokens.begin() + static_cast<std::ptrdiff_t>(i));
          if (i < asked.stems.size())
            asked.stems.erase(asked.stems.begin() + static_cast<std::ptrdiff_t>(i));
        }
    }
    // The words as corrected ("pyhton" is searched as "python").
    std::string corrected = understanding_.search_query(asked);
    if (text.find('?') != std::string::npos) corrected += "?";
    // "does python even have types? the client's devs are all java people": what is said after
    // the question may be about the asker, not what is asked. The whole message is searched
    // (the words after the question often say what it means: "is npm safe? heard horror
    // stories about bloat"), but the topic is the question's own when it opens like one
    // ("kinda both? ..." does not) and the classifier is sure of it. When the whole finds
    // nothing, the question's topic answers; without one, the question alone is searched
    // ("main weaknesses of python? boss wants both sides": the rest is about the boss).
    const std::optional<words>& first = question_part;
    std::string topic = first ? understanding_.topic_of(*first) : std::string();
    const bool own_topic = !topic.empty();
    if (!own_topic) topic = understanding_.topic_of(asked);
    sourced_answer answer =
        search_sources(c, corrected, topic, own_topic ? 3 : 2, !first || own_topic);
    if (answer.facts.empty() && first)
      answer = search_sources(c, understanding_.search_query(*first) + "?", topic, 4);
    // "is node a language or a framework?? my boss keeps calling it a language on client calls":
    // the words after the question led to a fact on another topic; the question alone, on its
    // own topic, answers what was asked.
    const auto on_topic = [&](const sourced_answer& a) {
      const auto f = a.facts.empty() ? std::nullopt : c.kb.find_fact(a.facts.front());
      return f && f->topic == topic;
    };
    if (own_topic && first && !answer.facts.empty() && !on_topic(answer)) {
      sourced_answer alone =
          search_sources(c, understanding_.search_query(*first) + "?", topic, 3, false);
      if (on_topic(alone)) answer = std::move(alone);
    }
    // "We're 3 devs who do React and want one language. Is that silly?": sentences that answer
    // the question asked, then a question about that answer. The answer is recorded, and the
    // question answered before the next one is asked.
    std::optional<outcome> answered_first;
    if (const auto ends = sentence_ends(text);
        pending && !proposing && !ends.empty() && ends.size() <= max_split_sentences) {
      const auto last = text.find_last_not_of(" \t\r\n");
      const std::size_t end = ends.back();  // the end of the sentences before the question
      if (text[last] == '?' && text.find('?') >= end) {
        input statement = in;
        statement.text = text.substr(0, end);
        const words said_first = understanding_.read(statement.text);
        if (!understanding_.core(said_first).empty() && !understanding_.asks(said_first)) {
          outcome out = step(history, now, statement);
          const bool records =
              std::any_of(out.events.begin(), out.events.end(), [](const event& e) {
                return e.kind == event_kind::answer || e.kind == event_kind::propose;
              });
          if (records && out.notice == notice::none && out.action == command::none)
            answered_first = std::move(out);
        }
      }
    }
    if (!answer.facts.empty()) {
      if (!answered_first) return b.inform(std::move(answer.said), std::move(answer.facts));
      outcome out = std::move(*answered_first);
      out.parts.insert(out.parts.end() - 1, std::move(answer.said));
      out.facts = std::move(answer.facts);
      out.text = present(out.parts);
      return out;
    }
    if (answered_first) return std::move(*answered_first);
    // "why do u need to know that": a command asked as a question. Not one about things the
    // advisor has never heard of ("how do i hook python up to a zebra label printer"): the
    // classifier reads only the words it knows.
    if (understanding_.unknown_words(w) < 2)
      if (auto out = classified_command()) return *out;
    // "Yes of course, what is a lab tool today without notifications": a yes or a no that is
    // the whole first clause answers a yes/no question when what follows asks the sources
    // nothing they answer.
    if (pending && !proposing && !names_a_stack && unknown_subjects.empty() && subjects.empty()) {
      const auto comma = std::find(w.tokens.begin(), w.tokens.end(), ",");
      if (comma != w.tokens.begin() && comma != w.tokens.end()) {
        const auto n = comma - w.tokens.begin();
        const auto part = [&](std::ptrdiff_t from, std::ptrdiff_t to) {
          words out;
          out.tokens.assign(w.tokens.begin() + from, w.tokens.begin() + to);
          out.stems.assign(w.stems.begin() + from, w.stems.begin() + to);
          return understanding_.polarity(out);
        };
        // The whole clause, or two wholes of one sign ("yes of course").
        int sign = part(0, n).whole ? part(0, n).sign : 0;
        for (std::ptrdiff_t k = 1; k < n && sign == 0; ++k)
          if (const auto a = part(0, k), b2 = part(k, n); a.whole && b2.whole && a.sign == b2.sign)
            sign = a.sign;
        if (const option* o = understanding_.by_polarity(*pending, sign))
          return answer_with(*o, "text");
      }
    }
    // A question the sources cannot answer is not read as an answer either, unless only its
    // question mark made it one: "maybe later?", "kinda both?" hesitate over the answer asked.
    // Nor one with no '?' that names an option of the question asked: "any of them is fine"
    // opens like a question ("any tips?") and answers it.
    const bool names_option = !question_mark && pending && !proposing &&
                              reply_to_pending().chosen && !reply_to_pending().fuzzy;
    if (!pending || proposing || (understanding_.asks(w) && !names_option) ||
        !unknown_subjects.empty() || !subjects.empty())
      return b.refuse(notice::not_covered, part::not_covered{});
  }

  // Free text: any answers it gives, to this question or to others.
  std::string_view pending_id =
      pending && !proposing ? std::string_view(pending->id) : std::string_view{};
  std::vector<std::pair<std::size_t, std::size_t>> restated;
  auto found = extract_answers(fw_, c.s, w, pending_id, allowed, understanding_.reply_words(),
                               false, &restated);
  // "mostly node microservices" for the legacy systems' stack: words in the same clause as the
  // answer to the question asked describe that answer; they do not answer another question.
  // Another clause may ("a few hundred users, and the code will stay lean").
  if (pending && !proposing) {
    const auto clause = understanding_.clauses(w);
    std::vector<std::pair<std::size_t, std::size_t>> asked_spans;
    for (const auto& f : found)
      if (f.question == pending->id)
        asked_spans.insert(asked_spans.end(), f.spans.begin(), f.spans.end());
    // Near it, that is: "a seed stage startup building a realtime chat app" says what it builds;
    // a version between them is no word apart ("a .NET Framework 4.x monolith").
    auto describes = [&](const std::pair<std::size_t, std::size_t>& sp) {
      return std::any_of(asked_spans.begin(), asked_spans.end(), [&](const auto& a) {
        if (clause[a.first] != clause[sp.first]) return false;
        const std::size_t from = std::min(a.second, sp.second), to = std::max(a.first, sp.first);
        std::size_t gap = 0;
        for (std::size_t k = from; k < to; ++k)
          if (!has_digit(w.tokens[k]) && w.tokens[k] != "x") ++gap;
        return gap <= near_words;
      });
    };
    if (!asked_spans.empty())
      std::erase_if(found, [&](const found_answer& f) {
        return f.question != pending->id && !f.spans.empty() &&
               std::all_of(f.spans.begin(), f.spans.end(), describes);
      });
    // "not trying to become a data scientist, I just want a thing for my own use": words that
    // deny an option of the question asked say what the answer is not; they answer none of the
    // questions that option hints at ("data and ML"). "we don't do any ML" for the workload
    // still says how much data work there is.
    const auto& denied_here = reply_to_pending().negated_spans;
    const auto& denied_options = reply_to_pending().negated;
    std::erase_if(found, [&](const found_answer& f) {
      const bool hinted =
          std::any_of(denied_options.begin(), denied_options.end(), [&](const option* o) {
            return std::find(o->hints_at.begin(), o->hints_at.end(), f.question) !=
                   o->hints_at.end();
          });
      return hinted && f.question != pending->id && !f.spans.empty() &&
             std::all_of(f.spans.begin(), f.spans.end(), [&](const auto& sp) {
               return std::any_of(denied_here.begin(), denied_here.end(), [&](const auto& d) {
                 return sp.first < d.second && d.first < sp.second;
               });
             });
    });
    // "I already know JS from doing the practice website": where the skill was learned is no
    // answer of the project's.
    std::erase_if(found, [&](const found_answer& f) {
      return f.question != pending->id && !f.spans.empty() &&
             std::all_of(f.spans.begin(), f.spans.end(), [&](const auto& sp) {
               return understanding_.learned_on(w, clause, sp.first);
             });
    });
  }
  // Numbers ("maybe 5k users") answer the questions that count things.
  // The number says more than a word beside it ("tens of thousands of open sockets" is very
  // high, though "thousands" alone reads as growing).
  bool counted_elsewhere = false;      // a number answered a question other than the one asked
  bool counted_here = false;           // a number answered the question asked
  std::vector<std::string> by_number;  // the questions a number answered
  for (const auto& q : fw_.questions) {
    bool is_pending = pending_id == q.id;
    if (!is_pending && !may_hold(fw_, q.ask_if, c.s))
      continue;  // answered ones too: a number may change them
    if (const option* o = understanding_.by_quantity(q, w, is_pending)) {
      counted_elsewhere = counted_elsewhere || !is_pending;
      counted_here = counted_here || is_pending;
      by_number.push_back(q.id);
      std::vector<std::pair<std::size_t, std::size_t>> spans;
      for (const auto& f : found)
        if (f.question == q.id) spans = f.spans;
      std::erase_if(found, [&](const found_answer& f) { return f.question == q.id; });
      found.push_back({q.id, o->id, normalize(text), false, spans});
      // "~100 users and a tiny codebase": the number answered the load, so the words that
      // answered it too ("tiny") are free for a later question the message names beside them.
      for (const auto& sp : spans)
        for (const auto& later : fw_.questions) {
          if (&later == &q || !may_hold(fw_, later.ask_if, c.s) ||
              std::any_of(found.begin(), found.end(),
                          [&](const found_answer& f) { return f.question == later.id; }))
            continue;
          const words part = slice(w, sp.first, std::min(sp.second + near_words, w.tokens.size()));
          if (!understanding_.names(part, later)) continue;
          const auto m = match_reply(later, part);
          if (m.chosen && !m.fuzzy && (!allowed || allowed(later, *m.chosen)))
            found.push_back({later.id, m.chosen->id, normalize(text), false, {sp}});
        }
    }
  }
  // "a bank, few thousand engineers": a head count says how big the company is; its "thousand"
  // says nothing of the load, which only a count of users or requests answers.
  const bool head_count = std::any_of(by_number.begin(), by_number.end(), [&](const auto& id) {
    return !understanding_.counted(*fw_.find_question(id));
  });
  if (head_count)
    std::erase_if(found, [&](const found_answer& f) {
      const question* q = fw_.find_question(f.question);
      return q && understanding_.counted(*q) &&
             std::find(by_number.begin(), by_number.end(), f.question) == by_number.end();
    });
  // "yeah, we need chat": a leading yes or no answers a yes/no question being asked, and says
  // more than a typo's guess ("barely any, maybe a csv export").
  if (pending && !proposing && yes_no.sign != 0 &&
      std::none_of(found.begin(), found.end(),
                   [&](const found_answer& f) { return f.question == pending->id && !f.fuzzy; }))
    if (const option* o = understanding_.by_polarity(*pending, yes_no.sign)) {
      std::erase_if(found, [&](const found_answer& f) { return f.question == pending->id; });
      found.push_back({pending->id, o->id, normalize(text), false, {}});
    }

  // "live polls that update for everyone", asked about live features: a yes/no question named,
  // and denied nowhere, is answered yes; its words change no earlier answer in passing.
  if (pending && !proposing && yes_no.sign == 0 &&
      std::none_of(found.begin(), found.end(),
                   [&](const found_answer& f) { return f.question == pending->id; }))
    if (const option* o = understanding_.affirms(w, *pending))
      if (!allowed || allowed(*pending, *o))
        found.push_back({pending->id, o->id, normalize(text), false, {}});

  // Words the phrases miss ("hospital IT department"): the classifier trained on the examples
  // reads the pending question's answer from the words no other answer used.
  // Not when a number answered another question: "tens of thousands of people at peak" says
  // nothing of the codebase's size.
  // Not a bare "for sure" to a question with no yes among its options: it picks none of them.
  if (pending && !proposing && !counted_elsewhere && !yes_no.whole &&
      std::none_of(found.begin(), found.end(),
                   [&](const found_answer& f) { return f.question == pending->id; })) {
    std::vector<std::pair<std::size_t, std::size_t>> used = restated;
    for (const auto& f : found) used.insert(used.end(), f.spans.begin(), f.spans.end());
    // "no heavy number crunching, just pages and a db": words read as an option the message
    // denies are read again without the denial, and what the rest says counts; when the rest
    // says nothing ("not fussed either way"), the first reading stands.
    const auto& denied = reply_to_pending().denied;
    const auto& negated = reply_to_pending().negated;
    const auto classified = [&]() -> const option* {
      const option* o = understanding_.classify_answer(*pending, w, used);
      if (!o || std::find(negated.begin(), negated.end(), o) == negated.end()) return o;
      // The denial reaches the end of its clause: "not bothered about sharing code with the
      // front end" denies the front end too.
      auto outside = used;
      const auto clause = understanding_.clauses(w);
      for (auto [from, to] : reply_to_pending().negated_spans) {
        while (to < clause.size() && clause[to] == clause[from] && w.tokens[to] != ",") ++to;
        outside.emplace_back(from, to);
      }
      const option* rest = understanding_.classify_answer(*pending, w, outside);
      if (rest && std::find(negated.begin(), negated.end(), rest) == negated.end()) return rest;
      // "not a startup, we're a company up north": the one option left answers.
      bool ruled_out = false;
      const auto left = options_left(*pending, negated, allowed, ruled_out);
      return ruled_out && left.size() == 1 ? left.front() : o;
    };
    if (found.empty() || !used.empty())
      if (const option* o = classified())
        if ((!allowed || allowed(*pending, *o)) &&
            std::find(denied.begin(), denied.end(), o) == denied.end()) {
          // "trying to move into ML / data jobs": a one-clause sentence the classifier read as
          // the answer asked for describes that answer; its words answer nothing else.
          // Not the answer to a question asked only after that answer: "connect to the old
          // payroll system which is all java" says what the legacy systems run on.
          const auto clause = understanding_.clauses(w);
          if (!clause.empty() && clause.front() == clause.back())
            std::erase_if(found, [&](const found_answer& f) {
              const question* q = fw_.find_question(f.question);
              if (!q) return true;
              const auto it = q->ask_if.any_of.find(pending->id);
              return it == q->ask_if.any_of.end() ||
                     std::find(it->second.begin(), it->second.end(), o->id) == it->second.end();
            });
          found.push_back({pending->id, o->id, normalize(text), false, {}});
        }
  }

  // "This is for me personally. I already know javascript", asked who is choosing: an answer
  // to a question asked only after one option of the question asked says that option.
  if (pending && !proposing && std::none_of(found.begin(), found.end(), [&](const found_answer& f) {
        return f.question == pending->id;
      }))
    for (const auto& f : found) {
      const question* q = fw_.find_question(f.question);
      if (!q || f.option.empty() || q->ask_if.any_of.size() != 1) continue;
      const auto it = q->ask_if.any_of.find(pending->id);
      if (it == q->ask_if.any_of.end() || it->second.size() != 1) continue;
      const option* o = pending->find_option(it->second.front());
      if (o && (!allowed || allowed(*pending, *o))) {
        found.push_back({pending->id, o->id, normalize(text), false, {}});
        break;
      }
    }

  // "no realtime stuff, no AI, just a site with a few forms", asked what the backend does:
  // denials before the answer strike out the question's other options; they are no "no" to
  // the questions about live features or data, which come later and are asked then. After
  // the answer they add to it ("REST APIs, no realtime at all").
  if (pending && !proposing && !reply_to_pending().denied.empty()) {
    const auto asked = std::find_if(found.begin(), found.end(), [&](const found_answer& f) {
      return f.question == pending->id && !f.option.empty();
    });
    // "Not busy, no analytics, no ancient systems to hook into", asked the system's main job:
    // with the question asked not answered, its options denied are all the denials say.
    if (asked == found.end())
      std::erase_if(found, [&](const found_answer& f) {
        const question* q = fw_.find_question(f.question);
        return f.question != pending->id && q && !f.spans.empty() &&
               understanding_.by_polarity(*q, -1) == q->find_option(f.option);
      });
    else {
      // Where the answer starts; the classifier's answer has no words of its own, so the last
      // clause stands for it ("..., just customers filling forms").
      std::size_t first_asked = w.tokens.size();
      for (const auto& a : asked->spans) first_asked = std::min(first_asked, a.first);
      if (asked->spans.empty()) {
        const auto clause = understanding_.clauses(w);
        while (first_asked > 0 && !clause.empty() && clause[first_asked - 1] == clause.back())
          --first_asked;
      }
      std::erase_if(found, [&](const found_answer& f) {
        const question* q = fw_.find_question(f.question);
        return f.question != pending->id && q && !f.spans.empty() &&
               understanding_.by_polarity(*q, -1) == q->find_option(f.option) &&
               std::all_of(f.spans.begin(), f.spans.end(),
                           [&](const auto& sp) { return sp.second <= first_asked; });
      });
    }
  }

  // "we're a brand-new company and the product is all about predicting churn": once the
  // phrases answered the question asked, the words they did not use may answer the question
  // that comes next. The classifier must be surer of it, on two words at least.
  if (pending && !proposing && !found.empty()) {
    state after = c.s;
    for (const auto& f : found) {
      std::erase_if(after.answers, [&](const answer& a) { return a.question == f.question; });
      after.answers.push_back({f.question, f.option, 0, "text", f.phrase});
    }
    const question* next = next_question(fw_, after);
    std::vector<std::pair<std::size_t, std::size_t>> used;
    for (const auto& f : found) used.insert(used.end(), f.spans.begin(), f.spans.end());
    // Words the classifier already read for the question asked count once more only when it is
    // very sure.
    bool reused = used.empty();
    // "yes sort of... only notifications, nothing like a chat", asked about live features: a
    // clause that denies an option of the question asked describes that answer; its "nothing"
    // says nothing of the data.
    if (const auto clause = understanding_.clauses(w); !clause.empty())
      for (std::size_t from = 0; from < clause.size();) {
        std::size_t to = from;
        while (to < clause.size() && clause[to] == clause[from]) ++to;
        const auto m = match_reply(*pending, slice(w, from, to));
        if (!m.negated.empty()) used.emplace_back(from, to);
        from = to;
      }
    // "a count of active users somewhere" says nothing of how many: a count is read from its
    // number (above), not guessed from the words of a sentence about something else.
    // "not huge, maybe 200 ppl": words beside a count asked for say how big that count is.
    // "yes, a little bit", asked about live features: one of the next question's short replies
    // ("a little bit" of data) answers it only once it is asked.
    const auto by_reply = [&](const option& o) {
      // "And yes, we'll need live stock updates": a yes or a no says more than a reply's word.
      if (understanding_.by_polarity(*next, 1) == &o || understanding_.by_polarity(*next, -1) == &o)
        return false;
      const auto m = match_reply(*next, w);
      return m.chosen == &o &&
             std::find(o.replies.begin(), o.replies.end(), m.phrase) != o.replies.end();
    };
    if (next && next != pending && !understanding_.counted(*next) && !counted_here)
      if (const option* o = understanding_.classify_answer(*next, w, used, reused ? 2 : 1))
        if ((!allowed || allowed(*next, *o)) && !by_reply(*o))
          found.push_back({next->id, o->id, normalize(text), false, {}});
  }

  // "mostly JS with a bit of Python", "half startup half agency": an answer between options is
  // asked back, not guessed, unless the question has an option for both.
  if (pending && !proposing) {
    const auto& m = reply_to_pending();
    // "somewhere between 1k and 10k users": numbers that all fall in one band are no mix.
    if (understanding_.mixed(w) && understanding_.by_each_quantity(*pending, w).size() != 1) {
      std::erase_if(found, [&](const found_answer& f) { return f.question == pending->id; });
      const option* both = pending->find_reply("both");
      // "somewhere in between, not tiny not huge": the question's middle option says so.
      if (!both && m.chosen && !m.fuzzy && m.candidates.size() <= 1 &&
          std::find(m.chosen->replies.begin(), m.chosen->replies.end(), "in between") !=
              m.chosen->replies.end())
        both = m.chosen;
      if (!both) return clarify(*pending);
      found.push_back({pending->id, both->id, normalize(text), false, {}});
    } else if (understanding_.both_of_two(*pending, w) ||
               understanding_.torn_across_but(*pending, w)) {
      // "both the traffic one and the old systems one": two options, and none for both.
      return clarify(*pending);
    } else if (const auto bands = understanding_.by_each_quantity(*pending, w);
               understanding_.hedged(w) &&
               (m.candidates.size() > 1 || bands.size() > 1 ||
                // "hundreds now but could be 100k if the campaign hits": the words say one
                // band, the number another.
                (m.chosen && bands.size() == 1 && bands.front() != m.chosen))) {
      const option* main = bands.empty() ? understanding_.hedged_main(*pending, w) : nullptr;
      if (!main && bands.empty()) main = understanding_.by_head_counts(*pending, w);
      if (!main) return clarify(*pending);
      std::erase_if(found, [&](const found_answer& f) { return f.question == pending->id; });
      found.push_back({pending->id, main->id, normalize(text), false, {}});
      // "mostly APIs, plus we need live alerts too": a clause that names a lesser option answers
      // a later question that asks about it ("will you also need live features?").
      state after = c.s;
      after.answers.push_back({pending->id, main->id, 0, "text", {}});
      for (const auto& part : understanding_.clause_parts(w)) {
        const auto lesser = match_reply(*pending, part);
        if (!lesser.chosen || lesser.fuzzy || lesser.chosen == main) continue;
        for (auto& f : extract_answers(fw_, after, part, {}, allowed, understanding_.reply_words(),
                                       false, nullptr))
          if (!f.fuzzy && !after.answered(f.question) &&
              std::none_of(found.begin(), found.end(),
                           [&](const found_answer& g) { return g.question == f.question; })) {
            f.spans.clear();  // the clause's own token numbers, not the message's
            found.push_back(std::move(f));
          }
      }
    } else if ((m.chosen || !m.candidates.empty() ||
                std::any_of(found.begin(), found.end(),
                            [&](const found_answer& f) { return f.question == pending->id; })) &&
               bands.size() != 1 && understanding_.changes_over_time(w)) {
      // "small for the MVP but if it works it'll balloon": one answer now, another later.
      return clarify(*pending);
    } else if (m.chosen && (understanding_.hedges_between(w) || understanding_.weighs_alike(w))) {
      // "a bit of analytics but mostly it has to talk to the old billing system": one option
      // named, another described in the rest; asked back, not guessed. So is "sharing code would
      // be nice, but a quick prototype is also important".
      const option* other = understanding_.classify_answer(*pending, w, m.spans);
      if (other && other != m.chosen) return clarify(*pending);
    } else if (m.candidates.size() > 1 && understanding_.weighs_alike(w)) {
      // "readable code matters, but sharing code with the react app is also important": two
      // options named, the later one weighing as much as the first: which of the two?
      part::ambiguous could_mean;
      for (const auto* o : m.candidates) could_mean.options.push_back(o->label);
      return b.refuse(notice::ambiguous, std::move(could_mean));
    }
  }

  // "all four of us write React and Express, we'd build the front and the back ourselves",
  // asked the startup's focus: a full-stack JavaScript team is the answer; what it says of the
  // team is part of it, not a second answer (the team question is still asked).
  // "I want to move into people analytics, a real data scientist job": the goal hints at data
  // work, and a workload read from the same clauses is that hint, not an answer; a clause of its
  // own ("so the backend will mostly crunch data") still answers.
  if (const auto asked =
          std::find_if(found.begin(), found.end(),
                       [&](const found_answer& f) { return pending && f.question == pending->id; });
      asked != found.end())
    if (const option* o = pending->find_option(asked->option);
        o && (!o->speaks_for.empty() || !o->hints_at.empty())) {
      const auto clause = understanding_.clauses(w);
      const auto clauses_of = [&](const found_answer& f) {
        std::set<std::size_t> out;
        for (const auto& sp : f.spans)  // "front end and back end" spans its "and"
          for (std::size_t k = sp.first; k < sp.second && k < clause.size(); ++k)
            out.insert(clause[k]);
        return out;
      };
      const auto answer_clauses = clauses_of(*asked);
      const auto among = [](const std::vector<std::string>& ids, const std::string& id) {
        return std::find(ids.begin(), ids.end(), id) != ids.end();
      };
      std::erase_if(found, [&](const found_answer& g) {
        if (g.question == pending->id) return false;
        if (among(o->speaks_for, g.question)) return true;
        if (!among(o->hints_at, g.question)) return false;
        const auto own = clauses_of(g);
        return own.empty() || answer_clauses.empty() ||
               std::includes(answer_clauses.begin(), answer_clauses.end(), own.begin(), own.end());
      });
    }

  if (!found.empty()) {
    std::vector<found_answer> fresh, proposed;
    for (auto& f : found) {
      const answer* before = c.s.find(f.question);
      bool changes = before && !before->option.empty() &&
                     before->option != f.option;  // "not sure" may just be answered
      (changes || f.fuzzy ? proposed : fresh).push_back(f);
    }
    // "move fast and share code between client and server", asked what matters most: once the
    // question asked is answered, words that would change an earlier answer in passing change
    // nothing unless the message names that question, denies the answer given ("not a
    // startup"), marks a correction ("we pivoted", "after all") or a number says it.
    // "roughly 300 staff will use it", asked the load of an established company: an answer
    // given before, said again, is no news; it is left out when the message says more.
    auto restates = [&](const found_answer& f) {
      const answer* before = c.s.find(f.question);
      return (!pending || f.question != pending->id) && before && before->option == f.option &&
             !f.option.empty();
    };
    const bool restated_any = std::any_of(fresh.begin(), fresh.end(), restates);
    // At the review, words that restate an answer given are about that answer: "shipping fast
    // and sharing the types with the React app" restates what matters most, and its "shipping
    // fast" is no change of the startup's focus in passing.
    const bool answers_pending =
        pending ? std::any_of(fresh.begin(), fresh.end(),
                              [&](const found_answer& f) { return f.question == pending->id; })
                : restated_any;
    if (answers_pending && !understanding_.correction_in(w))
      std::erase_if(proposed, [&](const found_answer& f) {
        const question* q = fw_.find_question(f.question);
        const answer* before = c.s.find(f.question);
        const option* old = q && before ? q->find_option(before->option) : nullptr;
        return (!pending || f.question != pending->id) && q && !understanding_.names(w, *q) &&
               !(old && understanding_.denies(w, *old)) &&
               std::find(by_number.begin(), by_number.end(), f.question) == by_number.end();
      });
    if (restated_any && (!proposed.empty() || !std::all_of(fresh.begin(), fresh.end(), restates)))
      std::erase_if(fresh, restates);
    // "I'm a data analyst at the hospital, but this one is just for me": an answer to a question
    // that the message's other answers rule out ("system's main job" is asked of companies)
    // was said of something else.
    if (fresh.size() > 1) {
      state with = c.s;
      for (const auto& f : fresh) {
        std::erase_if(with.answers, [&](const answer& a) { return a.question == f.question; });
        with.answers.push_back({f.question, f.option, 0, "text", f.phrase});
      }
      std::erase_if(fresh, [&](const found_answer& f) {
        const question* q = fw_.find_question(f.question);
        return q && !may_hold(fw_, q->ask_if, with);
      });
    }
    for (const auto& f : fresh)
      b.add({event_kind::answer, f.question, f.option, 0, found.size() > 1 ? "sentence" : "text",
             f.phrase});
    for (const auto& f : proposed)
      b.add({event_kind::propose, f.question, f.option, 0, "text", f.phrase});
    std::vector<say> preface;
    bool only_pending = fresh.size() == 1 && pending && fresh.front().question == pending->id;
    if (only_pending)
      preface.push_back(part::got_it{taken(fw_, fresh)});
    else if (!fresh.empty())
      preface.push_back(part::took{taken(fw_, fresh), true});
    return b.ask(std::move(preface));
  }

  if (!asks)
    if (auto out = classified_command()) return *out;
  if (asks) return b.refuse(notice::not_covered, part::not_covered{});

  // After the recommendation, any other text is taken as a question for the sources.
  if (!pending && !reviewing && !proposing) {
    sourced_answer answer = search_sources(
        c, understanding_.search_query(w) + (text.find('?') != std::string::npos ? "?" : ""),
        understanding_.topic_of(w));
    if (!answer.facts.empty()) return b.inform(std::move(answer.said), std::move(answer.facts));
    return b.refuse(notice::not_covered, part::not_covered{true});
  }

  if (proposing) return b.refuse(notice::no_match, part::proposal_unclear{});
  // "random q but whats the weather in berlin": a question word and a subject the sources never
  // mention, though the sentence does not open as a question.
  if (uncovered_subject && understanding_.has_wh_word(w))
    return b.refuse(notice::not_covered, part::not_covered{});
  if (pending) {
    const auto& m = reply_to_pending();
    // "12 eng: 6 py, 6 TS": counted people say how the team splits.
    if (const option* o =
            m.candidates.size() > 1 ? understanding_.by_head_counts(*pending, w) : nullptr)
      return answer_with(*o, "text");
    // "pipelines + model training, the API part is tiny": the one option not called small.
    if (m.candidates.size() > 1) {
      const auto lesser = understanding_.lesser_options(*pending, w);
      std::vector<const option*> main;
      for (const auto* o : m.candidates)
        if (std::find(lesser.begin(), lesser.end(), o) == lesser.end()) main.push_back(o);
      if (!lesser.empty() && main.size() == 1 && (!allowed || allowed(*pending, *main.front())))
        return answer_with(*main.front(), "text");
      part::ambiguous could_mean;
      for (const auto* o : m.candidates) could_mean.options.push_back(o->label);
      return b.refuse(notice::ambiguous, std::move(could_mean));
    }
    // "not tiny": an option denied, nothing else said - which of the others is it?
    // "not a startup, we're a textile mill": the one option left is the answer.
    if (!m.negated.empty() && m.negated.size() + 1 < pending->options.size()) {
      bool ruled_out = false;
      const auto left = options_left(*pending, m.negated, allowed, ruled_out);
      if (left.size() == 1) return answer_with(*left.front(), "text");
      if (!left.empty()) {
        part::ambiguous could_mean;
        for (const auto* o : left) could_mean.options.push_back(o->label);
        return b.refuse(notice::ambiguous, std::move(could_mean));
      }
    }
    // "both, really", "honestly both": more than one option, none of them named - which?
    if (const auto said_core = understanding_.core(w);
        said_core.size() <= 2 &&
        std::find(said_core.begin(), said_core.end(), "both") != said_core.end())
      return clarify(*pending);
    return b.reprompt(notice::no_match, part::no_match{in.text, pending->text});
  }
  return b.refuse(notice::no_match, part::review_unclear{});
}

}  // namespace advisor::dialogue
