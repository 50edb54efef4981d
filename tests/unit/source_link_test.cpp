// A source's address: checked when the knowledge loads, kept by the SQLite store (migration 8),
// carried in the typed reply, and shown as a link by every renderer (the core's Markdown, the
// WebSocket frame, Slack mrkdwn, Discord markdown, the terminal), each with and without one.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "adapters/common/protocol.hpp"
#include "adapters/discord/messages.hpp"
#include "adapters/slack/blocks.hpp"
#include "adapters/terminal/terminal.hpp"
#include "dialogue/presentation.hpp"
#include "knowledge/load_error.hpp"
#include "knowledge/sqlite/knowledge_store.hpp"
#include "support.hpp"

using namespace advisor;
using nlohmann::json;

namespace {

// A knowledge document with one source (its "url" member as given, none when empty) and a fact.
std::string doc_with_url(const std::string& url_member) {
  return R"({"sources": [{"id": "guide", "title": "A guide")" +
         (url_member.empty() ? std::string() : ", \"url\": " + url_member) +
         R"(}], "facts": [{"id": "f1", "tech": "python", "topic": "speed", "claim": "fast enough",
            "source": "guide"}]})";
}

std::string load_failure(const std::string& url_member) {
  try {
    knowledge::parse_knowledge(doc_with_url(url_member), "k.json");
  } catch (const knowledge::load_error& e) {
    return e.what();
  }
  return "";
}

const dialogue::source_ref linked{"Node.js Vs Python", "https://example.org/a?x=1&y=2"};
const dialogue::source_ref unlinked{"A guide"};

}  // namespace

TEST_CASE("a source's url loads when it is an absolute http or https address") {
  auto doc =
      knowledge::parse_knowledge(doc_with_url(R"("https://example.org/node-vs-python")"), "k.json");
  REQUIRE(doc.sources.size() == 1);
  CHECK(doc.sources[0].url == "https://example.org/node-vs-python");
  CHECK(knowledge::parse_knowledge(doc_with_url(R"("http://example.org/a%20b")"), "k.json")
            .sources[0]
            .url == "http://example.org/a%20b");
  // No url, or an empty one: no address known.
  CHECK(knowledge::parse_knowledge(doc_with_url(""), "k.json").sources[0].url.empty());
  CHECK(knowledge::parse_knowledge(doc_with_url(R"("")"), "k.json").sources[0].url.empty());
  // The export writes the url back, and a source without one gets no "url" key.
  auto again = knowledge::parse_knowledge(knowledge::knowledge_to_json(doc), "export.json");
  CHECK(again.sources[0].url == "https://example.org/node-vs-python");
  CHECK(json::parse(knowledge::knowledge_to_json(
            knowledge::parse_knowledge(doc_with_url(""), "k.json")))["sources"][0]
            .contains("url") == false);
}

TEST_CASE(
    "a source's url that is not an absolute http or https address is a load error naming "
    "the source") {
  for (const char* bad :
       {R"u("ftp://example.org/a")u", R"u("javascript:alert(1)")u", R"u("/articles/a")u",
        R"u("example.org/a")u", R"u("https://")u", R"u("https:///path")u", R"u("//example.org/a")u",
        R"u("https://exa mple.org")u", R"u("https://example.org/a(b)")u",
        R"u("https://example.org/<b>")u", R"u("https://example.org/a|b")u",
        R"u("https://example.org/\"x")u", R"u("HTTPS://example.org")u"}) {
    CAPTURE(bad);
    std::string what = load_failure(bad);
    CHECK(what.find("k.json") != std::string::npos);
    CHECK(what.find("source \"guide\"") != std::string::npos);
    CHECK(what.find("\"url\" must be an absolute http:// or https:// address") !=
          std::string::npos);
  }
  CHECK(load_failure("42").find("source \"guide\": \"url\" must be a string") != std::string::npos);
  CHECK(knowledge::valid_source_url("https://example.org"));
  CHECK_FALSE(knowledge::valid_source_url("https://example.org/\x01"));
}

TEST_CASE(
    "the SQLite store keeps a source's url - and a database from before migration 8 gets "
    "none") {
  test::temp_dir dir;
  const std::string file = dir.file("k.db");
  {
    // A database as version 7 left it, with a source and no url column yet.
    storage::connection c(file);
    storage::migrate(c, 7);
    c.exec(
        "INSERT INTO sources (id, title, publisher, author, file, summary) VALUES ('old', 'Old "
        "article', '', '', '', '')");
  }
  {
    storage::knowledge_store kb(file);  // migrates to the latest version
    auto old = kb.find_source("old");
    REQUIRE(old);
    CHECK(old->title == "Old article");
    CHECK(old->url.empty());
    kb.import(knowledge::parse_knowledge(doc_with_url(R"("https://example.org/guide")"), "k.json"));
  }
  storage::knowledge_store reopened(file);
  auto src = reopened.find_source("guide");
  REQUIRE(src);
  CHECK(src->url == "https://example.org/guide");
  CHECK(reopened.export_doc().sources.at(0).url == "https://example.org/guide");
}

TEST_CASE("the core cites a source as a Markdown link when its address is known") {
  CHECK(dialogue::cite(linked) == "[Node.js Vs Python](https://example.org/a?x=1&y=2)");
  CHECK(dialogue::cite(unlinked) == "A guide");
  dialogue::recommendation rec;
  rec.choice_label = "Python";
  dialogue::reason r;
  r.text = "**Team: Python**";
  r.effect = {{"python", 2}};
  r.sources = {linked, unlinked};
  rec.reasons.push_back(r);
  std::string text = dialogue::present(dialogue::part::recommended{rec, {}, false, {}});
  CHECK(text.find("_Sources: [Node.js Vs Python](https://example.org/a?x=1&y=2); A guide_") !=
        std::string::npos);
}

TEST_CASE(
    "Slack shows a source as <url|title> with both escaped - and the title alone without "
    "an address") {
  CHECK(slack::source_link(linked) == "<https://example.org/a?x=1&amp;y=2|Node.js Vs Python>");
  CHECK(slack::source_link({"Q&A <live>"}) == "Q&amp;A &lt;live&gt;");
  CHECK(slack::source_link({"Q&A <live>", "https://example.org/"}) ==
        "<https://example.org/|Q&amp;A &lt;live&gt;>");
  // The core's text: the same link, through to_mrkdwn.
  CHECK(slack::to_mrkdwn("_Source: " + dialogue::cite(linked) + "_") ==
        "_Source: <https://example.org/a?x=1&amp;y=2|Node.js Vs Python>_");
  CHECK(slack::to_mrkdwn("_Source: " + dialogue::cite(unlinked) + "_") == "_Source: A guide_");
}

TEST_CASE("Discord shows a source as [title](<url>) - and the title alone without an address") {
  CHECK(discord::source_link(linked) == "[Node.js Vs Python](<https://example.org/a?x=1&y=2>)");
  CHECK(discord::source_link(unlinked) == "A guide");
  CHECK(discord::source_link({"[Draft] notes", "https://example.org/"}) ==
        "[\\[Draft\\] notes](<https://example.org/>)");
  // In reply text the core's masked link is Discord markdown already.
  CHECK(discord::to_discord("_Source: " + dialogue::cite(linked) + "_") ==
        "_Source: [Node.js Vs Python](https://example.org/a?x=1&y=2)_");
  CHECK(discord::to_discord("_Source: " + dialogue::cite(unlinked) + "_") == "_Source: A guide_");
  // A user's escaped brackets are no link.
  CHECK(discord::to_discord("\\[x\\]\\(https\\://evil.example\\)") ==
        "\\[x\\]\\(https:\xE2\x80\x8B//evil.example\\)");
}

TEST_CASE("the terminal shows a source's title then its address") {
  CHECK(terminal::terminal_text("_Source: " + dialogue::cite(linked) + "_", false) ==
        "Source: Node.js Vs Python (https://example.org/a?x=1&y=2)");
  CHECK(terminal::terminal_text("_Source: " + dialogue::cite(unlinked) + "_", false) ==
        "Source: A guide");
}

TEST_CASE("the reply frame carries source_urls beside the titles only when an address is known") {
  bot::turn t;
  t.conversation = "c1";
  dialogue::recommendation r;
  r.choice = "python";
  r.reasons.push_back({"You said ML", {linked, unlinked}, {}, "q1", {}});
  r.context.push_back({"You are a startup", {unlinked}, {}, "q0", {}});
  r.contested.push_back(
      {"c1", "They disagree", {{"python", "fast", {unlinked}}, {"nodejs", "faster", {linked}}}});
  t.out.recommendation = std::make_shared<const dialogue::recommendation>(r);
  auto rec = json::parse(bot::reply_frame(t))["recommendation"];
  CHECK(rec["reasons"][0] == json{{"text", "You said ML"},
                                  {"sources", {"Node.js Vs Python", "A guide"}},
                                  {"source_urls", {"https://example.org/a?x=1&y=2", ""}}});
  CHECK(rec["context"][0] == json{{"text", "You are a startup"}, {"sources", {"A guide"}}});
  CHECK_FALSE(rec["contested"][0]["sides"][0].contains("source_urls"));
  CHECK(rec["contested"][0]["sides"][1]["source_urls"] ==
        json::array({"https://example.org/a?x=1&y=2"}));
}
