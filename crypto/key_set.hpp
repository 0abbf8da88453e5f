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
#include <vector>

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
  // Error codes: "invalid_key_set" for any problem with the text.
  // Rules: a JSON object (no duplicate member names) whose "keys" array holds at least one
  // key; each key an object with a unique non-empty "kid", no "d", and either
  // {"kty":"EC","crv":"P-256","x":..,"y":..} or {"kty":"OKP","crv":"Ed25519","x":..},
  // coordinates unpadded base64url of 32 bytes; "use", if present, is "sig" and "alg", if
  // present, is "ES256" (EC) or "EdDSA" (OKP). Other members are ignored (RFC 7517 §4).
  [[nodiscard]] static Result<std::shared_ptr<const KeySet>> parse(std::string_view jwks_json);
  // Reads and parses a JWKS file. Error codes: "io_error" (cannot read it; message names
  // the file and the OS reason), "invalid_key_set" (message starts with the file name).
  [[nodiscard]] static Result<std::shared_ptr<const KeySet>> load(const std::filesystem::path& file);

  // The key with this kid, or nullptr.
  [[nodiscard]] const Key* find(std::string_view kid) const;
  [[nodiscard]] std::size_t size() const { return keys_.size(); }
  // Every kid in the set, sorted: for logs after a (re)load.
  [[nodiscard]] std::vector<std::string> kids() const;

 private:
  std::map<std::string, Key, std::less<>> keys_;
};

}  // namespace passgate::crypto
