// Scoring over every path through the shipped frameworks: each reason moves a score and cites
// a source, answers that move nothing are context, and no weight rests on a disputed claim.
#include "dialogue/scoring.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <set>

#include "bot/paths.hpp"
#include "knowledge/sqlite/knowledge_store.hpp"
#include "support.hpp"

using namespace advisor;
using advisor::test::source_path;
using advisor::test::temp_dir;

namespace {

dialogue::framework shipped_framework(const std::string& relative) {
  std::string file = source_path(relative);
  return dialogue::parse_framework(bot::read_file(file), file);
}

void import_shipped_knowledge(storage::knowledge_store& kb) {
  std::string file = source_path("config/knowledge.json");
  kb.import(knowledge::parse_knowledge(bot::read_file(file), file));
}

// Calls `visit` with every complete set of answers a user can reach: questions in order, each
// asked only when its condition holds, every option of each.
void each_path(const dialogue::framework& fw,
               const std::function<void(const dialogue::state&)>& visit) {
  dialogue::state s;
  std::function<void(std::size_t)> walk = [&](std::size_t next) {
    while (next < fw.questions.size() && !dialogue::holds(fw.questions[next].ask_if, s)) ++next;
    if (next == fw.questions.size()) return visit(s);
    for (const auto& o : fw.questions[next].options) {
      dialogue::answer a;
      a.question = fw.questions[next].id;
      a.option = o.id;
      s.answers.push_back(a);
      walk(next + 1);
      s.answers.pop_back();
    }
  };
  walk(0);
}

std::string answers_of(const dialogue::state& s) {
  std::string out;
  for (const auto& a : s.answers) out += a.question + "=" + a.option + " ";
  return out;
}

}  // namespace

TEST_CASE("every reason on every path moves a score and cites a source") {
  temp_dir dir;
  storage::knowledge_store kb(dir.file("k.db"));
  import_shipped_knowledge(kb);
  for (const char* file : {"config/framework.json", "config/frameworks/python-web.json"}) {
    auto fw = shipped_framework(file);
    std::size_t paths = 0, failures = 0;
    each_path(fw, [&](const dialogue::state& s) {
      ++paths;
      auto rec = dialogue::score(fw, kb, s);
      bool ok = rec.reasons.size() + rec.context.size() ==
                s.answers.size() + (rec.choice == "hybrid" ? 1 : 0);
      for (const auto& r : rec.reasons) {
        ok = ok && !r.sources.empty();
        if (r.question.empty()) {
          ok = ok && fw.hybrid &&
               rec.choice == fw.hybrid->id;  // the one rule reason moves the choice
        } else {
          ok = ok && !r.effect.empty() &&
               std::all_of(r.effect.begin(), r.effect.end(),
                           [](const auto& e) { return e.second != 0; });
        }
      }
      for (const auto& r : rec.context) ok = ok && r.effect.empty() && !r.question.empty();
      // Stop at the first few failures: a broken weight fails thousands of paths alike.
      if (!ok && ++failures <= 3) FAIL_CHECK("path " << answers_of(s) << "breaks the rule");
    });
    CAPTURE(file);
    MESSAGE(std::string(file) << ": " << paths << " paths scored");
    CHECK(paths >= 8);
    CHECK(failures == 0);
  }
}

TEST_CASE("an answer that triggers a contested point scores only on an uncontested fact") {
  temp_dir dir;
  storage::knowledge_store kb(dir.file("k.db"));
  import_shipped_knowledge(kb);
  auto fw = shipped_framework("config/framework.json");
  std::set<std::string> disputed;  // facts that are a side of some contested point
  for (const auto& cp : kb.contested())
    for (const auto& side : cp.sides) disputed.insert(side.facts.begin(), side.facts.end());
  int checked = 0;
  for (const auto& cp : kb.contested())
    for (const auto& [qid, options] : cp.bears_on)
      for (const auto& oid : options) {
        const auto* q = fw.find_question(qid);
        REQUIRE_MESSAGE(q, cp.id << " bears on unknown question " << qid);
        const auto* o = q->find_option(oid);
        REQUIRE_MESSAGE(o, cp.id << " bears on unknown option " << qid << "=" << oid);
        bool moves = std::any_of(o->scores.begin(), o->scores.end(),
                                 [](const auto& e) { return e.second != 0; });
        if (!moves) continue;
        ++checked;
        bool traced = std::any_of(o->facts.begin(), o->facts.end(), [&](const std::string& id) {
          auto f = kb.find_fact(id);
          return f && f->contested.empty() && !disputed.count(id);
        });
        CHECK_MESSAGE(traced,
                      qid << "=" << oid << " scores on " << cp.id << " with only disputed facts");
      }
  CHECK(checked > 0);
}

TEST_CASE("answers that move no score are context - not reasons") {
  temp_dir dir;
  storage::knowledge_store kb(dir.file("k.db"));
  import_shipped_knowledge(kb);
  auto fw = shipped_framework("config/framework.json");
  dialogue::state s;
  for (auto [q, o] : {std::pair{"context", "enterprise"},
                      {"enterprise_focus", "analytics"},
                      {"workload", "data"},
                      {"team", "both"},
                      {"realtime", "no"},
                      {"scale", "low"},
                      {"size", "medium"},
                      {"priority", "none"}}) {
    dialogue::answer a;
    a.question = q;
    a.option = o;
    s.answers.push_back(a);
  }
  auto rec = dialogue::score(fw, kb, s);
  REQUIRE(rec.reasons.size() == 2);  // the analytics focus and the data workload
  CHECK(rec.reasons[0].question == "enterprise_focus");
  CHECK(rec.reasons[1].question == "workload");
  REQUIRE(rec.context.size() == 6);
  CHECK(rec.context[0].question == "context");  // in answering order
  CHECK(rec.context[0].text.find("who is choosing: An established company") != std::string::npos);
  CHECK(rec.context[0].text.find("(") == std::string::npos);  // no effect to show
}
