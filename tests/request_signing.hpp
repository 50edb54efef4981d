// Signing requests the way Slack and Discord do, with OpenSSL directly (not the adapters'
// own code), for the fuzz targets and the unit tests that replay their findings:
//   Slack:   "v0=" + hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body))
//   Discord: hex(Ed25519(timestamp + body)) with a fixed test key (RFC 8032, 7.1, test 1).
#pragma once

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>
#include <string>
#include <string_view>

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

class ed25519_key {
 public:
  ed25519_key() {
    static constexpr unsigned char seed[32] = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60,
                                               0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
                                               0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19,
                                               0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
    key_ = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed, sizeof seed);
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
