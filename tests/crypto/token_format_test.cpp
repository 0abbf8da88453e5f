// Entry token verification, checks 1-4 of docs/interfaces/entry-token.md#order-of-checks: malformed, unsupported_alg,
// unknown_key, bad_signature, and their order.
#include <catch2/catch.hpp>

#include "crypto/base64url.hpp"
#include "crypto/log_text.hpp"
#include "tests/crypto/token_test_keys.hpp"

namespace passgate::test {
namespace {

using crypto::decode_base64url;
using crypto::encode_base64url;
using nlohmann::json;

const TestKey& ec() { return test_keys().ec; }
const TestKey& ed() { return test_keys().ed; }

// `token` with its claims replaced after signing: grp raised, as a shopper would.
std::string tampered(const std::string& token) {
  Segments s = split(token);
  json claims = flawless_claims();
  claims["grp"] = 10;
  s.claims = encode_base64url(claims.dump());
  return s.join();
}

// `token` with its signature segment replaced by `signature` (bytes).
std::string with_signature(const std::string& token, const std::string& signature) {
  Segments s = split(token);
  s.signature = encode_base64url(signature);
  return s.join();
}

TEST_CASE("a flawless ES256 token is accepted with all its claims", "[token]") {
  const auto& c = accepted(verify(flawless_token()));
  CHECK(c.issuer == kIssuer);
  CHECK(c.audience == kStore);
  CHECK(c.subject == "shp_test");
  CHECK(c.issued_at == kNow);
  CHECK(c.expires_at == kNow + 120);
  CHECK(c.token_id == kTokenId);
  CHECK(c.pay.customer == kCustomer);
  CHECK(c.pay.payment_method == kPaymentMethod);
  CHECK(c.group == 1);
  CHECK(c.kid == "ec-1");
  CHECK(c.alg == "ES256");
}

TEST_CASE("a flawless EdDSA token is accepted", "[token]") {
  const auto& c = accepted(verify(flawless_token(&ed())));
  CHECK(c.kid == "ed-1");
  CHECK(c.alg == "EdDSA");
}

TEST_CASE("the spec's example header and claims are accepted", "[token]") {
  const std::string header = R"({"alg":"ES256","kid":"ec-1","typ":"passgate-entry+jwt"})";
  const std::string claims =
      R"({"iss":"https://app.example-retail.com","aud":"store-0042","sub":"shp_8f2c",)"
      R"("iat":1795000000,"exp":1795000120,"jti":"Qk9fQ2xZb3pQd3F3",)"
      R"("pay":{"customer":"cus_Nz1","payment_method":"pm_card_visa"},"grp":2})";
  const auto& c = accepted(verify(signed_token(header, claims)));
  CHECK(c.group == 2);
  CHECK(c.subject == "shp_8f2c");
  CHECK(c.pay.customer == "cus_Nz1");
}

TEST_CASE("malformed: not three segments", "[token][malformed]") {
  const Segments s = split(flawless_token());
  for (const std::string& token : {std::string(), std::string("."), s.header,
                                   s.header + "." + s.claims, s.join() + "." + s.signature,
                                   s.join() + "."}) {
    INFO(token);
    const auto v = verify(token);
    CHECK(outcome(v) == "malformed");
  }
  CHECK_THAT(detail(verify(s.header + "." + s.claims)), Catch::Contains("2 dot-separated segments"));
}

TEST_CASE("malformed: padding in any segment", "[token][malformed]") {
  Segments s = split(flawless_token());
  SECTION("header") { s.header += "="; }
  SECTION("claims") { s.claims += "=="; }
  SECTION("signature") { s.signature += "=="; }
  const auto v = verify(s.join());
  CHECK(outcome(v) == "malformed");
  CHECK_THAT(detail(v), Catch::Contains("padding"));
}

TEST_CASE("malformed: non-ASCII, whitespace and other characters outside base64url",
          "[token][malformed]") {
  const std::string token = flawless_token();
  const auto position = GENERATE(std::size_t{0}, std::size_t{30}, std::size_t{120});
  for (const std::string& bad : std::vector<std::string>{"\xC3\xA9", "\x80", " ", "\r", "\n", "+",
                                                         "/", "\t", std::string(1, '\0')}) {
    std::string broken = token;
    broken.insert(position, bad);
    INFO("inserted at " << position << ": " << crypto::quote_for_log(bad));
    CHECK(outcome(verify(broken)) == "malformed");
  }
  // What a scanner adds: the driver strips it, the verifier does not.
  CHECK(outcome(verify(token + "\r\n")) == "malformed");
  CHECK(outcome(verify("]Q1" + token)) == "malformed");
}

TEST_CASE("malformed: non-canonical base64url (non-zero unused bits)", "[token][malformed]") {
  // A header whose encoding ends in a partial group, so its last character has unused bits.
  json header = flawless_header();
  if (header.dump().size() % 3 == 0) header["x"] = 0;
  REQUIRE(header.dump().size() % 3 != 0);
  Segments s = split(token_with_header(header));
  CHECK(outcome(verify(s.join())) == "accepted");
  char& last = s.header.back();
  last = last == 'A' ? 'B' : static_cast<char>(last + 1);  // same bytes, other unused bits
  REQUIRE_FALSE(decode_base64url(s.header).ok());
  CHECK(outcome(verify(s.join())) == "malformed");
}

// A token of exactly `size` bytes: a flawless header and claims padded with ignored members.
// (ES256 signatures always encode to 86 characters, so the size is known before signing.)
std::string token_of_size(std::size_t size) {
  for (std::size_t header_pad = 0; header_pad < 4; ++header_pad) {
    json header = flawless_header();
    header["pad"] = std::string(header_pad, 'h');
    json claims = flawless_claims();
    for (std::size_t claims_pad = 0;; ++claims_pad) {
      claims["pad"] = std::string(claims_pad, 'c');
      const std::string token = signed_token(header.dump(), claims.dump());
      if (token.size() == size) return token;
      if (token.size() > size) break;
    }
  }
  FAIL("cannot build a token of " << size << " bytes");
  return {};
}

TEST_CASE("malformed: over 1024 bytes, exactly 1024 is fine", "[token][malformed]") {
  const std::string token = token_of_size(1024);
  CHECK(outcome(verify(token)) == "accepted");
  const auto v = verify(token + "A");
  CHECK(outcome(v) == "malformed");
  CHECK_THAT(detail(v), Catch::Contains("1025 bytes"));
  CHECK(outcome(verify(std::string(100000, 'A'))) == "malformed");
}

TEST_CASE("malformed: header not a JSON object, or with a duplicate member", "[token][malformed]") {
  for (const std::string header :
       {"", "not json", "[]", "\"ES256\"", "null", "{", R"({"alg":"ES256","kid":"ec-1",})",
        R"({"alg":"ES256","kid":"ec-1","alg":"ES256"})",
        R"({"alg":"ES256","kid":"ec-1","kid":"ec-1"})",
        R"({"alg":"ES256","kid":"ec-1","x":{"a":1,"a":1}})",
        R"({"alg":"ES256","kid":"ec-1","x":[{"a":1,"b":{"c":0,"c":0}}]})",
        R"({"alg":"ES256","kid":"ec-1","x":1e999})"}) {
    INFO(header);
    CHECK(outcome(verify(signed_token(header, flawless_claims().dump()))) == "malformed");
  }
}

TEST_CASE("malformed: typ other than passgate-entry+jwt, no typ is fine", "[token][malformed]") {
  json header = flawless_header();
  header.erase("typ");
  CHECK(outcome(verify(token_with_header(header))) == "accepted");
  for (const json& typ : {json("JWT"), json("PASSGATE-ENTRY+JWT"), json("passgate-entry+jwt "),
                          json("application/passgate-entry+jwt"), json(""), json(nullptr),
                          json(1)}) {
    header["typ"] = typ;
    INFO(header.dump());
    CHECK(outcome(verify(token_with_header(header))) == "malformed");
  }
}

TEST_CASE("malformed: forbidden header members, even before a bad alg", "[token][malformed]") {
  const auto* member = GENERATE("crit", "jku", "jwk", "x5u", "x5c");
  json header = flawless_header();
  header[member] = nullptr;
  INFO(header.dump());
  CHECK(outcome(verify(token_with_header(header))) == "malformed");
  header["alg"] = "none";
  CHECK(outcome(verify(token_with_header(header))) == "malformed");
}

TEST_CASE("unsupported_alg: none, HMAC, RSA, other curves, wrong case, missing", "[token][alg]") {
  json header = flawless_header();
  for (const json& alg : {json("none"), json("HS256"), json("RS256"), json("PS256"),
                          json("ES384"), json("ES256K"), json("Ed25519"), json("es256"),
                          json("EDDSA"), json(""), json(nullptr), json(256),
                          json::array({"ES256"})}) {
    header["alg"] = alg;
    INFO(header.dump());
    CHECK(outcome(verify(token_with_header(header))) == "unsupported_alg");
  }
  header.erase("alg");
  CHECK(outcome(verify(token_with_header(header))) == "unsupported_alg");
}

TEST_CASE("unsupported_alg: alg none with an empty signature", "[token][alg]") {
  json header = flawless_header();
  header["alg"] = "none";
  const std::string unsigned_token =
      encode_base64url(header.dump()) + "." + encode_base64url(flawless_claims().dump()) + ".";
  const auto v = verify(unsigned_token);
  CHECK(outcome(v) == "unsupported_alg");
  CHECK_THAT(detail(v), Catch::Contains("\"none\""));
}

TEST_CASE("unsupported_alg: HS256 with the public key as HMAC secret", "[token][alg]") {
  // The key-confusion attack: whatever the MAC, the alg is refused before any key is used.
  json header = flawless_header();
  header["alg"] = "HS256";
  CHECK(outcome(verify(with_signature(token_with_header(header), std::string(32, 'x')))) ==
        "unsupported_alg");
}

TEST_CASE("unknown_key: no key with that kid", "[token][kid]") {
  json header = flawless_header();
  for (const json& kid : {json("ec-2"), json(""), json("EC-1"), json("ec-1 "), json(1),
                          json(nullptr)}) {
    header["kid"] = kid;
    INFO(header.dump());
    CHECK(outcome(verify(token_with_header(header))) == "unknown_key");
  }
}

TEST_CASE("unknown_key: a missing kid selects no key", "[token][kid]") {
  json header = flawless_header();
  header.erase("kid");
  const auto v = verify(token_with_header(header));
  CHECK(outcome(v) == "unknown_key");
  CHECK_THAT(detail(v), Catch::Contains("kid"));
}

TEST_CASE("unknown_key: the kid's key does not fit the alg", "[token][kid]") {
  json header = flawless_header(&ec());
  header["kid"] = "ed-1";  // ES256 with the Ed25519 key
  CHECK(outcome(verify(token_with_header(header))) == "unknown_key");
  header = flawless_header(&ed());
  header["kid"] = "ec-1";  // EdDSA with the P-256 key
  const auto v = verify(signed_token(header.dump(), flawless_claims().dump(), &ed()));
  CHECK(outcome(v) == "unknown_key");
  CHECK_THAT(detail(v), Catch::Contains("cannot verify EdDSA"));
}

TEST_CASE("unsupported_alg comes before unknown_key", "[token][order]") {
  json header = flawless_header();
  header["alg"] = "HS256";
  header["kid"] = "nobody";
  CHECK(outcome(verify(token_with_header(header))) == "unsupported_alg");
}

TEST_CASE("bad_signature: claims changed after signing", "[token][signature]") {
  CHECK(outcome(verify(tampered(flawless_token(&ec())))) == "bad_signature");
  CHECK(outcome(verify(tampered(flawless_token(&ed())))) == "bad_signature");
}

TEST_CASE("bad_signature: a flipped bit in the signature", "[token][signature]") {
  const bool eddsa = GENERATE(false, true);
  const auto byte = GENERATE(std::size_t{0}, std::size_t{31}, std::size_t{32}, std::size_t{63});
  const std::string token = flawless_token(eddsa ? &ed() : &ec());
  std::string signature = must(decode_base64url(split(token).signature));
  signature[byte] = static_cast<char>(signature[byte] ^ 0x01);
  INFO((eddsa ? "EdDSA" : "ES256") << " byte " << byte);
  CHECK(outcome(verify(with_signature(token, signature))) == "bad_signature");
}

TEST_CASE("bad_signature: DER-encoded ES256 signature", "[token][signature]") {
  const std::string token = flawless_token();
  const std::string der = must(crypto::ecdsa_raw_to_der(must(decode_base64url(split(token).signature))));
  const auto v = verify(with_signature(token, der));
  CHECK(outcome(v) == "bad_signature");
  CHECK_THAT(detail(v), Catch::Contains("not DER"));
}

TEST_CASE("bad_signature: wrong length, empty, zero", "[token][signature]") {
  const bool eddsa = GENERATE(false, true);
  const std::string token = flawless_token(eddsa ? &ed() : &ec());
  const std::string signature = must(decode_base64url(split(token).signature));
  for (const std::string& bad : {std::string(), signature.substr(0, 63), signature + '\0',
                                 std::string(1, '\0') + signature, signature + signature,
                                 std::string(64, '\0'), std::string(64, '\xFF')}) {
    INFO((eddsa ? "EdDSA" : "ES256") << ", " << bad.size() << " bytes");
    CHECK(outcome(verify(with_signature(token, bad))) == "bad_signature");
  }
}

TEST_CASE("bad_signature: signed by another key under a known kid", "[token][signature]") {
  const TestKey impostor = make_test_key(crypto::JwsAlg::es256, "ec-1");
  CHECK(outcome(verify(flawless_token(&impostor))) == "bad_signature");
  const TestKey ed_impostor = make_test_key(crypto::JwsAlg::eddsa, "ed-1");
  CHECK(outcome(verify(flawless_token(&ed_impostor))) == "bad_signature");
}

TEST_CASE("bad_signature comes before anything in the claims", "[token][order]") {
  const std::string good_signature = split(flawless_token()).signature;
  const auto resigned = [&good_signature](const std::string& token) {
    Segments s = split(token);
    s.signature = good_signature;  // valid, but for other claims
    return s.join();
  };
  for (const json& claims : {json("not an object"), json::object(), json{{"exp", 1.5}}}) {
    CHECK(outcome(verify(resigned(token_with_claims(claims)))) == "bad_signature");
  }
  // Badly signed, expired, of another issuer and audience: the signature is named.
  json claims = flawless_claims();
  claims["iss"] = "https://evil.example";
  claims["aud"] = "store-0043";
  claims["iat"] = kNow - 1000;
  claims["exp"] = kNow - 900;
  CHECK(outcome(verify(resigned(token_with_claims(claims)))) == "bad_signature");
  // Claims that are not even JSON, and would leak a payment reference if quoted.
  Segments s = split(flawless_token());
  s.claims = encode_base64url("{\"pay\":{\"customer\":\"cus_SECRET");
  const auto v = verify(s.join());
  CHECK(outcome(v) == "bad_signature");
  CHECK_THAT(detail(v), !Catch::Contains("SECRET"));
}

TEST_CASE("denial details never show the signature or payment references", "[token]") {
  const std::string token = tampered(flawless_token());
  const auto v = verify(token);
  CHECK(outcome(v) == "bad_signature");
  CHECK_THAT(detail(v), !Catch::Contains(split(token).signature.substr(0, 12)));
  CHECK_THAT(detail(v), !Catch::Contains("SECRET"));
}

}  // namespace
}  // namespace passgate::test
