#include "crypto/card_fingerprint.hpp"

#include <array>
#include <cstddef>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/openssl_error.hpp"

namespace passgate::crypto {

namespace {

// Separates the hashing keys from the sealing keys they are derived from (and from any other
// use of those keys later): a new label makes new hashes.
constexpr std::string_view kKeyLabel = "passgate card fingerprint key v1";
constexpr std::size_t kDigestBytes = 32;  // SHA-256

// HMAC-SHA256 of `data` under `key`, raw; empty on an OpenSSL failure.
std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, kDigestBytes> out{};
  std::size_t length = 0;
  char digest_name[] = "SHA256";
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, digest_name, nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), out.size(),
                &length) == nullptr ||
      length != kDigestBytes) {
    return {};
  }
  std::string raw(reinterpret_cast<const char*>(out.data()), length);
  OPENSSL_cleanse(out.data(), out.size());
  return raw;
}

std::string hex(std::string_view raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  text.reserve(raw.size() * 2);
  for (const char c : raw) {
    const auto byte = static_cast<unsigned char>(c);
    text += kHex[byte >> 4];
    text += kHex[byte & 0x0f];
  }
  return text;
}

}  // namespace

Result<CardFingerprintHasher> CardFingerprintHasher::from_sealing_keys(const std::vector<std::string>& sealing_keys) {
  if (sealing_keys.empty()) return make_error("wrong_size", "no payment sealing key given, expected at least one");
  std::vector<std::string> keys;
  keys.reserve(sealing_keys.size());
  for (const std::string& sealing_key : sealing_keys) {
    std::string key = hmac_sha256(sealing_key, kKeyLabel);
    if (key.empty()) {
      CardFingerprintHasher wiped(std::move(keys));
      return openssl_error("crypto_error", "cannot derive a card fingerprint key");
    }
    keys.push_back(std::move(key));
  }
  return CardFingerprintHasher(std::move(keys));
}

CardFingerprintHasher::~CardFingerprintHasher() {
  for (std::string& key : keys_) OPENSSL_cleanse(key.data(), key.size());
}

Result<std::vector<std::string>> CardFingerprintHasher::digests(std::string_view fingerprint) const {
  if (fingerprint.empty()) return make_error("malformed", "the card fingerprint is empty");
  std::vector<std::string> found;
  found.reserve(keys_.size());
  for (const std::string& key : keys_) {
    const std::string raw = hmac_sha256(key, fingerprint);
    if (raw.empty()) return openssl_error("crypto_error", "cannot hash a card fingerprint");
    found.push_back(hex(raw));
  }
  return found;
}

}  // namespace passgate::crypto
