// The Discord adapter's verifier against RFC 8032 and signatures made by libsodium (hence here,
// beside the tests that sign requests), and the replay guard. The render functions (custom ids,
// messages) are tested in tests/unit/discord_render_test.cpp.
#include "adapters/discord/verifier.hpp"

#include <doctest/doctest.h>

#include "signer.hpp"

using namespace advisor;

TEST_SUITE("discord verifier") {
  TEST_CASE("RFC 8032 test 1 - the empty message's signature verifies and nothing else does") {
    discord::signature_verifier v(test::rfc8032_public);
    CHECK(v.verify(test::rfc8032_empty_signature, "", ""));
    CHECK_FALSE(v.verify(test::rfc8032_empty_signature, "", "x"));
    CHECK_FALSE(v.verify(test::rfc8032_empty_signature, "1", ""));
    // Upper-case hex is the same signature.
    std::string upper(test::rfc8032_empty_signature);
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(v.verify(upper, "", ""));
    // One flipped bit in R and in S.
    std::string flipped(test::rfc8032_empty_signature);
    flipped[0] = flipped[0] == 'e' ? 'f' : 'e';
    CHECK_FALSE(v.verify(flipped, "", ""));
    flipped = std::string(test::rfc8032_empty_signature);
    flipped[100] = flipped[100] == '0' ? '1' : '0';
    CHECK_FALSE(v.verify(flipped, "", ""));
  }

  TEST_CASE(
      "libsodium (independent of OpenSSL) derives the same key and signature from the RFC seed") {
    test::signer s;
    CHECK(s.public_hex() == test::rfc8032_public);
    CHECK(s.sign("") == test::rfc8032_empty_signature);
  }

  TEST_CASE("timestamp and body are signed together") {
    test::signer s;
    discord::signature_verifier v(s.public_hex());
    std::string body = R"({"type":1})";
    std::string sig = s.sign("1700000000" + body);
    CHECK(v.verify(sig, "1700000000", body));
    CHECK_FALSE(v.verify(sig, "1700000001", body));
    CHECK_FALSE(v.verify(sig, "1700000000", R"({"type":2})"));
  }

  TEST_CASE("malformed signatures are refused and never thrown on") {
    discord::signature_verifier v(test::rfc8032_public);
    std::string good(test::rfc8032_empty_signature);
    CHECK_FALSE(v.verify("", "", ""));
    CHECK_FALSE(v.verify(good.substr(0, 126), "", ""));
    CHECK_FALSE(v.verify(good + "00", "", ""));
    CHECK_FALSE(v.verify("zz" + good.substr(2), "", ""));
    CHECK_FALSE(v.verify(std::string(128, '0'), "", ""));
    CHECK_FALSE(v.verify(std::string(128, 'f'), "", ""));
  }

  TEST_CASE("a public key that is not 32 bytes of hex is a configuration error") {
    CHECK_THROWS_AS(discord::signature_verifier(""), std::invalid_argument);
    CHECK_THROWS_AS(discord::signature_verifier("abcd"), std::invalid_argument);
    CHECK_THROWS_AS(discord::signature_verifier(std::string(test::rfc8032_public) + "00"),
                    std::invalid_argument);
    CHECK_THROWS_AS(discord::signature_verifier("x" + std::string(test::rfc8032_public).substr(1)),
                    std::invalid_argument);
    CHECK_NOTHROW(discord::signature_verifier(test::rfc8032_public));
  }

  TEST_CASE("hex decoding is strict") {
    CHECK(discord::from_hex("00ff") == std::vector<unsigned char>{0x00, 0xff});
    CHECK_FALSE(discord::from_hex("0"));
    CHECK_FALSE(discord::from_hex("0g"));
    CHECK_FALSE(discord::from_hex(" 0"));
  }
}

TEST_SUITE("discord replay guard") {
  using verdict = discord::replay_guard::verdict;

  // 128 hex digits, as X-Signature-Ed25519 carries them; distinct in the first 32.
  std::string sig(int n) {
    std::string head = std::to_string(n);
    return std::string(32 - head.size(), '0') + head + std::string(96, 'c');
  }

  TEST_CASE("a timestamp far from now is refused either way") {
    discord::replay_guard g(std::chrono::seconds(300));
    CHECK(g.check("1000000", sig(1), 1000000) == verdict::fresh);
    CHECK(g.check("999700", sig(2), 1000000) == verdict::fresh);
    CHECK(g.check("999699", sig(3), 1000000) == verdict::out_of_window);
    CHECK(g.check("1000301", sig(4), 1000000) == verdict::out_of_window);
    CHECK(g.check("", sig(5), 1000000) == verdict::bad_timestamp);
    CHECK(g.check("12x", sig(6), 1000000) == verdict::bad_timestamp);
    CHECK(g.check("-5", sig(7), 1000000) == verdict::out_of_window);
    CHECK(g.check("99999999999999999999", sig(8), 1000000) == verdict::bad_timestamp);
    CHECK(g.check("1000000", "abcdef", 1000000) == verdict::bad_signature);
    CHECK(g.size() == 2);
  }

  TEST_CASE("an exact replay is refused whatever the hex case") {
    discord::replay_guard g;
    std::string lower = std::string(32, 'a') + std::string(96, 'b');
    std::string upper = std::string(32, 'A') + std::string(96, 'B');
    CHECK(g.check("1000", lower, 1000) == verdict::fresh);
    CHECK(g.check("1000", lower, 1001) == verdict::replay);
    CHECK(g.check("1000", upper, 1001) == verdict::replay);
    CHECK(g.check("1000", std::string(31, 'a') + "e" + std::string(96, 'b'), 1001) ==
          verdict::fresh);
  }

  TEST_CASE("signatures are remembered for their whole window - past the old 20000") {
    discord::replay_guard g(std::chrono::seconds(300));
    for (int i = 0; i < 30000; ++i)
      REQUIRE(g.check(std::to_string(5000 + i / 200), sig(i), 5000 + i / 200) == verdict::fresh);
    CHECK(g.check("5000", sig(0), 5149) == verdict::replay);
    CHECK(g.size() == 30000);
  }

  TEST_CASE("full of live signatures: refused with full and a Retry-After - never forgotten") {
    discord::replay_guard g(std::chrono::seconds(300), 100);
    for (int i = 0; i < 100; ++i) REQUIRE(g.check("5000", sig(i), 5000) == verdict::fresh);
    CHECK(g.check("5000", sig(100), 5000) == verdict::full);
    CHECK(g.check("5000", sig(0), 5000) == verdict::replay);  // the oldest is still refused
    CHECK(g.retry_after(5000) == 301);
    CHECK(g.check("5301", sig(100), 5301) == verdict::fresh);  // second 5000 left the window
    CHECK(g.size() == 1);
  }
}
