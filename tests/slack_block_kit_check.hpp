// Checks a message's blocks against Block Kit's documented limits, the way Slack would refuse
// them (invalid_blocks): at most 50 blocks, section text <= 3000, header <= 150, at most 25
// elements per actions block, button text <= 75 characters, value <= 2000, action_id unique
// in a block, block_id <= 255 and unique in the message. Returns what is wrong, empty if fine.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace advisor::test {

// Slack counts characters: count UTF-8 code points.
inline std::size_t characters(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

inline std::vector<std::string> block_kit_problems(const nlohmann::json& blocks) {
  std::vector<std::string> problems;
  auto bad = [&](const std::string& what) { problems.push_back(what); };
  if (!blocks.is_array()) return {"blocks is not an array"};
  if (blocks.size() > 50) bad("more than 50 blocks");
  std::set<std::string> block_ids;
  for (const auto& b : blocks) {
    std::string type = b.value("type", "");
    if (b.contains("block_id")) {
      std::string id = b["block_id"];
      if (characters(id) > 255) bad("block_id over 255");
      if (!block_ids.insert(id).second) bad("duplicate block_id " + id);
    }
    if (type == "section") {
      if (b.contains("text")) {
        if (b["text"]["type"] != "mrkdwn" && b["text"]["type"] != "plain_text")
          bad("section text type");
        std::string t = b["text"]["text"];
        if (t.empty()) bad("empty section text");
        if (characters(t) > 3000) bad("section text over 3000");
      }
      if (b.contains("fields")) {
        if (b["fields"].size() > 10) bad("more than 10 fields");
        for (const auto& f : b["fields"])
          if (characters(f["text"].get<std::string>()) > 2000) bad("field over 2000");
      }
      if (!b.contains("text") && !b.contains("fields")) bad("section without text or fields");
    } else if (type == "header") {
      if (b["text"]["type"] != "plain_text") bad("header text must be plain_text");
      if (characters(b["text"]["text"].get<std::string>()) > 150) bad("header over 150");
    } else if (type == "context") {
      if (b["elements"].empty() || b["elements"].size() > 10) bad("context needs 1..10 elements");
      for (const auto& e : b["elements"])
        if (characters(e["text"].get<std::string>()) > 3000) bad("context text over 3000");
    } else if (type == "actions") {
      if (b["elements"].empty() || b["elements"].size() > 25) bad("actions needs 1..25 elements");
      std::set<std::string> action_ids;
      for (const auto& e : b["elements"]) {
        if (e["type"] != "button") continue;
        if (e["text"]["type"] != "plain_text") bad("button text must be plain_text");
        if (characters(e["text"]["text"].get<std::string>()) > 75) bad("button text over 75");
        if (e.contains("value") && characters(e["value"].get<std::string>()) > 2000)
          bad("button value over 2000");
        std::string id = e["action_id"];
        if (characters(id) > 255) bad("action_id over 255");
        if (!action_ids.insert(id).second) bad("duplicate action_id " + id);
      }
    } else if (type != "divider") {
      bad("unexpected block type " + type);
    }
  }
  return problems;
}

}  // namespace advisor::test
