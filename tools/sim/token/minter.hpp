// The simulated issuer: issuer key pairs, JWK Sets and entry tokens (docs/interfaces/entry-token.md),
// good ones and ones with one deliberate flaw each. Used by `passgate-sim token`, the rig
// simulator and the tests. Not part of the gate: the gate never holds a private key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "crypto/openssl_handles.hpp"
#include "crypto/public_key_coordinates.hpp"

namespace passgate::sim {

enum class IssuerAlg { es256, eddsa };

// An issuer key pair (RAII over EVP_PKEY) and its kid.
class IssuerKey {
 public:
  // A fresh key pair. Error "invalid_argument" for an empty kid.
  [[nodiscard]] static Result<IssuerKey> generate(IssuerAlg alg, std::string kid);
  // A PEM private key (PKCS#8 or traditional); the alg follows from the key type (P-256 ->
  // es256, Ed25519 -> eddsa). Errors: "io_error", "invalid_key" (not a PEM private key, or
  // another kind of key), "invalid_argument" (empty kid).
  [[nodiscard]] static Result<IssuerKey> load(const std::filesystem::path& private_pem,
                                              std::string kid);
  // Writes the private key as PKCS#8 PEM, mode 0600, replacing the file atomically.
  [[nodiscard]] Status save_private_pem(const std::filesystem::path& file) const;
  // {"kty":..,"crv":..,"x":..,("y":..),"kid":..,"alg":..,"use":"sig"}: public members only.
  [[nodiscard]] nlohmann::json public_jwk() const;
  [[nodiscard]] const std::string& kid() const { return kid_; }
  [[nodiscard]] IssuerAlg alg() const { return alg_; }
  // "ES256" or "EdDSA".
  [[nodiscard]] std::string_view alg_name() const;
  // The private key, for signing.
  [[nodiscard]] EVP_PKEY& private_key() const { return *pkey_; }

 private:
  IssuerKey(IssuerAlg alg, std::string kid, crypto::EvpPkeyPtr pkey,
            crypto::PublicKeyCoordinates public_key);

  IssuerAlg alg_;
  std::string kid_;
  crypto::EvpPkeyPtr pkey_;
  crypto::PublicKeyCoordinates public_key_;
};

// A JWK Set text {"keys":[...]} with the public keys only.
[[nodiscard]] std::string make_jwks(const std::vector<const IssuerKey*>& keys);
// Writes make_jwks(keys) to `file` (replaced atomically, mode 0644).
[[nodiscard]] Status save_jwks(const std::filesystem::path& file,
                               const std::vector<const IssuerKey*>& keys);
// Adds `key`'s public key to the JWK Set in `file` (key rotation), keeping its other keys
// and members; the file is replaced atomically. Errors: "io_error", "invalid_key_set" (the
// file is not a JWK Set the gate accepts, or already has a key with this kid).
[[nodiscard]] Status append_to_jwks(const std::filesystem::path& file, const IssuerKey& key);

// The one flaw a minted token carries, named after the denial reason it causes under the
// default policy (clock skew 5 s, freshness 90 s); forged and der_signature both cause
// bad_signature.
enum class TokenFlaw {
  none,
  forged,           // claims changed after signing (grp raised): bad_signature
  expired,          // exp 60 s before now
  not_yet_valid,    // iat 60 s after now
  stale,            // iat 120 s before now, exp iat + 300
  wrong_issuer,     // iss = issuer + "/other"
  wrong_audience,   // aud = audience + "-other"
  unknown_key,      // header kid = kid + "-unknown"
  unsupported_alg,  // alg "none", empty signature
  malformed,        // the signature segment is missing: two segments
  bad_claims,       // exp = iat + 3600, over the 300 s limit
  der_signature,    // signature DER-encoded instead of R||S (for EdDSA: its halves so wrapped)
};

// "none", "forged", "expired", ... (the enumerator names).
[[nodiscard]] std::string_view token_flaw_name(TokenFlaw flaw);
[[nodiscard]] std::optional<TokenFlaw> token_flaw_from_name(std::string_view name);
[[nodiscard]] const std::vector<std::string>& token_flaw_names();

struct TokenSpec {
  std::string issuer, audience, subject = "shp_test";
  std::int64_t now = 0;            // Unix seconds the token is minted for (iat = now unless a flaw says otherwise)
  std::int64_t lifetime_s = 120;
  std::string token_id;            // empty: random 22-char id
  std::string customer = "cus_test", payment_method = "pm_card_visa";
  std::optional<int> group;        // grp
  TokenFlaw flaw = TokenFlaw::none;
};

// A compact JWS entry token for `spec` signed by `key`. Throws std::runtime_error only if
// OpenSSL cannot sign with a key it generated or loaded (out of memory).
[[nodiscard]] std::string mint_token(const IssuerKey& key, const TokenSpec& spec);

// Building blocks for tests that need tokens mint_token cannot make (duplicate members,
// floats, odd headers): the flawless header and claims as JSON, and a signer of any text.
[[nodiscard]] nlohmann::json token_header(const IssuerKey& key);
[[nodiscard]] nlohmann::json token_claims(const TokenSpec& spec);  // ignores spec.flaw
// BASE64URL(header_json) "." BASE64URL(claims_json) "." BASE64URL(key's JWS signature).
[[nodiscard]] std::string sign_token(const IssuerKey& key, std::string_view header_json,
                                     std::string_view claims_json);

}  // namespace passgate::sim
