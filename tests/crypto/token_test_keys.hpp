// Shared by the tests of tests/crypto: issuer keys made with the EVP API (one ES256 and one
// EdDSA key generated once per run), their key set, the policy the gate would run with,
// flawless header and claims to vary, and a signer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/jws_signature.hpp"
#include "crypto/key_set.hpp"
#include "crypto/openssl_handles.hpp"
#include "crypto/token_verifier.hpp"
#include "tests/crypto/verification_outcome.hpp"

namespace passgate::test {

inline constexpr std::int64_t kNow = 1795000000;
inline constexpr std::string_view kIssuer = "https://app.example-retail.com";
inline constexpr std::string_view kStore = "store-0042";
inline constexpr std::string_view kTokenId = "Qk9fQ2xZb3pQd3F3";
// The payment references of flawless_claims(): no denial detail may contain "SECRET".
inline constexpr std::string_view kCustomer = "cus_SECRETcustomer";
inline constexpr std::string_view kPaymentMethod = "pm_SECRETmethod";

struct TestKey {
  std::string kid;
  crypto::JwsAlg alg;
  crypto::EvpPkeyPtr pkey;  // private key
  nlohmann::json jwk;       // public JWK
};

// A fresh key pair.
[[nodiscard]] TestKey make_test_key(crypto::JwsAlg alg, std::string kid);
// {"keys": [...]} with the keys' public JWKs.
[[nodiscard]] std::string jwks_of(const std::vector<const TestKey*>& keys);

struct TestKeys {
  TestKey ec;  // kid "ec-1"
  TestKey ed;  // kid "ed-1"
  std::shared_ptr<const crypto::KeySet> set;  // both public keys
};
// The same keys for every test in the run: key generation is not what is tested here.
[[nodiscard]] const TestKeys& test_keys();

[[nodiscard]] crypto::VerifyPolicy test_policy();  // kIssuer, kStore, skew 5 s, freshness 90 s

// {"alg", "kid", "typ":"passgate-entry+jwt"} for `key` (default: the EC key).
[[nodiscard]] nlohmann::json flawless_header(const TestKey* key = nullptr);
// iss kIssuer, aud kStore, sub "shp_test", iat kNow, exp kNow + 120, jti kTokenId,
// pay {kCustomer, kPaymentMethod}, no grp.
[[nodiscard]] nlohmann::json flawless_claims();

// Signs any header and claims text with `key` (default: the EC key).
[[nodiscard]] std::string signed_token(std::string_view header_json, std::string_view claims_json,
                                       const TestKey* key = nullptr);
// `claims` signed under flawless_header(key).
[[nodiscard]] std::string token_with_claims(const nlohmann::json& claims,
                                            const TestKey* key = nullptr);
// flawless_claims() signed under `header` with the EC key.
[[nodiscard]] std::string token_with_header(const nlohmann::json& header);
[[nodiscard]] std::string flawless_token(const TestKey* key = nullptr);

// verify_entry_token with test_keys().set and `policy` at `now`.
[[nodiscard]] crypto::Verification verify(std::string_view token, std::int64_t now = kNow,
                                          const crypto::VerifyPolicy& policy = test_policy());

// A token's three base64url segments, to take apart and put back together.
struct Segments {
  std::string header, claims, signature;
  [[nodiscard]] std::string join() const { return header + "." + claims + "." + signature; }
};
[[nodiscard]] Segments split(const std::string& token);

}  // namespace passgate::test
