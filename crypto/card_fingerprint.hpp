// CardFingerprintHasher: the keyed hash (HMAC-SHA256) under which Passgate stores and looks up
// a payment card's fingerprint (the terminal's card_present.fingerprint), so the database
// never holds the fingerprint itself: anti-passback (a card session's shopper is
// "card:<hash>") and the store blocklist compare hashes. Its keys are derived from the payment
// sealing keys (PaymentSealer::card_fingerprint_hasher), one hashing key for each: the current
// key makes the hash that is written; a look-up tries the hashes under the previous keys too,
// so a key rotation forgets no card while the previous key stays configured.
// Immutable once built: digests() is const and may be called from any thread. Error messages
// never contain a key or a fingerprint.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace passgate::crypto {

class CardFingerprintHasher {
 public:
  // Derives a hashing key from each sealing key (HMAC-SHA256 of a fixed label under it), the
  // first one current. Codes: "wrong_size" (no key), "crypto_error".
  [[nodiscard]] static Result<CardFingerprintHasher> from_sealing_keys(const std::vector<std::string>& sealing_keys);

  // The fingerprint's hash under each key, the current key's first, each 64 lower-case hex
  // digits. Codes: "malformed" (an empty fingerprint), "crypto_error".
  [[nodiscard]] Result<std::vector<std::string>> digests(std::string_view fingerprint) const;

  ~CardFingerprintHasher();
  CardFingerprintHasher(CardFingerprintHasher&&) noexcept = default;
  CardFingerprintHasher& operator=(CardFingerprintHasher&&) noexcept = default;
  CardFingerprintHasher(const CardFingerprintHasher&) = delete;
  CardFingerprintHasher& operator=(const CardFingerprintHasher&) = delete;

 private:
  explicit CardFingerprintHasher(std::vector<std::string> keys) : keys_(std::move(keys)) {}
  std::vector<std::string> keys_;  // raw 32-byte hashing keys, wiped on destruction
};

}  // namespace passgate::crypto
