#include "dialogue/language.hpp"

#include <array>
#include <nlohmann/json.hpp>
#include <utility>

#include "dialogue/framework.hpp"

namespace advisor::dialogue {

// The text of config/language.json, embedded by the build (dialogue/CMakeLists.txt).
extern const std::string_view language_json;
// The text of config/examples.json, embedded likewise.
extern const std::string_view examples_json;

namespace {

using json = nlohmann::json;

constexpr std::array<std::pair<command, std::string_view>, 12> command_names{{
    {command::none, "none"},
    {command::confirm, "confirm"},
    {command::change, "change"},
    {command::back, "back"},
    {command::restart, "restart"},
    {command::skip, "skip"},
    {command::status, "status"},
    {command::why, "why"},
    {command::help, "help"},
    {command::summary, "summary"},
    {command::whatif, "whatif"},
    {command::compare, "compare"},
}};

command command_named(std::string_view name, const std::string& file) {
  for (const auto& [k, n] : command_names)
    if (n == name && k != command::none) return k;
  throw load_error(file, 0, "unknown command \"" + std::string(name) + "\"");
}

std::vector<std::string> strings(const json& j, const char* key, const std::string& file) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end()) return out;
  if (!it->is_array())
    throw load_error(file, 0, std::string("\"") + key + "\" must be a list of strings");
  for (const auto& s : *it) {
    if (!s.is_string())
      throw load_error(file, 0, std::string("\"") + key + "\" must be a list of strings");
    out.push_back(s.get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> string_map(const json& j, const char* key,
                                              const std::string& file) {
  std::map<std::string, std::string> out;
  auto it = j.find(key);
  if (it == j.end()) return out;
  if (!it->is_object())
    throw load_error(file, 0, std::string("\"") + key + "\" must be an object of strings");
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string())
      throw load_error(file, 0, "\"" + std::string(key) + "\": \"" + k + "\" must be a string");
    out[k] = v.get<std::string>();
  }
  return out;
}

std::map<std::string, double> numbers(const json& j, const char* key, const std::string& file) {
  std::map<std::string, double> out;
  auto it = j.find(key);
  if (it == j.end()) return out;
  if (!it->is_object())
    throw load_error(file, 0, std::string("\"") + key + "\" must be an object of numbers");
  for (const auto& [k, v] : it->items()) {
    if (!v.is_number())
      throw load_error(file, 0, "\"" + std::string(key) + "\": \"" + k + "\" must be a number");
    out[k] = v.get<double>();
  }
  return out;
}

}  // namespace

std::string_view to_string(command c) {
  for (const auto& [k, name] : command_names)
    if (k == c) return name;
  return "none";
}

language parse_language(std::string_view text, const std::string& file_name) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw load_error(file_name, 0, "not a JSON object");
  language lang;
  if (auto it = j.find("grammar"); it != j.end() && it->is_object()) {
    const json& g = *it;
    auto& gr = lang.grammar;
    gr.negators = strings(g, "negators", file_name);
    gr.function_words = strings(g, "function_words", file_name);
    gr.joiners = strings(g, "joiners", file_name);
    gr.additions = strings(g, "additions", file_name);
    gr.softeners = strings(g, "softeners", file_name);
    gr.idioms = strings(g, "idioms", file_name);
    gr.needs = strings(g, "needs", file_name);
    gr.statement_modals = strings(g, "statement_modals", file_name);
    gr.statement_verbs = strings(g, "statement_verbs", file_name);
    gr.asking_modals = strings(g, "asking_modals", file_name);
    gr.asking_words = strings(g, "asking_words", file_name);
    gr.comparing_words = strings(g, "comparing_words", file_name);
    gr.question_nouns = strings(g, "question_nouns", file_name);
    gr.answer_nouns = strings(g, "answer_nouns", file_name);
    gr.known_things = strings(g, "known_things", file_name);
    gr.inversions = strings(g, "inversions", file_name);
    gr.subjects = strings(g, "subjects", file_name);
    gr.wh_words = strings(g, "wh_words", file_name);
    gr.comparatives = strings(g, "comparatives", file_name);
    gr.corrections = strings(g, "corrections", file_name);
    gr.quotes = strings(g, "quotes", file_name);
    gr.replacing = strings(g, "replacing", file_name);
    gr.others = strings(g, "others", file_name);
    gr.self_corrections = strings(g, "self_corrections", file_name);
    if (g.contains("compare_pair")) gr.compare_pair = strings(g, "compare_pair", file_name);
    if (g.contains("command_modifiers"))
      gr.command_modifiers = strings(g, "command_modifiers", file_name);
    gr.admissions = strings(g, "admissions", file_name);
    gr.admission_frames = strings(g, "admission_frames", file_name);
    gr.change_signals = strings(g, "change_signals", file_name);
    gr.keep_signals = strings(g, "keep_signals", file_name);
    gr.list_determiners = strings(g, "list_determiners", file_name);
    gr.progressive_aux = strings(g, "progressive_aux", file_name);
    gr.past_subjects = strings(g, "past_subjects", file_name);
    gr.size_units = strings(g, "size_units", file_name);
    gr.compound_heads = strings(g, "compound_heads", file_name);
    gr.mass_quantifiers = strings(g, "mass_quantifiers", file_name);
    gr.own_verbs = strings(g, "own_verbs", file_name);
    gr.main_markers = strings(g, "main_markers", file_name);
    gr.contrasts = strings(g, "contrasts", file_name);
    gr.elsewhere = strings(g, "elsewhere", file_name);
    gr.experience = strings(g, "experience", file_name);
    gr.conclusions = strings(g, "conclusions", file_name);
    gr.object_particles = strings(g, "object_particles", file_name);
    gr.object_determiners = strings(g, "object_determiners", file_name);
    gr.both_words = strings(g, "both_words", file_name);
    gr.both_pairs = strings(g, "both_pairs", file_name);
    gr.asking_contractions = strings(g, "asking_contractions", file_name);
    gr.company_words = strings(g, "company_words", file_name);
    gr.count_softeners = strings(g, "count_softeners", file_name);
    gr.past_answers = strings(g, "past_answers", file_name);
    gr.no_subjects = strings(g, "no_subjects", file_name);
    gr.minorities = strings(g, "minorities", file_name);
    gr.purposes = strings(g, "purposes", file_name);
    gr.callers = strings(g, "callers", file_name);
    gr.equal_weights = strings(g, "equal_weights", file_name);
    gr.people_both = strings(g, "people_both", file_name);
    gr.asked_nouns = strings(g, "asked_nouns", file_name);
    gr.fitting_verbs = strings(g, "fitting_verbs", file_name);
    gr.rank_nouns = strings(g, "rank_nouns", file_name);
    gr.subject_prepositions = strings(g, "subject_prepositions", file_name);
    gr.open_questions = strings(g, "open_questions", file_name);
    gr.take_backs = strings(g, "take_backs", file_name);
    gr.asks_back = strings(g, "asks_back", file_name);
    gr.asks_back_whole = strings(g, "asks_back_whole", file_name);
    gr.whole_contractions = strings(g, "whole_contractions", file_name);
    gr.bare_polarity = strings(g, "bare_polarity", file_name);
    gr.lesser = strings(g, "lesser", file_name);
    gr.aside_markers = strings(g, "aside_markers", file_name);
    gr.likeness_asks = strings(g, "likeness_asks", file_name);
    gr.cleft_verbs = strings(g, "cleft_verbs", file_name);
    gr.own_nouns = strings(g, "own_nouns", file_name);
    gr.own_noun_before = strings(g, "own_noun_before", file_name);
    gr.own_noun_not_before = strings(g, "own_noun_not_before", file_name);
    gr.outcome_nouns = strings(g, "outcome_nouns", file_name);
    gr.conditionals = strings(g, "conditionals", file_name);
    gr.hypotheticals = strings(g, "hypotheticals", file_name);
    gr.weighing_words = strings(g, "weighing_words", file_name);
  }
  lang.fillers = strings(j, "fillers", file_name);
  lang.yes = strings(j, "yes", file_name);
  lang.no = strings(j, "no", file_name);
  if (auto it = j.find("intents"); it != j.end() && it->is_object()) {
    for (const auto& [name, phrases] : it->items()) {
      command c = command_named(name, file_name);
      lang.intents[c] = {strings(phrases, "anywhere", file_name),
                         strings(phrases, "whole", file_name)};
    }
  }
  for (const auto& [word, n] : numbers(j, "ordinals", file_name))
    lang.ordinals[word] = static_cast<int>(n);
  for (const auto& [phrase, n] : numbers(j, "ordinal_phrases", file_name))
    lang.ordinal_phrases[phrase] = static_cast<int>(n);
  lang.ordinal_words = strings(j, "ordinal_words", file_name);
  lang.hedges = strings(j, "hedges", file_name);
  lang.mixes = strings(j, "mixes", file_name);
  if (auto it = j.find("phases"); it != j.end()) {
    if (!it->is_object())
      throw load_error(file_name, 0, "\"phases\" must be an object with \"now\" and \"later\"");
    lang.phases_now = strings(*it, "now", file_name);
    lang.phases_later = strings(*it, "later", file_name);
    if (it->contains("open")) lang.phases_open = strings(*it, "open", file_name);
  }
  lang.question_starts = strings(j, "question_starts", file_name);
  lang.leads = strings(j, "leads", file_name);
  lang.greetings = strings(j, "greetings", file_name);
  lang.question_phrases = strings(j, "question_phrases", file_name);
  lang.other_subjects = strings(j, "other_subjects", file_name);
  lang.uncovered_phrases = strings(j, "uncovered_phrases", file_name);
  if (auto it = j.find("subject_verbs"); it != j.end() && it->is_object())
    for (const auto& [word, after] : it->items())
      if (word != "about") lang.subject_verbs[word] = strings(it.value(), word.c_str(), file_name);
  if (j.contains("subject_idioms")) lang.subject_idioms = strings(j, "subject_idioms", file_name);
  if (j.contains("surroundings")) lang.surroundings = strings(j, "surroundings", file_name);
  lang.search_terms = string_map(j, "search_terms", file_name);
  lang.abbreviations = string_map(j, "abbreviations", file_name);
  lang.emoji = string_map(j, "emoji", file_name);
  lang.emoji.erase("about");
  if (j.contains("limiters")) lang.limiters = strings(j, "limiters", file_name);
  if (auto it = j.find("asides"); it != j.end() && it->is_object()) {
    lang.asides.phrases = strings(*it, "phrases", file_name);
    lang.asides.origins = strings(*it, "origins", file_name);
  }
  lang.group_words = strings(j, "group_words", file_name);
  if (auto it = j.find("group_excludes"); it != j.end() && it->is_object())
    for (const auto& [q, opts] : it->items())
      lang.group_excludes[q] = strings(it.value(), q.c_str(), file_name);
  lang.alone_words = strings(j, "alone_words", file_name);
  lang.numbers = numbers(j, "numbers", file_name);
  lang.multipliers = numbers(j, "multipliers", file_name);
  lang.range_words = strings(j, "range_words", file_name);
  lang.speaker_counts = strings(j, "speaker_counts", file_name);
  if (auto it = j.find("far_above"); it != j.end() && it->is_object()) {
    lang.far_above.phrases = strings(*it, "phrases", file_name);
    lang.far_above.factor = it->value("factor", 1.0);
  }
  if (j.contains("durations")) lang.durations = strings(j, "durations", file_name);
  if (auto it = j.find("rates"); it != j.end() && it->is_object()) {
    lang.rates.units = strings(*it, "units", file_name);
    lang.rates.per = strings(*it, "per", file_name);
    lang.rates.periods = numbers(*it, "periods", file_name);
  }
  lang.reference_nouns = strings(j, "reference_nouns", file_name);
  if (auto it = j.find("quantities"); it != j.end() && it->is_array()) {
    for (const auto& jq : *it) {
      quantity_rule rule;
      rule.question = jq.value("question", "");
      rule.units = strings(jq, "units", file_name);
      rule.concurrent_words = strings(jq, "concurrent_words", file_name);
      rule.requires_unit = jq.value("requires_unit", false);
      rule.share = jq.value("share", false);
      rule.only_when_asked = jq.value("only_when_asked", false);
      rule.units_at_once = strings(jq, "units_at_once", file_name);
      for (const auto& jb : jq.value("bands", json::array()))
        rule.bands.push_back(
            {jb.value("below", 0.0), jb.value("concurrent_below", 0.0), jb.value("option", "")});
      lang.quantities.push_back(std::move(rule));
    }
  }
  return lang;
}

examples parse_examples(std::string_view text, const std::string& file_name) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw load_error(file_name, 0, "not a JSON object");
  examples ex;
  ex.framework = j.value("framework", "");
  if (auto it = j.find("answers"); it != j.end() && it->is_object())
    for (const auto& [q, opts] : it->items())
      for (const auto& [o, list] : opts.items())
        ex.answers[q][o] = strings(opts, o.c_str(), file_name);
  if (auto it = j.find("commands"); it != j.end() && it->is_object()) {
    for (const auto& [name, list] : it->items()) {
      command c = command_named(name, file_name);
      ex.commands[c] = strings(it.value(), name.c_str(), file_name);
    }
  }
  ex.questions = strings(j, "questions", file_name);
  if (auto it = j.find("topics"); it != j.end() && it->is_object())
    for (const auto& [topic, list] : it->items())
      ex.topics[topic] = strings(it.value(), topic.c_str(), file_name);
  if (auto it = j.find("mentions"); it != j.end() && it->is_object())
    for (const auto& [qid, list] : it->items())
      ex.mentions[qid] = strings(it.value(), qid.c_str(), file_name);
  return ex;
}

const examples& default_examples() {
  static const examples ex = parse_examples(examples_json, "config/examples.json");
  return ex;
}

const language& default_language() {
  static const language lang = parse_language(language_json, "config/language.json");
  return lang;
}

}  // namespace advisor::dialogue
