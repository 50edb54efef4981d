// Free-text answer matching against the default framework's questions. The input is what a
// user typed; "question-id<TAB>text" makes that question the pending one (the one being
// asked), which also gets the text as a direct reply. Checks what the functions promise: normalize
// is idempotent, the edit distance is a symmetric distance, and every match names a real option of
// its own question, once.
#include <algorithm>
#include <set>

#include "bot/paths.hpp"
#include "common.hpp"
#include "dialogue/matching.hpp"

using namespace advisor;
using namespace advisor::dialogue;

namespace {

constexpr std::size_t max_distance_input = 256;  // edit_distance is quadratic

bool owns(const question& q, const option* o) {
  return std::any_of(q.options.begin(), q.options.end(), [&](const option& x) { return &x == o; });
}

void check_reply(const question& q, std::string_view text, std::size_t token_count) {
  auto m = match_reply(q, text);
  if (m.chosen && !owns(q, m.chosen))
    fuzz::fail("match_reply chose an option of another question", text);
  if (m.chosen && !m.candidates.empty())
    fuzz::fail("match_reply both chose and offered candidates", text);
  if (m.candidates.size() == 1)
    fuzz::fail("match_reply offered a single candidate instead of choosing it", text);
  for (const auto* c : m.candidates)
    if (!owns(q, c)) fuzz::fail("match_reply offered an option of another question", text);
  for (const auto& [begin, end] : m.spans)
    if (begin >= end || end > token_count)
      fuzz::fail("match_reply returned a span outside the tokens", text);
}

void check_distance(std::string_view text) {
  std::string_view a = text.substr(0, std::min(text.size() / 2, max_distance_input));
  std::string_view b = text.substr(text.size() / 2).substr(0, max_distance_input);
  std::size_t ab = edit_distance(a, b);
  if (ab != edit_distance(b, a)) fuzz::fail("edit_distance is not symmetric", text);
  if (ab > std::max(a.size(), b.size()) ||
      ab < (a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()))
    fuzz::fail("edit_distance out of its bounds", text);
  if (edit_distance(a, a) != 0) fuzz::fail("edit_distance of a string to itself is not 0", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const framework fw = [] {
    std::string file = bot::config_dir() + "/framework.json";
    return parse_framework(bot::read_file(file), file);
  }();
  std::string_view input = fuzz::as_text(data, size);
  std::string_view pending, text = input;
  if (auto tab = input.find('\t'); tab != std::string_view::npos && tab < 64) {
    pending = input.substr(0, tab);
    text = input.substr(tab + 1);
  }

  auto tokens = tokenize(text);
  for (const auto& t : tokens)
    if (t.empty()) fuzz::fail("tokenize returned an empty token", text);
  std::string once = normalize(text);
  if (normalize(once) != once) fuzz::fail("normalize is not idempotent", text);
  check_distance(text);

  // A direct reply to the pending question, or (none pending) to one the input picks: matching
  // every question for every input would cost more than it finds.
  const question* asked = fw.find_question(pending);
  check_reply(asked ? *asked : fw.questions[size % fw.questions.size()], text, tokens.size());

  auto found = extract_answers(fw, state{}, text, pending);
  std::set<std::string> answered;
  for (const auto& a : found) {
    const question* q = fw.find_question(a.question);
    if (!q || !q->find_option(a.option))
      fuzz::fail("extract_answers found an option that does not exist", text);
    if (!answered.insert(a.question).second)
      fuzz::fail("extract_answers answered a question twice", text);
  }
  return 0;
}
