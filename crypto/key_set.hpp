// KeySet: the issuer's public keys from a JWK Set file (RFC 7517), as OpenSSL EVP keys.
// EC P-256 and Ed25519 only; a private member ("d") anywhere is refused. Immutable once
// loaded: a reload builds a new KeySet and swaps a shared_ptr, so a verification in
// progress keeps the set it started with.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"

#include <openssl/types.h>

namespace passgate::crypto {

enum class KeyType { ec_p256, ed25519 };

class KeySet {
 public:
  struct Key {
    KeyType type;
    std::shared_ptr<EVP_PKEY> pkey;  // owns the EVP_PKEY (freed with EVP_PKEY_free)
  };

  // Parses JWKS text. Errors name the key (index and kid) and what is wrong.
  [[nodiscard]] static Result<std::shared_ptr<const KeySet>> parse(std::string_view jwks_json);
  [[nodiscard]] static Result<std::shared_ptr<const KeySet>> load(const std::filesystem::path& file);

  // The key with this kid, or nullptr.
  [[nodiscard]] const Key* find(std::string_view kid) const;
  [[nodiscard]] std::size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, Key, std::less<>> keys_;
};

}  // namespace passgate::crypto
