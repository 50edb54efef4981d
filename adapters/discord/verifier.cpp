#include "adapters/discord/verifier.hpp"

#include <openssl/evp.h>

#include <charconv>
#include <stdexcept>

namespace advisor::discord {

namespace {

constexpr std::size_t public_key_bytes = 32;
constexpr std::size_t signature_bytes = 64;
constexpr std::size_t max_timestamp_digits = 12;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct md_ctx_closer {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

}  // namespace

std::optional<std::vector<unsigned char>> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::vector<unsigned char> out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_value(hex[i]);
    int lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<unsigned char>(hi * 16 + lo));
  }
  return out;
}

void signature_verifier::key_closer::operator()(evp_pkey_st* key) const { EVP_PKEY_free(key); }

signature_verifier::signature_verifier(std::string_view public_key_hex) {
  auto raw = from_hex(public_key_hex);
  if (!raw || raw->size() != public_key_bytes)
    throw std::invalid_argument(
        "the Discord public key (ADVISOR_DISCORD_PUBLIC_KEY, or discord.public_key in the config "
        "file) must be the 64 hex "
        "digits shown as \"Public Key\" on the application's page in the Discord developer portal");
  key_.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw->data(), raw->size()));
  if (!key_)
    throw std::invalid_argument(
        "the Discord public key (ADVISOR_DISCORD_PUBLIC_KEY) is not a valid Ed25519 public key");
}

signature_verifier::~signature_verifier() = default;

bool signature_verifier::verify(std::string_view signature_hex, std::string_view timestamp,
                                std::string_view body) const {
  if (signature_hex.size() != signature_bytes * 2) return false;
  auto sig = from_hex(signature_hex);
  if (!sig) return false;
  std::string message;
  message.reserve(timestamp.size() + body.size());
  message.append(timestamp).append(body);

  std::unique_ptr<EVP_MD_CTX, md_ctx_closer> ctx(EVP_MD_CTX_new());
  if (!ctx) return false;
  // Ed25519 is a one-shot scheme: no digest is named, and the whole message goes in at once.
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), sig->data(), sig->size(),
                          reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

replay_guard::replay_guard(std::chrono::seconds window, std::size_t capacity,
                           std::int64_t not_before)
    : window_(window), seen_(window.count(), capacity, not_before) {}

replay_guard::verdict replay_guard::check(std::string_view timestamp, std::string_view signature,
                                          std::int64_t now) {
  if (timestamp.empty() || timestamp.size() > max_timestamp_digits) return verdict::bad_timestamp;
  std::int64_t ts = 0;
  auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), ts);
  if (ec != std::errc{} || end != timestamp.data() + timestamp.size())
    return verdict::bad_timestamp;
  std::int64_t window = window_.count();
  if (ts < now - window || ts > now + window) return verdict::out_of_window;
  switch (seen_.admit(signature, ts, now)) {
    case adapters::replay_window::verdict::fresh:
      return verdict::fresh;
    case adapters::replay_window::verdict::replay:
      return verdict::replay;
    case adapters::replay_window::verdict::full:
      return verdict::full;
    case adapters::replay_window::verdict::out_of_window:
      break;
    case adapters::replay_window::verdict::malformed:
      return verdict::bad_signature;  // fewer than 32 hex digits: never one that verified
  }
  // Older than what the memory already forgot (another thread read a later clock).
  return verdict::out_of_window;
}

void replay_guard::forget(std::string_view timestamp, std::string_view signature) {
  std::int64_t ts = 0;
  auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), ts);
  if (ec != std::errc{} || end != timestamp.data() + timestamp.size()) return;
  seen_.forget(signature, ts);
}

std::string_view to_string(replay_guard::verdict v) {
  switch (v) {
    case replay_guard::verdict::fresh:
      return "fresh";
    case replay_guard::verdict::bad_timestamp:
      return "bad_timestamp";
    case replay_guard::verdict::bad_signature:
      return "bad_signature";
    case replay_guard::verdict::out_of_window:
      return "out_of_window";
    case replay_guard::verdict::replay:
      return "replay";
    case replay_guard::verdict::full:
      return "full";
  }
  return "unknown";
}

}  // namespace advisor::discord
