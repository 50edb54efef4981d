#include "adapters/slack/signing.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <stdexcept>

namespace advisor::slack {

namespace {

constexpr std::string_view version_prefix = "v0=";
constexpr std::size_t digest_hex_size = 64;  // SHA-256
constexpr std::size_t max_timestamp_digits = 12;

bool is_lower_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

std::string sign(std::string_view secret, std::string_view timestamp, std::string_view body) {
  std::string base;
  base.reserve(timestamp.size() + body.size() + 4);
  base.append("v0:").append(timestamp).append(":").append(body);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(base.data()), base.size(), digest, &size))
    throw std::runtime_error("OpenSSL HMAC-SHA256 failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(version_prefix);
  for (unsigned int i = 0; i < size; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xF];
  }
  return out;
}

verdict verify(std::string_view secret, std::string_view timestamp, std::string_view signature,
               std::string_view body, std::int64_t now) {
  if (timestamp.empty() || signature.empty()) return verdict::missing;
  std::int64_t ts = 0;
  auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), ts);
  if (ec != std::errc{} || end != timestamp.data() + timestamp.size() ||
      timestamp.size() > max_timestamp_digits || timestamp.front() == '-' ||
      timestamp.front() == '+')
    return verdict::malformed;
  if (signature.size() != version_prefix.size() + digest_hex_size ||
      signature.substr(0, version_prefix.size()) != version_prefix ||
      !is_lower_hex(signature.substr(version_prefix.size())))
    return verdict::malformed;
  if (ts > now + max_clock_skew_seconds || ts < now - max_clock_skew_seconds) return verdict::stale;
  if (secret.empty()) return verdict::mismatch;  // nothing can be signed with no secret
  std::string expected = sign(secret, timestamp, body);
  if (CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) != 0)
    return verdict::mismatch;
  return verdict::ok;
}

std::string_view code(verdict v) {
  switch (v) {
    case verdict::ok:
      return "ok";
    case verdict::missing:
      return "missing_signature";
    case verdict::malformed:
      return "malformed_signature";
    case verdict::stale:
      return "stale_timestamp";
    case verdict::mismatch:
      return "invalid_signature";
  }
  return "invalid_signature";
}

}  // namespace advisor::slack
