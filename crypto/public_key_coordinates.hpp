// Public keys as JWK coordinates (RFC 7518 §6.2.1, RFC 8037 §2) <-> OpenSSL EVP keys, for
// P-256 and Ed25519 only. KeySet builds the gate's keys from a JWK Set with it; the token
// minter (tools/sim) and the tests export issuer keys as JWKs with it.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "crypto/key_set.hpp"
#include "crypto/openssl_handles.hpp"

namespace passgate::crypto {

inline constexpr std::size_t kCoordinateBytes = 32;  // P-256 x and y; Ed25519 x

struct PublicKeyCoordinates {
  KeyType type = KeyType::ec_p256;
  std::string x;  // 32 bytes, big-endian for P-256, RFC 8032 encoding for Ed25519
  std::string y;  // 32 bytes for P-256; empty for Ed25519
};

// An EVP public key. Error code "invalid_key" with what is wrong: a coordinate of the wrong
// length, or (P-256) a point that is not on the curve.
[[nodiscard]] Result<EvpPkeyPtr> public_key_from_coordinates(const PublicKeyCoordinates& c);

// The public coordinates of a P-256 or Ed25519 key (public or private). Error code
// "unsupported_key" for any other kind of key.
[[nodiscard]] Result<PublicKeyCoordinates> public_key_coordinates(const EVP_PKEY& key);

// The public JWK KeySet::parse accepts: {"kty","crv","x",("y"),"kid","alg","use":"sig"}.
[[nodiscard]] nlohmann::json public_jwk(const PublicKeyCoordinates& c, std::string_view kid);

}  // namespace passgate::crypto
