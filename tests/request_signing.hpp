// Requests as Slack and Discord build and sign them, with OpenSSL directly (never the
// adapters' own code), for the integration tests, the fuzz targets and the unit tests that
// replay their findings, and advisor-bench (which links none of the project's libraries:
// this header needs only OpenSSL):
//   Slack:   "v0=" + hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body)), form bodies
//   Discord: hex(Ed25519(timestamp + body)), by default with a fixed test key (RFC 8032,
//            7.1, test 1)
#pragma once

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace advisor::test {

inline std::string to_hex(const unsigned char* p, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 0xF];
  }
  return out;
}

// Throws std::invalid_argument for an odd length or a character that is not a hex digit.
inline std::vector<unsigned char> from_hex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2) throw std::invalid_argument("odd number of hex digits");
  std::vector<unsigned char> out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0)
      throw std::invalid_argument("not a hex digit in \"" + std::string(hex) + "\"");
    out.push_back(static_cast<unsigned char>(hi * 16 + lo));
  }
  return out;
}

inline std::string slack_signature(std::string_view secret, std::string_view timestamp,
                                   std::string_view body) {
  std::string base = "v0:" + std::string(timestamp) + ":" + std::string(body);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(base.data()), base.size(), digest, &n))
    throw std::runtime_error("HMAC-SHA256 failed");
  return "v0=" + to_hex(digest, n);
}

// Percent-encoding as Slack's form bodies have it (application/x-www-form-urlencoded):
// unreserved characters as they are, spaces as '+', every other byte as %XX.
inline std::string form_encode(std::string_view s) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 0xF];
    }
  }
  return out;
}

// "k1=v1&k2=v2", each part form-encoded.
template <class Fields>
std::string form(const Fields& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += form_encode(k);
    out += '=';
    out += form_encode(v);
  }
  return out;
}
inline std::string form(
    std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  return form<decltype(fields)>(fields);
}

// An Ed25519 key pair (OpenSSL EVP) from a 32-byte seed.
class ed25519_key {
 public:
  // RFC 8032, 7.1, test 1.
  ed25519_key() : ed25519_key("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60") {}
  // Throws std::invalid_argument unless `seed_hex` is 64 hex digits.
  explicit ed25519_key(std::string_view seed_hex) {
    auto seed = from_hex(seed_hex);
    if (seed.size() != 32)
      throw std::invalid_argument("an Ed25519 seed is 32 bytes (64 hex digits)");
    key_ = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size());
    if (!key_) throw std::runtime_error("OpenSSL has no Ed25519");
  }
  ~ed25519_key() { EVP_PKEY_free(key_); }
  ed25519_key(const ed25519_key&) = delete;
  ed25519_key& operator=(const ed25519_key&) = delete;

  std::string public_hex() const {
    unsigned char pub[32];
    std::size_t n = sizeof pub;
    if (EVP_PKEY_get_raw_public_key(key_, pub, &n) != 1)
      throw std::runtime_error("no Ed25519 public key");
    return to_hex(pub, n);
  }

  // The signature of `message`, in hex (thread-safe: a context per call).
  std::string sign(std::string_view message) const {
    unsigned char sig[64];
    std::size_t n = sizeof sig;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key_) == 1 &&
              EVP_DigestSign(ctx, sig, &n, reinterpret_cast<const unsigned char*>(message.data()),
                             message.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) throw std::runtime_error("Ed25519 signing failed");
    return to_hex(sig, n);
  }

 private:
  EVP_PKEY* key_ = nullptr;
};

}  // namespace advisor::test
