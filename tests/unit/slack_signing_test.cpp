// Request signing with Slack's documented worked example, the five-minute window, malformed
// headers, and the seen_set behind retry and double-click de-duplication.
#include <doctest/doctest.h>

#include "adapters/slack/form.hpp"
#include "adapters/slack/seen_set.hpp"
#include "adapters/slack/signing.hpp"

using namespace advisor::slack;

namespace {

// From https://api.slack.com/authentication/verifying-requests-from-slack
constexpr std::string_view doc_secret = "8f742231b10e8888abcd99yyyzzz85a5";
constexpr std::string_view doc_timestamp = "1531420618";
constexpr std::string_view doc_body =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&"
    "channel_name=foobar"
    "&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%"
    "3A%2F%2Fhooks.slack.com"
    "%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015."
    "47445629121."
    "803a0bc887a14d10d2c447fce8b6703c";
constexpr std::string_view doc_signature =
    "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
constexpr std::int64_t doc_now = 1531420618 + 30;  // the clock set inside the window

}  // namespace

TEST_SUITE("slack signing") {
  TEST_CASE("Slack's documented example signs to the documented signature") {
    CHECK(sign(doc_secret, doc_timestamp, doc_body) == doc_signature);
    CHECK(verify(doc_secret, doc_timestamp, doc_signature, doc_body, doc_now) == verdict::ok);
  }

  TEST_CASE("a timestamp more than five minutes from now - either side - is stale") {
    CHECK(verify(doc_secret, doc_timestamp, doc_signature, doc_body, 1531420618 + 300) ==
          verdict::ok);
    CHECK(verify(doc_secret, doc_timestamp, doc_signature, doc_body, 1531420618 - 300) ==
          verdict::ok);
    CHECK(verify(doc_secret, doc_timestamp, doc_signature, doc_body, 1531420618 + 301) ==
          verdict::stale);
    CHECK(verify(doc_secret, doc_timestamp, doc_signature, doc_body, 1531420618 - 301) ==
          verdict::stale);
    CHECK(verify(doc_secret, doc_timestamp, doc_signature, doc_body, 0) == verdict::stale);
  }

  TEST_CASE("a tampered body - another secret or another timestamp do not match") {
    std::string tampered(doc_body);
    tampered.replace(tampered.find("text="), 5, "text=x");
    CHECK(verify(doc_secret, doc_timestamp, doc_signature, tampered, doc_now) == verdict::mismatch);
    CHECK(verify("another-secret", doc_timestamp, doc_signature, doc_body, doc_now) ==
          verdict::mismatch);
    CHECK(verify(doc_secret, "1531420619", doc_signature, doc_body, doc_now) == verdict::mismatch);
    CHECK(verify("", doc_timestamp, doc_signature, doc_body, doc_now) == verdict::mismatch);
    std::string flipped(doc_signature);
    flipped.back() = '4';
    CHECK(verify(doc_secret, doc_timestamp, flipped, doc_body, doc_now) == verdict::mismatch);
  }

  TEST_CASE("missing and malformed headers are told apart") {
    CHECK(verify(doc_secret, "", doc_signature, doc_body, doc_now) == verdict::missing);
    CHECK(verify(doc_secret, doc_timestamp, "", doc_body, doc_now) == verdict::missing);
    CHECK(verify(doc_secret, "abc", doc_signature, doc_body, doc_now) == verdict::malformed);
    CHECK(verify(doc_secret, "-1531420618", doc_signature, doc_body, doc_now) ==
          verdict::malformed);
    CHECK(verify(doc_secret, "1531420618.5", doc_signature, doc_body, doc_now) ==
          verdict::malformed);
    CHECK(verify(doc_secret, "99999999999999999999999", doc_signature, doc_body, doc_now) ==
          verdict::malformed);
    CHECK(verify(doc_secret, doc_timestamp, "v1=" + std::string(doc_signature.substr(3)), doc_body,
                 doc_now) == verdict::malformed);
    CHECK(verify(doc_secret, doc_timestamp, doc_signature.substr(0, 66), doc_body, doc_now) ==
          verdict::malformed);
    CHECK(verify(doc_secret, doc_timestamp, std::string(doc_signature) + "0", doc_body, doc_now) ==
          verdict::malformed);
    std::string upper(doc_signature);
    upper[5] = 'A';
    CHECK(verify(doc_secret, doc_timestamp, upper, doc_body, doc_now) == verdict::malformed);
    CHECK(code(verdict::stale) == "stale_timestamp");
    CHECK(code(verdict::mismatch) == "invalid_signature");
  }
}

TEST_SUITE("slack seen_set") {
  TEST_CASE("a key is seen once until it expires") {
    seen_set s(60, 100);
    CHECK(s.insert("a", 1000));
    CHECK_FALSE(s.insert("a", 1001));
    CHECK_FALSE(s.insert("a", 1059));
    CHECK(s.insert("a", 1060));  // expired: a new key
    CHECK(s.insert("b", 1060));
  }
  TEST_CASE("it never grows past its capacity: the oldest key goes first") {
    seen_set s(3600, 3);
    CHECK(s.insert("a", 1));
    CHECK(s.insert("b", 2));
    CHECK(s.insert("c", 3));
    CHECK(s.insert("d", 4));
    CHECK(s.size() == 3);
    CHECK(s.insert("a", 5));  // "a" was pushed out
    CHECK_FALSE(s.insert("d", 6));
  }
  TEST_CASE("erase lets a key in again") {
    seen_set s(60, 10);
    CHECK(s.insert("a", 1));
    s.erase("a");
    CHECK(s.insert("a", 2));
  }
}

TEST_SUITE("slack form") {
  TEST_CASE("the documented slash command body decodes") {
    auto f = parse_form(doc_body);
    CHECK(f["command"] == "/webhook-collect");
    CHECK(f["text"].empty());
    CHECK(f.count("text") == 1);
    CHECK(f["response_url"] ==
          "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN");
    CHECK(f["user_id"] == "U2CERLKJA");
  }
  TEST_CASE("'+' is a space - %2B a plus - UTF-8 survives - odd pairs do not crash") {
    auto f = parse_form("text=we+are+a+startup+%2B+team&x=caf%C3%A9&flag&=v&&a=1&a=2&bad=%zz%");
    CHECK(f["text"] == "we are a startup + team");
    CHECK(f["x"] == "caf\xC3\xA9");
    CHECK(f["flag"].empty());
    CHECK(f["a"] == "1");
    CHECK(f.count("") == 1);
    CHECK(f["bad"] == "%zz%");
  }
}
