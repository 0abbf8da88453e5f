// JWS signatures: ES256 and EdDSA sign/verify round trips and the ECDSA raw <-> DER forms.
#include <catch2/catch.hpp>

#include "crypto/jws_signature.hpp"
#include "tests/crypto/token_test_keys.hpp"

namespace passgate::crypto {
namespace {

TEST_CASE("jws: alg names", "[jws]") {
  CHECK(jws_alg_from_name("ES256") == JwsAlg::es256);
  CHECK(jws_alg_from_name("EdDSA") == JwsAlg::eddsa);
  CHECK_FALSE(jws_alg_from_name("none").has_value());
  CHECK_FALSE(jws_alg_from_name("es256").has_value());
  CHECK(jws_alg_name(JwsAlg::eddsa) == "EdDSA");
  CHECK(key_type_for(JwsAlg::es256) == KeyType::ec_p256);
}

TEST_CASE("jws: signatures are 64 bytes and verify only for their input", "[jws]") {
  const bool eddsa = GENERATE(false, true);
  const auto& key = eddsa ? test::test_keys().ed : test::test_keys().ec;
  const auto signature = test::must(sign_jws(key.alg, *key.pkey, "header.claims"));
  CHECK(signature.size() == kJwsSignatureBytes);
  CHECK(verify_jws_signature(key.alg, *key.pkey, "header.claims", signature));
  CHECK_FALSE(verify_jws_signature(key.alg, *key.pkey, "header.claimz", signature));
  CHECK_FALSE(verify_jws_signature(key.alg, *key.pkey, "header.claims", signature.substr(1)));
  // A P-256 key cannot check an Ed25519 signature and vice versa.
  const auto& other = eddsa ? test::test_keys().ec : test::test_keys().ed;
  CHECK_FALSE(verify_jws_signature(key.alg, *other.pkey, "header.claims", signature));
}

TEST_CASE("jws: signing with a key of the other type fails with an error", "[jws]") {
  const auto signed_ = sign_jws(JwsAlg::eddsa, *test::test_keys().ec.pkey, "x");
  REQUIRE_FALSE(signed_.ok());
  CHECK(signed_.error().code == "signing_failed");
}

TEST_CASE("jws: ECDSA raw and DER forms convert both ways", "[jws]") {
  std::string raw(64, '\0');
  raw[31] = 1;   // r = 1
  raw[32] = '\x80';  // s has its top bit set: DER needs a leading zero
  const auto der = test::must(ecdsa_raw_to_der(raw));
  CHECK(der == std::string("\x30\x26\x02\x01\x01\x02\x21\x00\x80", 9) + std::string(31, '\0'));
  CHECK(test::must(ecdsa_der_to_raw(der)) == raw);
  CHECK_FALSE(ecdsa_raw_to_der(raw.substr(1)).ok());
  CHECK_FALSE(ecdsa_der_to_raw(raw).ok());
  CHECK_FALSE(ecdsa_der_to_raw(der + "x").ok());
}

}  // namespace
}  // namespace passgate::crypto
