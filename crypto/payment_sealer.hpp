// PaymentSealer: seals payment references (customer, payment method) with AES-256-GCM before
// they are stored with a session, and opens them again to settle it. The current key seals;
// it and any previous keys open, so keys can rotate: every sealed value carries the id of
// the key that sealed it, derived from the key itself (no key id to configure). Keys come
// from 32-byte files only their owner may read (crypto/secret_file.hpp) and are wiped from
// memory when the sealer is destroyed.
//
// Immutable once built: seal() and open() are const and may be called from any thread.
// Error messages never contain a key, a plaintext or a payment reference.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "crypto/card_fingerprint.hpp"
#include "crypto/entry_token.hpp"

namespace passgate::crypto {

inline constexpr std::size_t kSealKeyBytes = 32;    // AES-256
inline constexpr std::size_t kSealNonceBytes = 12;  // GCM's 96-bit nonce, random per seal
inline constexpr std::size_t kSealTagBytes = 16;
inline constexpr std::size_t kMaxSealedPlaintextBytes = 64 * 1024;
// How messages name the key files (the `what` of crypto/secret_file.hpp), in the daemon and
// in check-config alike.
inline constexpr std::string_view kSealKeyName = "the payment sealing key";
inline constexpr std::string_view kPreviousSealKeyName = "a previous payment sealing key";

struct SealedValue {
  std::string key_id;              // 16 lower-case hex digits: which key sealed it
  std::vector<std::uint8_t> blob;  // nonce (12 bytes) | ciphertext | tag (16 bytes)
};

class PaymentSealer {
 public:
  // Reads the current key and the previous ones (each exactly 32 bytes, mode 0600 or
  // stricter). Codes: those of read_secret_key_file (message names the file), and
  // "duplicate_key" when two files hold the same key.
  [[nodiscard]] static Result<PaymentSealer> load(const std::filesystem::path& current_key_file,
                                                  const std::vector<std::filesystem::path>& previous_key_files);
  // For tests and tools: raw keys, the first one current. Codes: "wrong_size" (a key is not
  // 32 bytes, or there is none), "duplicate_key".
  [[nodiscard]] static Result<PaymentSealer> from_keys(const std::vector<std::string>& keys);

  // Seals with the current key and a fresh random nonce; `associated_data` is authenticated,
  // not stored: open() needs the same. Codes: "too_large" (plaintext over
  // kMaxSealedPlaintextBytes), "crypto_error" (OpenSSL failed; its reasons).
  [[nodiscard]] Result<SealedValue> seal(std::string_view plaintext, std::string_view associated_data) const;
  // The plaintext. Codes: "unknown_key" (no key with the value's key id; the message names
  // it), "tampered" (the blob, key id or associated data is not what was sealed),
  // "crypto_error".
  [[nodiscard]] Result<std::string> open(const SealedValue& sealed, std::string_view associated_data) const;

  [[nodiscard]] const std::string& current_key_id() const;
  // True if values sealed with key `key_id` can be opened (the current key or a previous one).
  [[nodiscard]] bool can_open(std::string_view key_id) const { return find(key_id) != nullptr; }
  // The card fingerprint hasher whose keys derive from these keys, in the same order
  // (crypto/card_fingerprint.hpp). Codes: those of CardFingerprintHasher::from_sealing_keys.
  [[nodiscard]] Result<CardFingerprintHasher> card_fingerprint_hasher() const;

  ~PaymentSealer();
  PaymentSealer(PaymentSealer&&) noexcept;
  PaymentSealer& operator=(PaymentSealer&&) noexcept;
  PaymentSealer(const PaymentSealer&) = delete;
  PaymentSealer& operator=(const PaymentSealer&) = delete;

 private:
  struct Key;  // id and bytes; wiped on destruction
  explicit PaymentSealer(std::vector<Key> keys);
  // `labels[i]` names `keys[i]` in messages (its file, or "key 2").
  [[nodiscard]] static Result<PaymentSealer> build(const std::vector<std::string>& keys,
                                                   const std::vector<std::string>& labels);
  [[nodiscard]] const Key* find(std::string_view key_id) const;

  std::vector<Key> keys_;  // keys_[0] seals
};

// The id of a 32-byte key: the first 8 bytes of SHA-256("passgate payment sealing key id v1"
// followed by the key), as 16 lower-case hex digits.
[[nodiscard]] Result<std::string> seal_key_id(std::string_view key);

// Seals a session's payment reference, bound to its session: the session id is the
// associated data, so a sealed value moved to another session's row does not open.
[[nodiscard]] Result<SealedValue> seal_payment_reference(const PaymentSealer& sealer, const PaymentReference& reference,
                                                         std::string_view session_id);
// Opens what seal_payment_reference sealed for `session_id`. Codes: those of open(), and
// "malformed" (it opened but is not a sealed payment reference).
[[nodiscard]] Result<PaymentReference> open_payment_reference(const PaymentSealer& sealer, const SealedValue& sealed,
                                                              std::string_view session_id);

}  // namespace passgate::crypto
