// The loaders of the files an operator writes: the framework (parse_framework and
// validate_framework), the knowledge (parse_knowledge) and the run-time config (load_config,
// which reads a file: the input is written to one). Each input goes to all of them. A loader
// may refuse a file only with the error it documents; parse_framework must refuse exactly
// what validate_framework reports, and knowledge must read back what it writes.
#include <fstream>

#include "bot/infra/config.hpp"
#include "common.hpp"
#include "dialogue/framework.hpp"
#include "dialogue/matching.hpp"
#include "knowledge/knowledge.hpp"

using namespace advisor;

namespace {

void check_framework(std::string_view text) {
  auto problems = dialogue::validate_framework(text, "framework.json");
  std::optional<dialogue::framework> fw;
  try {
    fw = dialogue::parse_framework(text, "framework.json");
  } catch (const dialogue::load_error& e) {
    if (problems.empty())
      fuzz::fail("parse_framework refused a framework validate_framework accepts", e.what());
    if (std::string(e.what()) != problems.front().what())
      fuzz::fail("parse_framework and validate_framework disagree on the first problem", e.what());
    return;
  }
  if (!problems.empty())
    fuzz::fail("parse_framework accepted a framework validate_framework refuses",
               problems.front().what());
  // A framework that loads must be usable: match a sentence and a reply against it.
  const std::string sentence = "we are a startup, our team knows python, no real-time needs";
  dialogue::extract_answers(*fw, {}, sentence, fw->questions.front().id);
  for (const auto& q : fw->questions) dialogue::match_reply(q, "yes");
}

void check_knowledge(std::string_view text) {
  knowledge::knowledge_doc doc;
  try {
    doc = knowledge::parse_knowledge(text, "knowledge.json");
  } catch (const dialogue::load_error&) {
    return;
  }
  std::string written = knowledge::knowledge_to_json(doc);
  try {
    if (knowledge::knowledge_to_json(knowledge::parse_knowledge(written, "export.json")) != written)
      fuzz::fail("knowledge does not read back as it was written", written);
  } catch (const dialogue::load_error& e) {
    fuzz::fail("knowledge written by knowledge_to_json does not load", e.what());
  }
}

void check_config(std::string_view text) {
  static test::temp_dir dir;
  static const std::string file = dir.file("advisor.json");
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  try {
    bot::load_config(file);
  } catch (const std::runtime_error&) {
    // The documented refusal (file, line and problem).
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  log::set_level("off");
  // load_config reads these on top of the file: the input alone must decide.
  for (const char* name :
       {"ADVISOR_DATA_DIR", "ADVISOR_LOG_LEVEL", "ADVISOR_SLACK_SIGNING_SECRET",
        "ADVISOR_SLACK_BOT_TOKEN", "ADVISOR_SLACK_API_URL", "ADVISOR_SLACK_WEBHOOK_URL",
        "ADVISOR_DISCORD_PUBLIC_KEY", "ADVISOR_DISCORD_APP_ID", "ADVISOR_DISCORD_BOT_TOKEN",
        "ADVISOR_DISCORD_API_URL", "ADVISOR_DISCORD_WEBHOOK_URL"})
    ::unsetenv(name);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  check_framework(text);
  check_knowledge(text);
  check_config(text);
  return 0;
}
