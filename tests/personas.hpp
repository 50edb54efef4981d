// The nine personas of the guide's Quick Decision Guide table: each one's answers to the
// questions it is asked, and the stack the table gives it. Shared by the conversation tests
// (through the service) and the multi-instance tests (over WebSocket, across two instances).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace advisor::test {

using answers = std::map<std::string, std::string>;

struct persona {
  const char* cell;
  answers given;
  const char* expected;             // nullptr: the sources dispute this cell, so it moves no score
  const char* contested = nullptr;  // the contested point the persona's answers must show
};

inline const std::vector<persona> quick_decision_guide{
    // Which stack prototypes fastest is disputed ("prototyping", shown), but the table's rule
    // for startups testing an idea is not.
    {"startup: validate ideas quickly -> Node.js",
     {{"context", "startup"},
      {"startup_goal", "validate"},
      {"workload", "web"},
      {"team", "both"},
      {"realtime", "no"},
      {"data", "none"},
      {"scale", "low"},
      {"size", "medium"},
      {"priority", "none"}},
     "nodejs",
     "prototyping"},
    {"startup: data-driven products -> Python",
     {{"context", "startup"},
      {"startup_goal", "data_product"},
      {"workload", "data"},
      {"team", "both"},
      {"realtime", "no"},
      {"scale", "low"},
      {"size", "medium"},
      {"priority", "none"}},
     "python"},
    {"startup: full-stack team -> Node.js",
     {{"context", "startup"},
      {"startup_goal", "fullstack"},
      {"workload", "web"},
      {"team", "javascript"},
      {"realtime", "no"},
      {"data", "none"},
      {"scale", "low"},
      {"size", "medium"},
      {"priority", "iteration"}},
     "nodejs"},
    {"enterprise: high-traffic web apps -> Node.js",
     {{"context", "enterprise"},
      {"enterprise_focus", "high_traffic"},
      {"workload", "api"},
      {"team", "both"},
      {"realtime", "no"},
      {"data", "none"},
      {"scale", "high"},
      {"size", "large"},
      {"priority", "none"}},
     "nodejs"},
    {"enterprise: data analytics -> Python",
     {{"context", "enterprise"},
      {"enterprise_focus", "analytics"},
      {"workload", "data"},
      {"team", "both"},
      {"realtime", "no"},
      {"scale", "moderate"},
      {"size", "large"},
      {"priority", "readability"}},
     "python"},
    {"enterprise: legacy integration -> the legacy systems' stack (Python here)",
     {{"context", "enterprise"},
      {"enterprise_focus", "legacy"},
      {"legacy_stack", "python"},
      {"workload", "web"},
      {"team", "both"},
      {"realtime", "no"},
      {"data", "none"},
      {"scale", "low"},
      {"size", "medium"},
      {"priority", "none"}},
     "python"},
    {"individual: learning a first language -> Python",
     {{"context", "individual"},
      {"individual_goal", "first_language"},
      {"workload", "web"},
      {"realtime", "no"},
      {"data", "none"},
      {"priority", "readability"}},
     "python"},
    {"individual: already know JavaScript -> Node.js",
     {{"context", "individual"},
      {"individual_goal", "know_js"},
      {"workload", "web"},
      {"realtime", "no"},
      {"data", "none"},
      {"priority", "none"}},
     "nodejs"},
    {"individual: career in data science -> Python",
     {{"context", "individual"},
      {"individual_goal", "data_career"},
      {"workload", "data"},
      {"realtime", "no"},
      {"priority", "none"}},
     "python"},
};

}  // namespace advisor::test
