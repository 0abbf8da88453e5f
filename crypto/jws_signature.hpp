// JWS signatures of entry tokens: ES256 (ECDSA P-256 + SHA-256, signature = raw R‖S,
// RFC 7518 §3.4) and EdDSA (Ed25519, RFC 8037), created and checked with OpenSSL's EVP
// one-shot APIs. The verifier checks them; the token minter (tools/sim) creates them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <openssl/types.h>

#include "common/result.hpp"
#include "crypto/key_set.hpp"

namespace passgate::crypto {

enum class JwsAlg { es256, eddsa };

inline constexpr std::size_t kJwsSignatureBytes = 64;  // both algorithms: R‖S, 2 x 32 bytes

// "ES256" -> es256, "EdDSA" -> eddsa (case-sensitive); anything else -> nullopt.
[[nodiscard]] std::optional<JwsAlg> jws_alg_from_name(std::string_view name);
[[nodiscard]] std::string_view jws_alg_name(JwsAlg alg);
// The key type that can verify `alg`.
[[nodiscard]] KeyType key_type_for(JwsAlg alg);

// True iff `signature` (JWS form: 64 bytes R‖S) is `key`'s valid signature of
// `signing_input`. A signature of any other length (e.g. DER-encoded ECDSA) is invalid,
// and so is any signature checked with a key of another type than key_type_for(alg).
[[nodiscard]] bool verify_jws_signature(JwsAlg alg, EVP_PKEY& key, std::string_view signing_input,
                                        std::string_view signature);

// `key`'s signature of `signing_input` in JWS form (raw R‖S for ES256). Error code
// "signing_failed" if the key is not a private key of key_type_for(alg), or OpenSSL fails.
[[nodiscard]] Result<std::string> sign_jws(JwsAlg alg, EVP_PKEY& key, std::string_view signing_input);

// ECDSA signature forms: raw R‖S (2 x 32 bytes, big-endian) <-> DER ECDSA-Sig-Value.
// Error code "invalid_signature" for input that is not of the source form.
[[nodiscard]] Result<std::string> ecdsa_raw_to_der(std::string_view raw);
[[nodiscard]] Result<std::string> ecdsa_der_to_raw(std::string_view der);

}  // namespace passgate::crypto
