// KeySet: parsing the issuer's JWK Set (EC P-256 and Ed25519 public keys) and the precise
// errors for every kind of bad key set.
#include <catch2/catch.hpp>

#include <fstream>

#include "crypto/base64url.hpp"
#include "tests/crypto/token_test_keys.hpp"
#include "tests/support/temp_dir.hpp"

namespace passgate::test {
namespace {

using crypto::KeySet;
using crypto::KeyType;
using nlohmann::json;

json ec_jwk() { return test_keys().ec.jwk; }
json ed_jwk() { return test_keys().ed.jwk; }

std::string key_set_text(std::initializer_list<json> keys) {
  return json{{"keys", json::array_t(keys)}}.dump();
}

// The error message of parsing `text`, which must fail.
std::string parse_error(const std::string& text) {
  const auto set = KeySet::parse(text);
  REQUIRE_FALSE(set.ok());
  CHECK(set.error().code == "invalid_key_set");
  return set.error().message;
}

TEST_CASE("a key set with an EC and an Ed25519 key", "[keyset]") {
  const auto set = must(KeySet::parse(key_set_text({ec_jwk(), ed_jwk()})));
  CHECK(set->size() == 2);
  CHECK(set->kids() == std::vector<std::string>{"ec-1", "ed-1"});
  REQUIRE(set->find("ec-1") != nullptr);
  CHECK(set->find("ec-1")->type == KeyType::ec_p256);
  REQUIRE(set->find("ed-1") != nullptr);
  CHECK(set->find("ed-1")->type == KeyType::ed25519);
  CHECK(set->find("ec-2") == nullptr);
  CHECK(set->find("") == nullptr);
}

TEST_CASE("the spec's minimal key form, without alg and use, and unknown members", "[keyset]") {
  json ec = ec_jwk();
  ec.erase("alg");
  ec.erase("use");
  json ed = ed_jwk();
  ed["key_ops"] = json::array({"verify"});
  ed["x5t"] = "ignored";
  const auto set = must(KeySet::parse(
      json{{"keys", json::array({ec, ed})}, {"comment", "store 42"}}.dump(2)));
  CHECK(set->size() == 2);
}

TEST_CASE("rotation: tokens of the old and the new key verify while both are listed", "[keyset]") {
  const TestKey old_key = make_test_key(crypto::JwsAlg::es256, "app-2026-10");
  const TestKey new_key = make_test_key(crypto::JwsAlg::eddsa, "app-2026-11");
  const auto both = must(KeySet::parse(jwks_of({&old_key, &new_key})));
  const auto only_new = must(KeySet::parse(jwks_of({&new_key})));
  const auto policy = test_policy();
  const std::string old_token = flawless_token(&old_key);
  const std::string new_token = flawless_token(&new_key);
  CHECK(outcome(crypto::verify_entry_token(old_token, *both, policy, kNow)) == "accepted");
  CHECK(outcome(crypto::verify_entry_token(new_token, *both, policy, kNow)) == "accepted");
  CHECK(outcome(crypto::verify_entry_token(old_token, *only_new, policy, kNow)) == "unknown_key");
  CHECK(outcome(crypto::verify_entry_token(new_token, *only_new, policy, kNow)) == "accepted");
}

TEST_CASE("a private key member \"d\" is refused", "[keyset]") {
  for (const TestKey* key : {&test_keys().ec, &test_keys().ed}) {
    json jwk = key->jwk;
    jwk["d"] = crypto::encode_base64url(std::string(32, '\x01'));
    json other = ed_jwk();
    other["kid"] = "other";
    const std::string message = parse_error(key_set_text({other, jwk}));
    CHECK_THAT(message, Catch::Contains("key 1") && Catch::Contains(key->kid) &&
                            Catch::Contains("\"d\""));
  }
}

TEST_CASE("bad coordinates: not base64url, wrong length, not on the curve", "[keyset]") {
  json jwk = ec_jwk();
  const std::string x = jwk["x"];
  SECTION("padding") {
    jwk["x"] = x + "=";
    CHECK_THAT(parse_error(key_set_text({jwk})), Catch::Contains("\"x\"") && Catch::Contains("padding"));
  }
  SECTION("standard base64 characters") {
    jwk["y"] = "+/" + x.substr(2);
    CHECK_THAT(parse_error(key_set_text({jwk})), Catch::Contains("\"y\"") && Catch::Contains("alphabet"));
  }
  SECTION("31 and 33 bytes") {
    for (const std::size_t size : {std::size_t{31}, std::size_t{33}}) {
      jwk["x"] = crypto::encode_base64url(std::string(size, '\x01'));
      CHECK_THAT(parse_error(key_set_text({jwk})),
                 Catch::Contains(std::to_string(size) + " bytes; expected 32"));
    }
  }
  SECTION("a point not on P-256") {
    jwk["y"] = jwk["x"];
    CHECK_THAT(parse_error(key_set_text({jwk})), Catch::Contains("key 0") && Catch::Contains("P-256"));
  }
  SECTION("Ed25519 x of the wrong length") {
    jwk = ed_jwk();
    jwk["x"] = crypto::encode_base64url(std::string(33, '\x01'));
    CHECK_THAT(parse_error(key_set_text({jwk})), Catch::Contains("33 bytes"));
  }
  SECTION("missing y, x not a string") {
    jwk.erase("y");
    CHECK_THAT(parse_error(key_set_text({jwk})), Catch::Contains("\"y\" is missing"));
    jwk = ec_jwk();
    jwk["x"] = 12;
    CHECK_THAT(parse_error(key_set_text({jwk})), Catch::Contains("\"x\" is a JSON number"));
  }
}

TEST_CASE("unsupported key types and curves are named", "[keyset]") {
  json jwk = ec_jwk();
  jwk["kty"] = "RSA";
  CHECK_THAT(parse_error(key_set_text({jwk})),
             Catch::Contains("key 0 (kid \"ec-1\")") && Catch::Contains("\"RSA\"") &&
                 Catch::Contains("expected \"EC\""));
  jwk["kty"] = "oct";
  CHECK_THAT(parse_error(key_set_text({jwk})), Catch::Contains("\"oct\""));
  jwk.erase("kty");
  CHECK_THAT(parse_error(key_set_text({jwk})), Catch::Contains("\"kty\" is missing"));
  jwk = ec_jwk();
  jwk["crv"] = "P-384";
  CHECK_THAT(parse_error(key_set_text({jwk})), Catch::Contains("\"P-384\"") && Catch::Contains("P-256"));
  jwk = ed_jwk();
  jwk["crv"] = "X25519";
  CHECK_THAT(parse_error(key_set_text({jwk})), Catch::Contains("\"X25519\"") && Catch::Contains("Ed25519"));
  jwk["crv"] = "P-256";
  CHECK_THAT(parse_error(key_set_text({jwk})), Catch::Contains("Ed25519"));
}

TEST_CASE("use other than sig, alg that does not fit the key", "[keyset]") {
  json jwk = ec_jwk();
  jwk["use"] = "enc";
  CHECK_THAT(parse_error(key_set_text({jwk})), Catch::Contains("\"use\"") && Catch::Contains("\"sig\""));
  jwk = ec_jwk();
  jwk["alg"] = "EdDSA";
  CHECK_THAT(parse_error(key_set_text({jwk})), Catch::Contains("\"alg\"") && Catch::Contains("ES256"));
  jwk = ed_jwk();
  jwk["alg"] = "ES256";
  CHECK_THAT(parse_error(key_set_text({jwk})), Catch::Contains("EdDSA"));
}

TEST_CASE("every key needs a unique non-empty kid", "[keyset]") {
  CHECK_THAT(parse_error(key_set_text({ec_jwk(), ed_jwk(), ed_jwk()})),
             Catch::Contains("key 2 (kid \"ed-1\")") && Catch::Contains("already used by key 1"));
  json jwk = ec_jwk();
  jwk.erase("kid");
  CHECK_THAT(parse_error(key_set_text({jwk})), Catch::Contains("\"kid\" is missing"));
  jwk["kid"] = "";
  CHECK_THAT(parse_error(key_set_text({jwk})), Catch::Contains("\"kid\" is empty"));
  jwk["kid"] = 7;
  CHECK_THAT(parse_error(key_set_text({jwk})), Catch::Contains("\"kid\" is a JSON number"));
}

TEST_CASE("not a JWK Set", "[keyset]") {
  CHECK_THAT(parse_error(""), Catch::Contains("not valid JSON"));
  CHECK_THAT(parse_error("{\"keys\": [}"), Catch::Contains("not valid JSON") &&
                                               Catch::Contains("line 1, column"));
  CHECK_THAT(parse_error("[]"), Catch::Contains("JSON array"));
  CHECK_THAT(parse_error("{}"), Catch::Contains("no \"keys\" array"));
  CHECK_THAT(parse_error("{\"keys\": {}}"), Catch::Contains("no \"keys\" array"));
  CHECK_THAT(parse_error("{\"keys\": []}"), Catch::Contains("empty"));
  CHECK_THAT(parse_error("{\"keys\": [\"ec-1\"]}"),
             Catch::Contains("key 0") && Catch::Contains("expected a JWK object"));
  CHECK_THAT(parse_error(key_set_text({ec_jwk()}) + key_set_text({ec_jwk()})), Catch::Contains("not valid JSON"));
  const std::string twice = "{\"keys\": [], \"keys\": " + json::array({ec_jwk()}).dump() + "}";
  CHECK_THAT(parse_error(twice), Catch::Contains("duplicate member name \"keys\""));
  std::string duplicate_x = key_set_text({ec_jwk()});
  duplicate_x.insert(duplicate_x.find("\"x\""), "\"x\":\"AAAA\",");
  CHECK_THAT(parse_error(duplicate_x), Catch::Contains("duplicate member name \"x\""));
}

TEST_CASE("load: reads a file, errors name the file", "[keyset]") {
  TempDir dir;
  const auto file = dir / "issuer.jwks.json";
  {
    std::ofstream out(file);
    out << key_set_text({ec_jwk(), ed_jwk()});
  }
  CHECK(must(KeySet::load(file))->size() == 2);

  const auto missing = KeySet::load(dir / "missing.json");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == "io_error");
  CHECK_THAT(missing.error().message,
             Catch::Contains("missing.json") && Catch::Contains("No such file"));

  const auto directory = KeySet::load(dir.path());
  REQUIRE_FALSE(directory.ok());
  CHECK(directory.error().code == "io_error");

  {
    std::ofstream out(file);
    out << "{\"keys\": []}";
  }
  const auto empty = KeySet::load(file);
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().code == "invalid_key_set");
  CHECK_THAT(empty.error().message, Catch::StartsWith(file.string()));
}

}  // namespace
}  // namespace passgate::test
