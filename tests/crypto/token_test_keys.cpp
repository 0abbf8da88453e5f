#include "tests/crypto/token_test_keys.hpp"

#include <stdexcept>

#include "crypto/jws_compact.hpp"
#include "crypto/public_key_coordinates.hpp"

namespace passgate::test {

using nlohmann::json;

TestKey make_test_key(crypto::JwsAlg alg, std::string kid) {
  crypto::EvpPkeyPtr pkey(alg == crypto::JwsAlg::es256
                              ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                              : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!pkey) throw std::runtime_error("EVP_PKEY_Q_keygen failed");
  json jwk = crypto::public_jwk(must(crypto::public_key_coordinates(*pkey)), kid);
  return TestKey{std::move(kid), alg, std::move(pkey), std::move(jwk)};
}

std::string jwks_of(const std::vector<const TestKey*>& keys) {
  json jwks{{"keys", json::array()}};
  for (const TestKey* key : keys) jwks["keys"].push_back(key->jwk);
  return jwks.dump();
}

const TestKeys& test_keys() {
  static const TestKeys keys = [] {
    TestKey ec = make_test_key(crypto::JwsAlg::es256, "ec-1");
    TestKey ed = make_test_key(crypto::JwsAlg::eddsa, "ed-1");
    auto set = must(crypto::KeySet::parse(jwks_of({&ec, &ed})));
    return TestKeys{std::move(ec), std::move(ed), std::move(set)};
  }();
  return keys;
}

crypto::VerifyPolicy test_policy() {
  return crypto::VerifyPolicy{std::string(kIssuer), std::string(kStore), std::chrono::seconds{5},
                              std::chrono::seconds{90}};
}

json flawless_header(const TestKey* key) {
  const TestKey& k = key ? *key : test_keys().ec;
  return json{{"alg", crypto::jws_alg_name(k.alg)}, {"kid", k.kid}, {"typ", "passgate-entry+jwt"}};
}

json flawless_claims() {
  return json{{"iss", kIssuer},
              {"aud", kStore},
              {"sub", "shp_test"},
              {"iat", kNow},
              {"exp", kNow + 120},
              {"jti", kTokenId},
              {"pay", {{"customer", kCustomer}, {"payment_method", kPaymentMethod}}}};
}

std::string signed_token(std::string_view header_json, std::string_view claims_json,
                         const TestKey* key) {
  const TestKey& k = key ? *key : test_keys().ec;
  return must(crypto::make_jws_compact(k.alg, *k.pkey, header_json, claims_json));
}

std::string token_with_claims(const json& claims, const TestKey* key) {
  return signed_token(flawless_header(key).dump(), claims.dump(), key);
}

std::string token_with_header(const json& header) {
  return signed_token(header.dump(), flawless_claims().dump());
}

std::string flawless_token(const TestKey* key) { return token_with_claims(flawless_claims(), key); }

crypto::Verification verify(std::string_view token, std::int64_t now,
                            const crypto::VerifyPolicy& policy) {
  return crypto::verify_entry_token(token, *test_keys().set, policy, now);
}

Segments split(const std::string& token) {
  const auto a = token.find('.');
  const auto b = token.find('.', a + 1);
  return {token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}

}  // namespace passgate::test
