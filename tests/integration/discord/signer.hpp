// An Ed25519 signer for tests, independent of the server's OpenSSL verifier: libsodium.
#pragma once

#include <sodium.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace advisor::test {

// RFC 8032, section 7.1, test 1.
constexpr std::string_view rfc8032_secret =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr std::string_view rfc8032_public =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr std::string_view rfc8032_empty_signature =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b4"
    "6bd25bf5f0595bbe24655141438e7a100b";

class signer {
 public:
  // `seed_hex`: the 32-byte secret key (seed) in hex.
  explicit signer(std::string_view seed_hex = rfc8032_secret) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    unsigned char seed[crypto_sign_SEEDBYTES];
    if (seed_hex.size() != 2 * sizeof seed ||
        sodium_hex2bin(seed, sizeof seed, seed_hex.data(), seed_hex.size(), nullptr, nullptr,
                       nullptr) != 0)
      throw std::invalid_argument("bad seed");
    crypto_sign_seed_keypair(public_, secret_, seed);
  }
  // A fresh random key pair.
  static signer random() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    unsigned char seed[crypto_sign_SEEDBYTES];
    randombytes_buf(seed, sizeof seed);
    return signer(hex(seed, sizeof seed));
  }

  std::string public_hex() const { return hex(public_, sizeof public_); }

  std::string sign(std::string_view message) const {
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                         message.size(), secret_);
    return hex(sig, sizeof sig);
  }

  static std::string hex(const unsigned char* data, std::size_t n) {
    std::string out(2 * n + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), data, n);
    out.pop_back();
    return out;
  }

 private:
  unsigned char public_[crypto_sign_PUBLICKEYBYTES];
  unsigned char secret_[crypto_sign_SECRETKEYBYTES];
};

}  // namespace advisor::test
