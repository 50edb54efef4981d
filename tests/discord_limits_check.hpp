// Asserts that a Discord message (or embed) respects Discord's documented limits.
#pragma once

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "adapters/discord/messages.hpp"

namespace advisor::test {

inline void check_embed_limits(const nlohmann::json& e) {
  namespace lim = discord::limits;
  if (e.contains("title")) CHECK(e["title"].get<std::string>().size() <= lim::embed_title);
  if (e.contains("description"))
    CHECK(e["description"].get<std::string>().size() <= lim::embed_description);
  if (e.contains("fields")) {
    CHECK(e["fields"].size() <= lim::fields);
    for (const auto& f : e["fields"]) {
      CHECK(f["name"].get<std::string>().size() <= lim::field_name);
      CHECK(!f["name"].get<std::string>().empty());
      CHECK(f["value"].get<std::string>().size() <= lim::field_value);
      CHECK(!f["value"].get<std::string>().empty());
    }
  }
  if (e.contains("footer")) CHECK(e["footer"]["text"].get<std::string>().size() <= lim::footer);
  CHECK(discord::embed_length(e) <= lim::embed_total);
}

inline void check_message_limits(const nlohmann::json& m) {
  namespace lim = discord::limits;
  if (m.contains("content")) CHECK(m["content"].get<std::string>().size() <= lim::content);
  if (m.contains("embeds")) {
    CHECK(m["embeds"].size() <= lim::embeds);
    std::size_t total = 0;
    for (const auto& e : m["embeds"]) {
      check_embed_limits(e);
      total += discord::embed_length(e);
    }
    CHECK(total <= lim::embed_total);
  }
  if (m.contains("components")) {
    CHECK(m["components"].size() <= lim::rows);
    std::set<std::string> ids;
    for (const auto& row : m["components"]) {
      CHECK(row["type"] == 1);
      CHECK(row["components"].size() >= 1);
      CHECK(row["components"].size() <= lim::buttons_per_row);
      for (const auto& c : row["components"]) {
        std::string id = c["custom_id"];
        CHECK(id.size() <= lim::custom_id);
        CHECK(ids.insert(id).second);  // unique within the message
        if (c["type"] == 2) {
          CHECK(c["label"].get<std::string>().size() <= lim::button_label);
          CHECK(row["components"].size() <= lim::buttons_per_row);
        } else {
          CHECK(c["type"] == 3);
          CHECK(row["components"].size() == 1);  // a select fills its row
          CHECK(c["options"].size() <= lim::select_options);
        }
      }
    }
  }
}

}  // namespace advisor::test
