#include "dialogue/engine.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <set>
#include <sstream>
#include <unordered_map>

#include "dialogue/matching.hpp"

namespace advisor::dialogue {

namespace {

constexpr std::string_view review_id = "review";
constexpr std::string_view confirm_id = "confirm";
constexpr std::string_view change_prefix = "change:";
constexpr std::string_view not_sure_id = "not_sure";
constexpr std::size_t facts_per_answer = 3;

const std::set<std::string> help_words{"help", "commands", "menu", "what can i say", "what can you do"};
const std::set<std::string> back_words{"back", "undo", "go back", "previous", "undo that"};
const std::set<std::string> restart_words{"restart", "start over", "reset", "start again", "begin again", "new conversation"};
const std::set<std::string> skip_words{"skip", "not sure", "i'm not sure", "im not sure", "don't know", "dont know",
                                       "i don't know", "i dont know", "idk", "unsure", "no idea", "pass", "not_sure"};
const std::set<std::string> why_words{"why", "why?", "why do you ask", "why does this matter", "why does it matter",
                                      "explain", "explain why"};
const std::set<std::string> status_words{"status", "my answers", "answers", "where am i", "progress", "show answers"};
const std::set<std::string> summary_words{"summary", "record", "adr", "decision record", "summarize", "summarise"};
const std::set<std::string> confirm_words{"confirm", "yes", "y", "ok", "okay", "looks good", "looks right",
                                          "correct", "that's right", "thats right", "done", "go", "all good"};
const std::set<std::string> question_starts{"what", "how", "who", "which", "is", "are", "does", "do", "can",
                                            "tell", "explain", "where", "when", "should", "why", "whats", "what's",
                                            "show", "list"};

std::string percent(double v) { return std::to_string(static_cast<int>(std::lround(v * 100))) + "%"; }

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", std::round(v * 10) / 10);
  return buf;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : std::string(sep)) + i;
  return out;
}

bool starts_with_word(const std::string& norm, std::string_view word) {
  return norm.size() > word.size() && norm.compare(0, word.size(), word) == 0 && norm[word.size()] == ' ';
}

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
  static std::string ahead_key(const framework& fw, const std::vector<char>& branching, const state& s) {
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
  const std::vector<event>& history;
  const state& s;
  int turn;  // the number this turn's events get
};

const question* next_question(const framework& fw, const state& s) {
  for (const auto& q : fw.questions)
    if (!s.answered(q.id) && holds(q.ask_if, s)) return &q;
  return nullptr;
}

// How many more questions the user will be asked, along the longest branch still open.
// `branching[i]`: some question's condition names question i. Explores the branches on `s`
// itself (answers pushed and popped), which it leaves as it found it.
int questions_ahead(const framework& fw, const std::vector<char>& branching, state& s, std::size_t from) {
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

progress progress_of(const framework& fw, const std::vector<char>& branching, engine::answers_memo& memo,
                     const state& s) {
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

// score(fw, kb, s), remembered.
recommendation scored(const framework& fw, const knowledge::knowledge_source& kb, engine::answers_memo& memo,
                      const state& s) {
  std::string key = engine::answers_memo::recommendation_key(fw, s);
  if (key.empty()) return score(fw, kb, s);
  if (auto known = memo.find_recommendation(key)) return *known;
  auto rec = std::make_shared<const recommendation>(score(fw, kb, s));
  memo.remember_recommendation(std::move(key), rec);
  return *rec;
}

std::string answer_label(const framework& fw, const answer& a) {
  const question* q = fw.find_question(a.question);
  if (!q) return a.option;
  if (a.option.empty()) return "not sure";
  const option* o = q->find_option(a.option);
  return o ? o->label : a.option;
}

std::string fact_line(const knowledge::knowledge_source& kb, const knowledge::fact& f) {
  auto src = kb.find_source(f.source);
  std::string line = "- " + f.claim;
  if (!f.figure.empty() && f.claim.find(f.figure) == std::string::npos) line += " (" + f.figure + ")";
  line += " _Source: " + (src ? src->title : f.source) + "_";
  return line;
}

std::string facts_block(const knowledge::knowledge_source& kb, const std::vector<std::string>& ids, std::size_t limit) {
  std::string out;
  std::size_t n = 0;
  for (const auto& id : ids) {
    if (n == limit) break;
    if (auto f = kb.find_fact(id)) {
      out += fact_line(kb, *f) + "\n";
      ++n;
    }
  }
  if (!out.empty()) out.pop_back();
  return out;
}

class turn_builder {
 public:
  explicit turn_builder(context& c) : c_(c) {}

  outcome ask(std::string preface) {
    outcome out;
    out.events = std::move(events_);
    state after = out.events.empty() ? c_.s : replay(c_.fw, c_.history, out.events);
    out.progress = progress_of(c_.fw, c_.branching, c_.memo, after);
    const question* q = next_question(c_.fw, after);
    std::string body;
    if (q) {
      out.question = q->id;
      body = q->text;
      for (const auto& o : q->options) out.options.push_back({o.id, o.label});
      out.options.push_back({std::string(not_sure_id), "Not sure"});
    } else if (!after.confirmed) {
      out.question = std::string(review_id);
      body = review_text(after);
      out.options.push_back({std::string(confirm_id), "Looks right: show my recommendation"});
      for (const auto& a : after.answers)
        if (const question* aq = c_.fw.find_question(a.question))
          out.options.push_back({std::string(change_prefix) + aq->id, "Change " + aq->short_label});
    } else {
      recommendation rec = scored(c_.fw, c_.kb, c_.memo, after);
      body = recommendation_text(rec);
      out.recommendation = std::move(rec);
      out.finished = true;
      finished_options(out);
    }
    out.text = preface.empty() ? body : preface + "\n\n" + body;
    out.state = std::move(after);
    return out;
  }

  // Says something without moving the state, then repeats where we are.
  outcome inform(const std::string& text) {
    outcome out = ask({});
    if (out.finished) {
      out.text = text;
    } else {
      out.text = text + "\n\n" + (out.question == review_id ? "Back to the review: " : "Back to the question: ") +
                 out.text;
    }
    return out;
  }

  outcome refuse(std::string code, const std::string& text) {
    outcome out = inform(text);
    out.error = std::move(code);
    return out;
  }

  // A re-prompt: the text already restates the question and its options.
  outcome reprompt(std::string code, const std::string& text) {
    outcome out = ask({});
    out.text = text;
    out.error = std::move(code);
    return out;
  }

  void add(event e) {
    e.turn = c_.turn;
    events_.push_back(std::move(e));
  }

  std::string review_text(const state& s) const {
    std::string t = "That's everything I need. Here is what I have:\n";
    for (const auto& a : s.answers)
      if (const question* q = c_.fw.find_question(a.question)) t += "- **" + q->short_label + "**: " + answer_label(c_.fw, a) + "\n";
    t += "\nIs that right? Confirm, or pick an answer to change.";
    return t;
  }

  std::string recommendation_text(const recommendation& rec) const {
    std::string t = "**My recommendation: " + rec.choice_label + "** (confidence " + percent(rec.confidence) + ")\n\n";
    std::vector<std::string> scores;
    for (const auto& st : c_.fw.stacks) scores.push_back(st.label + " " + number(rec.scores.count(st.id) ? rec.scores.at(st.id) : 0));
    t += "Scores: " + join(scores, ", ") + ".";
    double top = 0, second = 0;
    for (const auto& [k, v] : rec.scores) {
      if (v >= top) { second = top; top = v; } else if (v > second) second = v;
    }
    if (top == second && rec.choice != (c_.fw.hybrid ? c_.fw.hybrid->id : "")) t += " It's a close call: neither stack pulls ahead on your answers.";
    t += "\n\n**Why:**\n";
    int shown = 0;
    for (const auto& r : rec.reasons) {
      if (r.effect.empty() && !r.question.empty()) continue;
      if (++shown > 5) break;
      t += "- " + r.text + (r.sources.empty() ? "" : " _Sources: " + join(r.sources, "; ") + "_") + "\n";
    }
    if (!rec.unknowns.empty())
      t += "- Left open: " + join(rec.unknowns, ", ") + ". That lowers my confidence.\n";
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

  void finished_options(outcome& out) const {
    out.options = {{"why", "Why this choice?"}, {"summary", "Decision record"}, {"restart", "Start over"}};
  }

 private:
  context& c_;
  std::vector<event> events_;
};

std::string help_text() {
  return "Answer with a button, a number, or in your own words. You can also say:\n"
         "- `back`: undo your last answer\n"
         "- `skip` or `not sure`: leave this question open (it lowers my confidence, and I'll say so)\n"
         "- `why`: why I'm asking this, with sources\n"
         "- `status`: your answers so far\n"
         "- `restart`: start again from the top\n"
         "- `compare <topic>`: the two stacks side by side (performance, frameworks, learning, ...)\n"
         "- any question, like \"how fast is Node.js?\"\n"
         "- `summary`: a decision record; `whatif <question> <answer>` once you have a recommendation";
}

std::string status_text(const context& c) {
  if (c.s.answers.empty()) return "No answers yet.";
  std::string t = "Your answers so far:\n";
  for (const auto& a : c.s.answers)
    if (const question* q = c.fw.find_question(a.question)) t += "- **" + q->short_label + "**: " + answer_label(c.fw, a) + "\n";
  t.pop_back();
  return t;
}

std::string why_question_text(const context& c, const question& q) {
  std::string t = "**Why I ask about " + q.short_label + ":** " + q.why;
  std::string facts = facts_block(c.kb, q.why_facts, facts_per_answer);
  if (!facts.empty()) t += "\n\nFrom the sources:\n" + facts;
  return t;
}

std::string why_recommendation_text(const context& c, const recommendation& rec) {
  std::string t = "**The full breakdown for " + rec.choice_label + "** (confidence " + percent(rec.confidence) + ")\n";
  for (const auto& r : rec.reasons) {
    t += "\n- " + r.text;
    std::string facts = facts_block(c.kb, r.facts, facts_per_answer);
    if (!facts.empty()) {
      std::istringstream lines(facts);
      for (std::string line; std::getline(lines, line);) t += "\n  " + line;
    }
  }
  if (!rec.unknowns.empty()) t += "\n- Left open: " + join(rec.unknowns, ", ") + " (each lowers the confidence).";
  if (rec.contested.empty()) {
    t += "\n\nNone of the points where the sources disagree bears on your answers.";
  } else {
    t += "\n\n**Where the sources disagree, as it bears on you:**";
    for (const auto& cv : rec.contested) {
      t += "\n- " + cv.summary;
      for (const auto& side : cv.sides)
        t += "\n  - " + side.claim + (side.sources.empty() ? "" : " _Source: " + join(side.sources, "; ") + "_");
    }
  }
  return t;
}

std::string search_text(const context& c, const std::string& query) {
  auto hits = c.kb.search(query, 4);
  if (hits.empty()) return {};
  std::string t = "Here's what the sources say:\n";
  for (const auto& h : hits) t += fact_line(c.kb, h.fact) + "\n";
  t.pop_back();
  return t;
}

std::string tech_label(const framework& fw, const std::string& tech) {
  if (tech == "both") return "Both";
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

std::string compare_text(const context& c, const std::string& topic_words) {
  auto topics = c.kb.topics();
  std::string topic;
  std::string wanted = normalize(topic_words);
  for (const auto& t : topics)
    if (normalize(t) == wanted || squash_eq(t, wanted)) topic = t;
  if (topic.empty() && !wanted.empty()) {
    auto hits = c.kb.search(wanted, 1);
    if (!hits.empty()) topic = hits.front().fact.topic;
  }
  if (topic.empty())
    return "Compare what? Try one of: " + join(topics, ", ") + ". For example: `compare performance`.";
  auto facts = c.kb.facts_on(topic);
  std::string t = "**" + topic + "**, side by side:";
  std::vector<std::string> techs;
  for (const auto& st : c.fw.stacks) techs.push_back(st.id);
  techs.push_back("both");
  for (const auto& tech : techs) {
    std::string block;
    for (const auto& f : facts)
      if (f.tech == tech) block += "\n" + fact_line(c.kb, f);
    if (!block.empty()) t += "\n\n**" + tech_label(c.fw, tech) + ":**" + block;
  }
  return t;
}

bool is_finished(const context& c) { return c.s.confirmed && !next_question(c.fw, c.s); }

std::string scores_line(const framework& fw, const recommendation& r) {
  std::vector<std::string> parts;
  for (const auto& st : fw.stacks) parts.push_back(st.label + " " + number(r.scores.count(st.id) ? r.scores.at(st.id) : 0));
  return join(parts, ", ");
}

std::string whatif_text(const context& c, const std::string& norm) {
  if (!is_finished(c))
    return "What-if works once you have a recommendation. Let's finish the questions first.";
  std::string rest = norm;
  for (std::string_view prefix : {"whatif ", "what if "})
    if (rest.rfind(prefix, 0) == 0) rest = rest.substr(prefix.size());
  std::vector<found_answer> changes;
  // `whatif <question> <answer>`, the question by id or short label.
  for (const auto& q : c.fw.questions) {
    for (const auto& name : {normalize(q.id), normalize(q.short_label)}) {
      if (rest.rfind(name + " ", 0) != 0) continue;
      auto m = match_reply(q, rest.substr(name.size() + 1));
      if (m.chosen) changes.push_back({q.id, m.chosen->id, m.phrase});
    }
    if (!changes.empty()) break;
  }
  if (changes.empty()) changes = extract_answers(c.fw, c.s, rest, {});
  if (changes.empty())
    return "I couldn't tell which answer to change. Try for example `whatif team javascript` or "
           "\"what if our team knew JavaScript?\"";
  std::vector<event> hypothetical = c.history;
  for (const auto& ch : changes) hypothetical.push_back({event_kind::answer, ch.question, ch.option, c.turn, "whatif", ch.phrase});
  hypothetical.push_back({event_kind::confirm, {}, {}, c.turn, "whatif", {}});
  state hs = replay(c.fw, hypothetical);
  recommendation before = scored(c.fw, c.kb, c.memo, c.s);
  recommendation after = scored(c.fw, c.kb, c.memo, hs);

  std::vector<std::string> what;
  for (const auto& ch : changes) {
    const question* q = c.fw.find_question(ch.question);
    const answer* old = c.s.find(ch.question);
    what.push_back("**" + q->short_label + "** were **" + q->find_option(ch.option)->label + "**" +
                   (old ? " (instead of " + answer_label(c.fw, *old) + ")" : ""));
  }
  std::string t = "**What if** " + join(what, " and ") + "?\n";
  if (after.choice == before.choice)
    t += "- The choice stays **" + after.choice_label + "**.\n";
  else
    t += "- The choice moves from **" + before.choice_label + "** to **" + after.choice_label + "**.\n";
  t += "- Confidence: " + percent(before.confidence) + " -> " + percent(after.confidence) + "\n";
  t += "- Scores: " + scores_line(c.fw, before) + " -> " + scores_line(c.fw, after) + "\n";
  std::set<std::string> before_texts, after_texts;
  for (const auto& r : before.reasons) before_texts.insert(r.text);
  for (const auto& r : after.reasons) after_texts.insert(r.text);
  for (const auto& r : after.reasons)
    if (!before_texts.count(r.text)) t += "- New reason: " + r.text + "\n";
  for (const auto& r : before.reasons)
    if (!after_texts.count(r.text)) t += "- No longer counts: " + r.text + "\n";
  std::vector<std::string> opened;
  for (const auto& q : c.fw.questions)
    if (!hs.answered(q.id) && holds(q.ask_if, hs)) opened.push_back(q.short_label);
  if (!opened.empty()) t += "- It would also raise questions I haven't asked: " + join(opened, ", ") + ".\n";
  t += "\nYour real answers are unchanged; say `restart` or change an answer to make it real.";
  return t;
}

std::string record_text(const context& c, const std::string& date) {
  recommendation rec = scored(c.fw, c.kb, c.memo, c.s);
  bool done = is_finished(c);
  std::string t = "# Decision record: " + c.fw.title + "\n\n";
  t += "- Date: " + date + "\n- Status: " + std::string(done ? "Proposed" : "Draft (questions still open)") + "\n\n";
  t += "## Context\n\n";
  if (c.s.answers.empty()) t += "No answers given yet.\n";
  for (const auto& a : c.s.answers)
    if (const question* q = c.fw.find_question(a.question)) t += "- " + q->short_label + ": " + answer_label(c.fw, a) + "\n";
  t += "\n## Decision\n\n";
  t += "Build the backend with **" + rec.choice_label + "** (confidence " + percent(rec.confidence) + "; scores: " +
       scores_line(c.fw, rec) + ").\n";
  t += "\n## Reasons\n\n";
  std::set<std::string> fact_ids;
  for (const auto& r : rec.reasons) {
    if (r.effect.empty() && !r.question.empty()) continue;
    t += "- " + r.text + (r.sources.empty() ? "" : " (Sources: " + join(r.sources, "; ") + ")") + "\n";
    fact_ids.insert(r.facts.begin(), r.facts.end());
  }
  t += "\n## Consequences\n\n";
  std::vector<std::string> techs;
  if (c.fw.hybrid && rec.choice == c.fw.hybrid->id) {
    for (const auto& st : c.fw.stacks) techs.push_back(st.id);
    t += "- Two stacks to build, deploy and staff, with a clear service boundary between them.\n";
  } else {
    techs.push_back(rec.choice);
  }
  for (const auto& topic : {std::string("pros"), std::string("cons")})
    for (const auto& f : c.kb.facts_on(topic))
      if (std::find(techs.begin(), techs.end(), f.tech) != techs.end()) {
        t += "- " + std::string(topic == "pros" ? "Good" : "Watch out") + " (" + tech_label(c.fw, f.tech) + "): " + f.claim + "\n";
        fact_ids.insert(f.id);
      }
  t += "\n## Contested points\n\n";
  if (rec.contested.empty()) t += "None of the points where the sources disagree bears on these answers.\n";
  for (const auto& cv : rec.contested) {
    t += "- " + cv.summary + "\n";
    for (const auto& side : cv.sides)
      t += "  - " + side.claim + (side.sources.empty() ? "" : " (" + join(side.sources, "; ") + ")") + "\n";
  }
  for (const auto& cp : c.kb.contested())
    for (const auto& cv : rec.contested)
      if (cv.id == cp.id)
        for (const auto& side : cp.sides) fact_ids.insert(side.facts.begin(), side.facts.end());
  if (!rec.unknowns.empty()) t += "\n## Open questions\n\n- " + join(rec.unknowns, "\n- ") + "\n";
  t += "\n## Next steps\n\n";
  for (const auto& n : rec.next_steps) t += "- " + n + "\n";
  t += "\n## Sources\n\n";
  std::set<std::string> source_ids;
  for (const auto& id : fact_ids)
    if (auto f = c.kb.find_fact(id)) source_ids.insert(f->source);
  for (const auto& id : source_ids)
    if (auto src = c.kb.find_source(id)) {
      std::string by = join([&] {
        std::vector<std::string> v;
        if (!src->author.empty()) v.push_back(src->author);
        if (!src->publisher.empty()) v.push_back(src->publisher);
        return v;
      }(), ", ");
      t += "- " + src->title + (by.empty() ? "" : " (" + by + ")") + "\n";
    }
  return t;
}

}  // namespace

std::string engine::decision_record(const std::vector<event>& history, const std::string& date) const {
  state s = replay(fw_, history);
  context c{fw_, kb_, branching_, *memo_, history, s, 0};
  return record_text(c, date);
}

engine::engine(const framework& fw, const knowledge::knowledge_source& kb)
    : fw_(fw), kb_(kb), branching_(fw.questions.size(), 0), memo_(std::make_unique<answers_memo>()) {
  for (std::size_t i = 0; i < fw.questions.size(); ++i)
    for (const auto& other : fw.questions)
      if (other.ask_if.any_of.count(fw.questions[i].id)) branching_[i] = 1;
}

engine::engine(engine&&) noexcept = default;
engine::~engine() = default;

std::string engine::pending_question(const state& now) const {
  if (const question* q = next_question(fw_, now)) return q->id;
  return now.confirmed ? std::string{} : std::string(review_id);
}

outcome engine::current(const std::vector<event>& history) const { return current(history, replay(fw_, history)); }

outcome engine::current(const std::vector<event>& history, const state& now) const {
  context c{fw_, kb_, branching_, *memo_, history, now, 0};
  turn_builder b(c);
  return b.ask({});
}

outcome engine::step(const std::vector<event>& history, const input& in) const {
  return step(history, replay(fw_, history), in);
}

outcome engine::step(const std::vector<event>& history, const state& now, const input& in) const {
  // The events of this turn share a number one past the history's last.
  context c{fw_, kb_, branching_, *memo_, history, now, now.last_turn + 1};
  turn_builder b(c);
  const question* pending = next_question(fw_, c.s);
  bool finished = !pending && c.s.confirmed;
  bool reviewing = !pending && !c.s.confirmed;

  if (in.type == input::kind::start) {
    std::string preface = fw_.intro;
    if (!in.text.empty()) {
      auto found = extract_answers(fw_, c.s, in.text, {});
      for (const auto& f : found) b.add({event_kind::answer, f.question, f.option, 0, "sentence", f.phrase});
      if (!found.empty()) {
        std::vector<std::string> took;
        for (const auto& f : found) {
          const question* q = fw_.find_question(f.question);
          took.push_back(q->short_label + " = " + q->find_option(f.option)->label);
        }
        preface += "\n\nI took: " + join(took, "; ") + ". Say `back` to change that.";
      }
    }
    return b.ask(preface);
  }

  std::string text = in.type == input::kind::choose ? in.option : in.text;
  std::string norm = normalize(text);
  if (norm.empty() && in.type == input::kind::text)
    return b.refuse("empty_message", "I didn't catch anything there. Type `help` to see what you can say.");

  // Buttons and ids first: they are exact.
  if (in.type == input::kind::choose) {
    if (reviewing && text == confirm_id) {
      b.add({event_kind::confirm, {}, {}, 0, "choice", {}});
      return b.ask({});
    }
    if (reviewing && text.rfind(change_prefix, 0) == 0) {
      std::string qid = text.substr(change_prefix.size());
      if (c.s.answered(qid)) {
        b.add({event_kind::change, qid, {}, 0, "choice", {}});
        return b.ask("Sure, let's change that.");
      }
    }
    if (pending && text == not_sure_id) {
      b.add({event_kind::answer, pending->id, {}, 0, "skip", {}});
      return b.ask("Fine, I'll leave **" + pending->short_label + "** open.");
    }
    if (pending) {
      if (const option* o = pending->find_option(text)) {
        b.add({event_kind::answer, pending->id, o->id, 0, "choice", o->label});
        return b.ask({});
      }
    }
    // Command buttons (after the recommendation) fall through to the command words below.
    if (!help_words.count(norm) && !back_words.count(norm) && !restart_words.count(norm) && !why_words.count(norm) &&
        !status_words.count(norm) && !summary_words.count(norm))
      return b.refuse("unknown_option", "\"" + text + "\" is not one of the options here.");
  }

  if (help_words.count(norm)) return b.inform(help_text());
  if (restart_words.count(norm)) {
    b.add({event_kind::restart, {}, {}, 0, {}, {}});
    return b.ask("Starting over.\n\n" + fw_.intro);
  }
  if (back_words.count(norm)) {
    if (c.s.answers.empty()) return b.inform("There's nothing to undo yet.");
    b.add({event_kind::undo, {}, {}, 0, {}, {}});
    return b.ask("Undone.");
  }
  if (status_words.count(norm)) return b.inform(status_text(c));
  if (summary_words.count(norm)) {
    return b.inform("Here's your decision record, ready to copy:\n\n" + record_text(c, in.date));
  }
  if (why_words.count(norm)) {
    if (pending) return b.inform(why_question_text(c, *pending));
    if (finished) return b.inform(why_recommendation_text(c, scored(fw_, kb_, *memo_, c.s)));
    return b.inform("I ask these questions to match your situation to the sources' advice; confirm the answers and I'll explain the result in full.");
  }
  if (pending && skip_words.count(norm)) {
    b.add({event_kind::answer, pending->id, {}, 0, "skip", {}});
    return b.ask("Fine, I'll leave **" + pending->short_label + "** open.");
  }
  if (starts_with_word(norm, "compare") || norm == "compare") {
    return b.inform(compare_text(c, norm.size() > 8 ? norm.substr(8) : std::string{}));
  }
  bool whatif = starts_with_word(norm, "whatif") || starts_with_word(norm, "what if") ||
                norm.rfind("what if ", 0) == 0;
  if (whatif) return b.inform(whatif_text(c, norm));

  if (reviewing) {
    if (confirm_words.count(norm)) {
      b.add({event_kind::confirm, {}, {}, 0, "text", {}});
      return b.ask({});
    }
    if (starts_with_word(norm, "change")) {
      std::string target = norm.substr(7);
      for (const auto& a : c.s.answers) {
        const question* q = fw_.find_question(a.question);
        if (normalize(q->short_label) == target || q->id == target || normalize(q->short_label).find(target) != std::string::npos) {
          b.add({event_kind::change, q->id, {}, 0, "text", {}});
          return b.ask("Sure, let's change that.");
        }
      }
      return b.refuse("unknown_option", "Which answer should I change? Pick one of the buttons, or say for example `change " +
                                            fw_.find_question(c.s.answers.front().question)->short_label + "`.");
    }
  }

  // A question ("how fast is Node.js?") is answered from the knowledge store; it is not read
  // as an answer, even when it names a stack.
  auto first_space = norm.find(' ');
  std::string first_word = norm.substr(0, first_space);
  bool asks = text.find('?') != std::string::npos || question_starts.count(first_word);
  if (asks) {
    std::string answer = search_text(c, text);
    if (!answer.empty()) return b.inform(answer);
  }

  // Free text: any answers it gives, to this question or to others.
  auto found = extract_answers(fw_, c.s, text, pending ? pending->id : std::string_view{});
  if (!found.empty()) {
    std::vector<std::string> took;
    for (const auto& f : found) {
      const question* q = fw_.find_question(f.question);
      b.add({event_kind::answer, f.question, f.option, 0, found.size() > 1 ? "sentence" : "text", f.phrase});
      took.push_back("**" + q->short_label + "** = " + q->find_option(f.option)->label);
    }
    bool only_pending = found.size() == 1 && pending && found.front().question == pending->id;
    if (only_pending) return b.ask("Got it: " + took.front() + ".");
    return b.ask("I took: " + join(took, "; ") + ". Say `back` to change that.");
  }

  // After the recommendation, any other text is taken as a question for the sources.
  if (!asks && !pending) {
    std::string answer = search_text(c, text);
    if (!answer.empty()) return b.inform(answer);
  }

  if (pending) {
    auto m = match_reply(*pending, text);
    if (m.candidates.size() > 1) {
      std::vector<std::string> labels;
      for (const auto* o : m.candidates) labels.push_back("**" + o->label + "**");
      return b.refuse("ambiguous", "That could mean " + join(labels, " or ") + ". Which one fits best?");
    }
    std::vector<std::string> labels;
    int i = 0;
    for (const auto& o : pending->options) labels.push_back(std::to_string(++i) + ". " + o.label);
    return b.reprompt("no_match", "Sorry, I couldn't match \"" + text + "\" to an answer. " + pending->text +
                                      "\n" + join(labels, "\n") + "\nPick one, say `skip` if you're not sure, or `help`.");
  }
  if (reviewing) return b.refuse("no_match", "Please confirm the answers, or pick one to change.");
  return b.refuse("no_match", "I didn't find anything on that. Try `compare performance`, `why`, `whatif team javascript`, or `restart`.");
}

}  // namespace advisor::dialogue
