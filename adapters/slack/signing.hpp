// Slack request signing (https://api.slack.com/authentication/verifying-requests-from-slack):
// "v0=" + hex(HMAC-SHA256(signing secret, "v0:" + X-Slack-Request-Timestamp + ":" + raw body)),
// compared in constant time; a timestamp more than five minutes from now, either side, is
// refused so that a captured request cannot be replayed later.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace advisor::slack {

constexpr std::int64_t max_clock_skew_seconds = 5 * 60;

// The signature Slack sends for this timestamp and body.
std::string sign(std::string_view secret, std::string_view timestamp, std::string_view body);

enum class verdict { ok, missing, malformed, stale, mismatch };

// Checks X-Slack-Request-Timestamp and X-Slack-Signature against the body at time `now`
// (seconds since the epoch).
verdict verify(std::string_view secret, std::string_view timestamp, std::string_view signature,
               std::string_view body, std::int64_t now);

// A stable code for logs and error bodies: "missing_signature", "stale_timestamp", ...
std::string_view code(verdict v);

}  // namespace advisor::slack
