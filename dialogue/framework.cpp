#include "dialogue/framework.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

namespace advisor::dialogue {

using nlohmann::json;

const option* question::find_option(std::string_view option_id) const {
  for (const auto& o : options)
    if (o.id == option_id) return &o;
  return nullptr;
}

const option* question::find_reply(std::string_view reply) const {
  for (const auto& o : options)
    if (std::find(o.replies.begin(), o.replies.end(), reply) != o.replies.end()) return &o;
  return nullptr;
}

const question* framework::find_question(std::string_view question_id) const {
  for (const auto& q : questions)
    if (q.id == question_id) return &q;
  return nullptr;
}

int framework::question_index(std::string_view question_id) const {
  for (std::size_t i = 0; i < questions.size(); ++i)
    if (questions[i].id == question_id) return static_cast<int>(i);
  return -1;
}

std::string framework::stack_label(std::string_view stack_id) const {
  for (const auto& s : stacks)
    if (s.id == stack_id) return s.label;
  if (hybrid && hybrid->id == stack_id) return hybrid->label;
  return std::string(stack_id);
}

namespace {

int line_at(std::string_view text, std::size_t pos) {
  pos = std::min(pos, text.size());
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
}

// Finds where `"key": "value"` is written, at or after `from`; npos when absent. nlohmann/json
// keeps no positions, so messages about a value point at its first spelling in the file.
// A plain scan, not std::regex: libstdc++'s regex recurses once per character it matches, so a
// long id or a long run of spaces overflowed the stack, and it was slow.
std::size_t find_member(std::string_view text, std::string_view key, std::string_view value,
                        std::size_t from) {
  const std::string quoted_key = "\"" + std::string(key) + "\"";
  auto skip_space = [&](std::size_t i) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    return i;
  };
  for (std::size_t at = from < text.size() ? text.find(quoted_key, from) : std::string_view::npos;
       at != std::string_view::npos; at = text.find(quoted_key, at + 1)) {
    std::size_t i = skip_space(at + quoted_key.size());
    if (i >= text.size() || text[i] != ':') continue;
    i = skip_space(i + 1);
    if (i < text.size() && text[i] == '"' && text.substr(i + 1, value.size()) == value &&
        i + 1 + value.size() < text.size() && text[i + 1 + value.size()] == '"')
      return at;
  }
  return std::string_view::npos;
}

// An nlohmann/json message without its "[json.exception.out_of_range.406] " prefix.
std::string without_id(const std::string& what) {
  auto cut = what.find("] ");
  return cut == std::string::npos ? what : what.substr(cut + 2);
}

std::size_t find_quoted(std::string_view text, std::string_view word, std::size_t from) {
  std::string needle = "\"" + std::string(word) + "\"";
  return from < text.size() ? text.find(needle, from) : std::string_view::npos;
}

// Collects problems instead of stopping at the first, so `validate` can list them all.
class reader {
 public:
  reader(std::string_view text, std::string file) : text_(text), file_(std::move(file)) {}

  std::vector<load_error> problems;

  void fail(std::size_t pos, std::string problem) {
    problems.emplace_back(file_, pos == std::string_view::npos ? 0 : line_at(text_, pos),
                          std::move(problem));
  }

  std::string str(const json& j, const char* key, std::size_t pos, const std::string& where,
                  bool required = true) {
    auto it = j.find(key);
    if (it == j.end()) {
      if (required) fail(pos, where + " has no \"" + key + "\"");
      return {};
    }
    if (!it->is_string()) {
      fail(pos, where + ": \"" + key + "\" must be a string");
      return {};
    }
    return it->get<std::string>();
  }

  std::vector<std::string> strings(const json& j, const char* key, std::size_t pos,
                                   const std::string& where) {
    std::vector<std::string> out;
    auto it = j.find(key);
    if (it == j.end()) return out;
    if (!it->is_array()) {
      fail(pos, where + ": \"" + key + "\" must be a list of strings");
      return out;
    }
    for (const auto& v : *it) {
      if (!v.is_string()) {
        fail(pos, where + ": \"" + key + "\" must hold only strings");
        continue;
      }
      out.push_back(v.get<std::string>());
    }
    return out;
  }

  std::map<std::string, double> numbers(const json& j, const char* key, std::size_t pos,
                                        const std::string& where) {
    std::map<std::string, double> out;
    auto it = j.find(key);
    if (it == j.end()) return out;
    if (!it->is_object()) {
      fail(pos, where + ": \"" + key + "\" must be an object of numbers");
      return out;
    }
    for (const auto& [k, v] : it->items()) {
      if (!v.is_number()) {
        fail(pos, where + ": \"" + key + "\" entry \"" + k + "\" must be a number");
        continue;
      }
      out[k] = v.get<double>();
    }
    return out;
  }

  condition cond(const json& j, const char* key, std::size_t pos, const std::string& where) {
    condition c;
    auto it = j.find(key);
    if (it == j.end()) return c;
    if (!it->is_object()) {
      fail(pos, where + ": \"" + key + "\" must map question ids to lists of option ids");
      return c;
    }
    for (const auto& [q, opts] : it->items()) {
      if (!opts.is_array() || opts.empty()) {
        fail(pos, where + ": \"" + key + "\" entry \"" + q +
                      "\" must be a non-empty list of option ids");
        continue;
      }
      auto& list = c.any_of[q];
      for (const auto& o : opts) {
        if (o.is_string())
          list.push_back(o.get<std::string>());
        else
          fail(pos, where + ": \"" + key + "\" entry \"" + q + "\" must hold option ids");
      }
    }
    return c;
  }

  std::string_view text_;
  std::string file_;
};

framework read(std::string_view text, reader& r) {
  framework fw;
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    // e.byte is 1-based and points just past the offending character.
    std::size_t pos = e.byte > 0 ? e.byte - 1 : 0;
    std::string what = e.what();
    auto cut = what.find("syntax error");
    r.fail(pos, "not valid JSON: " + (cut == std::string::npos ? what : what.substr(cut)));
    return fw;
  } catch (const json::exception& e) {
    // A number too large for a double ("1e400") is out_of_range, not a parse_error, and has no
    // position (found by fuzz_loader: it escaped the loader).
    r.fail(std::string_view::npos, "not valid JSON: " + without_id(e.what()));
    return fw;
  }
  if (!doc.is_object()) {
    r.fail(0, "a framework file must hold one JSON object");
    return fw;
  }
  fw.id = r.str(doc, "id", 0, "the framework");
  fw.version = r.str(doc, "version", 0, "the framework");
  fw.title = r.str(doc, "title", 0, "the framework");
  fw.intro = r.str(doc, "intro", 0, "the framework", false);
  if (auto it = doc.find("unknown_penalty"); it != doc.end()) {
    if (it->is_number())
      fw.unknown_penalty = it->get<double>();
    else
      r.fail(find_quoted(text, "unknown_penalty", 0), "\"unknown_penalty\" must be a number");
  }

  std::set<std::string> stack_ids;
  if (auto it = doc.find("stacks"); it == doc.end() || !it->is_array() || it->size() < 2) {
    r.fail(find_quoted(text, "stacks", 0), "\"stacks\" must list at least two stacks");
  } else {
    for (const auto& s : *it) {
      std::size_t pos = find_quoted(text, "stacks", 0);
      if (!s.is_object()) {
        r.fail(pos, "each stack must be an object with \"id\" and \"label\"");
        continue;
      }
      stack st{r.str(s, "id", pos, "a stack"), r.str(s, "label", pos, "a stack"),
               r.strings(s, "names", pos, "a stack")};
      if (st.names.empty())
        for (std::string n : {st.id, st.label}) {
          std::transform(n.begin(), n.end(), n.begin(),
                         [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
          st.names.push_back(std::move(n));
        }
      if (!stack_ids.insert(st.id).second)
        r.fail(find_member(text, "id", st.id, pos), "duplicate stack id \"" + st.id + "\"");
      fw.stacks.push_back(std::move(st));
    }
  }

  auto questions_it = doc.find("questions");
  if (questions_it == doc.end() || !questions_it->is_array() || questions_it->empty()) {
    r.fail(find_quoted(text, "questions", 0), "\"questions\" must be a non-empty list");
    return fw;
  }
  std::size_t cursor = find_quoted(text, "questions", 0);
  std::set<std::string> question_ids;
  for (const auto& jq : *questions_it) {
    if (!jq.is_object()) {
      r.fail(cursor, "each question must be an object");
      continue;
    }
    question q;
    std::string id = jq.contains("id") && jq["id"].is_string() ? jq["id"].get<std::string>() : "";
    std::size_t qpos = id.empty() ? cursor : find_member(text, "id", id, cursor);
    if (qpos != std::string_view::npos) cursor = qpos + 1;
    q.line = qpos == std::string_view::npos ? 0 : line_at(text, qpos);
    std::string where = "question \"" + id + "\"";
    q.id = r.str(jq, "id", qpos, "a question");
    q.text = r.str(jq, "text", qpos, where);
    q.short_label = r.str(jq, "short", qpos, where, false);
    if (q.short_label.empty()) q.short_label = q.id;
    q.why = r.str(jq, "why", qpos, where, false);
    q.why_facts = r.strings(jq, "why_facts", qpos, where);
    q.phrases = r.strings(jq, "phrases", qpos, where);
    q.names = r.strings(jq, "names", qpos, where);
    q.ask_if = r.cond(jq, "ask_if", qpos, where);
    if (auto rp = jq.find("requires_phrase"); rp != jq.end()) {
      if (rp->is_boolean())
        q.requires_phrase = rp->get<bool>();
      else
        r.fail(qpos, where + ": \"requires_phrase\" must be true or false");
    }
    if (q.requires_phrase && q.phrases.empty())
      r.fail(qpos, where + " requires a phrase but lists no \"phrases\"");
    if (!q.id.empty() && !question_ids.insert(q.id).second)
      r.fail(qpos, "duplicate question id \"" + q.id + "\"");

    auto opts = jq.find("options");
    if (opts == jq.end() || !opts->is_array() || opts->empty()) {
      r.fail(qpos, where + " needs a non-empty \"options\" list");
    } else {
      std::set<std::string> option_ids;
      std::size_t ocursor = qpos;
      for (const auto& jo : *opts) {
        if (!jo.is_object()) {
          r.fail(qpos, where + ": each option must be an object");
          continue;
        }
        option o;
        std::string oid =
            jo.contains("id") && jo["id"].is_string() ? jo["id"].get<std::string>() : "";
        std::size_t opos = oid.empty() ? ocursor : find_member(text, "id", oid, ocursor);
        if (opos != std::string_view::npos) ocursor = opos + 1;
        std::string owhere = "option \"" + oid + "\" of " + where;
        o.id = r.str(jo, "id", opos, "an option of " + where);
        o.label = r.str(jo, "label", opos, owhere);
        o.synonyms = r.strings(jo, "synonyms", opos, owhere);
        o.replies = r.strings(jo, "replies", opos, owhere);
        o.reason = r.str(jo, "reason", opos, owhere, false);
        o.facts = r.strings(jo, "facts", opos, owhere);
        o.if_negated = r.str(jo, "if_negated", opos, owhere, false);
        o.speaks_for = r.strings(jo, "speaks_for", opos, owhere);
        o.hints_at = r.strings(jo, "hints_at", opos, owhere);
        if (!jo.contains("scores"))
          r.fail(opos, owhere + " has no \"scores\" (write {} for an option that moves nothing)");
        o.scores = r.numbers(jo, "scores", opos, owhere);
        for (const auto& [stack_id, pts] : o.scores)
          if (!stack_ids.count(stack_id))
            r.fail(opos, owhere + " scores unknown stack \"" + stack_id + "\"");
        o.signals = r.numbers(jo, "signals", opos, owhere);
        // Every weight traces to a source: a reason without one would be the advisor's say-so.
        if (o.facts.empty() && std::any_of(o.scores.begin(), o.scores.end(),
                                           [](const auto& s) { return s.second != 0; }))
          r.fail(opos, owhere + " moves a score but cites no fact (add \"facts\")");
        if (!o.id.empty() && !option_ids.insert(o.id).second)
          r.fail(opos, "duplicate option id \"" + o.id + "\" in " + where);
        q.options.push_back(std::move(o));
      }
      for (const auto& o : q.options)
        if (!o.if_negated.empty() && !q.find_option(o.if_negated))
          r.fail(qpos, "option \"" + o.id + "\" of " + where +
                           " has \"if_negated\" naming unknown option \"" + o.if_negated + "\"");
    }
    fw.questions.push_back(std::move(q));
  }

  // Branches: a condition may only look back at earlier questions and their real options;
  // a question whose condition can never hold is unreachable.
  std::set<std::string> reachable;
  for (std::size_t i = 0; i < fw.questions.size(); ++i) {
    const auto& q = fw.questions[i];
    std::size_t qpos = find_member(text, "id", q.id, 0);
    for (const auto& o : q.options)
      for (const auto& [list, says] :
           {std::pair{&o.speaks_for, "speaks for"}, std::pair{&o.hints_at, "hints at"}})
        for (const auto& other : *list)
          if (fw.question_index(other) < 0)
            r.fail(find_quoted(text, other, qpos), "option \"" + o.id + "\" of question \"" + q.id +
                                                       "\" " + says + " unknown question \"" +
                                                       other + "\"");
    bool ok = true;
    for (const auto& [dep, opts] : q.ask_if.any_of) {
      int di = fw.question_index(dep);
      std::size_t dpos = find_quoted(text, dep, qpos);
      if (di < 0) {
        r.fail(dpos, "question \"" + q.id + "\" branches on unknown question \"" + dep + "\"");
        ok = false;
        continue;
      }
      if (di >= static_cast<int>(i)) {
        r.fail(dpos, "question \"" + q.id + "\" is unreachable: it depends on \"" + dep +
                         "\", which is not asked before it");
        ok = false;
        continue;
      }
      const auto& dq = fw.questions[static_cast<std::size_t>(di)];
      for (const auto& o : opts)
        if (!dq.find_option(o)) {
          r.fail(find_quoted(text, o, qpos), "question \"" + q.id +
                                                 "\" branches on unknown option \"" + o +
                                                 "\" of question \"" + dep + "\"");
          ok = false;
        }
      if (!reachable.count(dep)) {
        r.fail(qpos, "question \"" + q.id + "\" is unreachable: it depends on \"" + dep +
                         "\", which is itself never asked");
        ok = false;
      }
    }
    if (ok) reachable.insert(q.id);
  }

  if (auto it = doc.find("hybrid"); it != doc.end()) {
    std::size_t hpos = find_quoted(text, "hybrid", 0);
    if (!it->is_object()) {
      r.fail(hpos, "\"hybrid\" must be an object");
    } else {
      hybrid_rule h;
      h.id = r.str(*it, "id", hpos, "the hybrid rule");
      h.label = r.str(*it, "label", hpos, "the hybrid rule");
      h.signals = r.strings(*it, "signals", hpos, "the hybrid rule");
      h.reason = r.str(*it, "reason", hpos, "the hybrid rule", false);
      h.facts = r.strings(*it, "facts", hpos, "the hybrid rule");
      if (auto m = it->find("min_signal"); m != it->end() && m->is_number())
        h.min_signal = m->get<double>();
      if (auto m = it->find("max_margin"); m != it->end() && m->is_number())
        h.max_margin = m->get<double>();
      if (stack_ids.count(h.id))
        r.fail(hpos, "the hybrid rule's id \"" + h.id + "\" is already a stack id");
      for (const auto& sig : h.signals) {
        bool raised = false;
        for (const auto& q : fw.questions)
          for (const auto& o : q.options)
            if (o.signals.count(sig)) raised = true;
        if (!raised)
          r.fail(hpos, "the hybrid rule needs signal \"" + sig + "\", which no option raises");
      }
      fw.hybrid = std::move(h);
    }
  }

  if (auto it = doc.find("next_steps"); it != doc.end() && it->is_array()) {
    std::size_t npos = find_quoted(text, "next_steps", 0);
    for (const auto& js : *it) {
      if (!js.is_object()) {
        r.fail(npos, "each next step must be an object");
        continue;
      }
      next_step st;
      st.text = r.str(js, "text", npos, "a next step");
      st.when = r.cond(js, "when", npos, "a next step");
      st.choices = r.strings(js, "choices", npos, "a next step");
      st.facts = r.strings(js, "facts", npos, "a next step");
      for (const auto& [dep, opts] : st.when.any_of)
        if (!fw.find_question(dep))
          r.fail(find_quoted(text, dep, npos),
                 "a next step depends on unknown question \"" + dep + "\"");
      for (const auto& c : st.choices)
        if (!stack_ids.count(c) && !(fw.hybrid && fw.hybrid->id == c))
          r.fail(find_quoted(text, c, npos), "a next step names unknown choice \"" + c + "\"");
      fw.next_steps.push_back(std::move(st));
    }
  }
  return fw;
}

}  // namespace

framework parse_framework(std::string_view text, const std::string& file_name) {
  reader r(text, file_name);
  framework fw = read(text, r);
  if (!r.problems.empty()) throw r.problems.front();
  return fw;
}

std::vector<load_error> validate_framework(std::string_view text, const std::string& file_name) {
  reader r(text, file_name);
  read(text, r);
  return std::move(r.problems);
}

}  // namespace advisor::dialogue
