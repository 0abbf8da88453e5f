// Entry token verification, check 5 of docs/interfaces/entry-token.md#order-of-checks: bad_claims. Every token here is
// correctly signed; only its claims are wrong.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>

#include "crypto/log_text.hpp"
#include "tests/crypto/token_test_keys.hpp"

namespace passgate::test {
namespace {

using nlohmann::json;

std::string with_claim(const char* name, const json& value) {
  json claims = flawless_claims();
  claims[name] = value;
  return token_with_claims(claims);
}

std::string with_pay(const char* name, const json& value) {
  json claims = flawless_claims();
  claims["pay"][name] = value;
  return token_with_claims(claims);
}

// Claims text signed as is, under a flawless header.
std::string with_claims_text(const std::string& claims) {
  return signed_token(flawless_header().dump(), claims);
}

TEST_CASE("bad_claims: claims not a JSON object", "[token][claims]") {
  for (const std::string text : {"", "[]", "null", "42", "\"claims\"", "{", "{\"iss\":}",
                                 "{\"iss\":\"a\"} x", "\xFF"}) {
    INFO(crypto::quote_for_log(text));
    CHECK(outcome(verify(with_claims_text(text))) == "bad_claims");
  }
}

TEST_CASE("bad_claims: a duplicate member, at the top or inside pay", "[token][claims]") {
  const std::string flawless = flawless_claims().dump();
  REQUIRE(outcome(verify(with_claims_text(flawless))) == "accepted");
  const std::string duplicated_iat = "{\"iat\":" + std::to_string(kNow) + "," + flawless.substr(1);
  CHECK(outcome(verify(with_claims_text(duplicated_iat))) == "bad_claims");
  std::string duplicated_customer = flawless;
  const std::string customer = "\"customer\":\"" + std::string(kCustomer) + "\"";
  duplicated_customer.insert(duplicated_customer.find(customer), customer + ",");
  const auto v = verify(with_claims_text(duplicated_customer));
  CHECK(outcome(v) == "bad_claims");
  CHECK_THAT(detail(v), Catch::Contains("customer") && !Catch::Contains("SECRET"));
}

TEST_CASE("bad_claims: a required claim missing", "[token][claims]") {
  const auto name = GENERATE("iss", "aud", "sub", "iat", "exp", "jti", "pay");
  json claims = flawless_claims();
  claims.erase(name);
  const auto v = verify(token_with_claims(claims));
  CHECK(outcome(v) == "bad_claims");
  CHECK_THAT(detail(v), Catch::Contains(name) && Catch::Contains("missing"));
}

TEST_CASE("bad_claims: a known claim with the wrong type", "[token][claims]") {
  for (const auto* name : {"iss", "aud", "sub", "jti"}) {
    for (const json& value : {json(1), json(nullptr), json(true), json::array(), json::object()}) {
      INFO(name << " = " << value.dump());
      CHECK(outcome(verify(with_claim(name, value))) == "bad_claims");
    }
  }
  for (const auto* name : {"iat", "exp", "grp"}) {
    for (const json& value : {json("1795000000"), json(nullptr), json(true), json::array({1})}) {
      INFO(name << " = " << value.dump());
      CHECK(outcome(verify(with_claim(name, value))) == "bad_claims");
    }
  }
  for (const json& value : {json("cus_1"), json::array(), json(nullptr), json(1)}) {
    INFO("pay = " << value.dump());
    CHECK(outcome(verify(with_claim("pay", value))) == "bad_claims");
  }
}

TEST_CASE("bad_claims: times that are not integers", "[token][claims]") {
  // Written as text: 1795000000.0 and 1.795e9 are floats to the JSON parser.
  const std::string flawless = flawless_claims().dump();
  const std::string iat = "\"iat\":" + std::to_string(kNow);
  for (const std::string replacement : {"\"iat\":1795000000.0", "\"iat\":1795000000.5",
                                        "\"iat\":1.795e9", "\"iat\":1795000000e0"}) {
    std::string claims = flawless;
    claims.replace(claims.find(iat), iat.size(), replacement);
    INFO(claims);
    const auto v = verify(with_claims_text(claims));
    CHECK(outcome(v) == "bad_claims");
    CHECK_THAT(detail(v), Catch::Contains("iat") && Catch::Contains("fraction or exponent"));
  }
  CHECK(outcome(verify(with_claim("exp", 1.5))) == "bad_claims");
  CHECK(outcome(verify(with_claim("grp", 2.0))) == "bad_claims");
}

TEST_CASE("bad_claims: integers beyond 64 bits", "[token][claims]") {
  CHECK(outcome(verify(with_claim("exp", std::numeric_limits<std::uint64_t>::max()))) ==
        "bad_claims");
  const std::string flawless = flawless_claims().dump();
  const std::string iat = "\"iat\":" + std::to_string(kNow);
  std::string claims = flawless;
  claims.replace(claims.find(iat), iat.size(), "\"iat\":123456789012345678901234567890");
  CHECK(outcome(verify(with_claims_text(claims))) == "bad_claims");
  claims = flawless;
  claims.replace(claims.find(iat), iat.size(), "\"iat\":1e999");  // too large even for a double
  CHECK(outcome(verify(with_claims_text(claims))) == "bad_claims");
}

TEST_CASE("bad_claims: sub of 1-64 characters", "[token][claims]") {
  CHECK(outcome(verify(with_claim("sub", ""))) == "bad_claims");
  CHECK(accepted(verify(with_claim("sub", "s"))).subject == "s");
  CHECK(outcome(verify(with_claim("sub", std::string(64, 's')))) == "accepted");
  CHECK(outcome(verify(with_claim("sub", std::string(65, 's')))) == "bad_claims");
  std::string accented;  // 64 characters, 128 bytes
  for (int i = 0; i < 64; ++i) accented += "\xC3\xA9";
  CHECK(outcome(verify(with_claim("sub", accented))) == "accepted");
  CHECK(outcome(verify(with_claim("sub", accented + "e"))) == "bad_claims");
}

TEST_CASE("bad_claims: jti of 16-64 characters of [A-Za-z0-9_-]", "[token][claims]") {
  CHECK(outcome(verify(with_claim("jti", std::string(15, 'a')))) == "bad_claims");
  CHECK(outcome(verify(with_claim("jti", std::string(16, 'a')))) == "accepted");
  CHECK(outcome(verify(with_claim("jti", std::string(64, 'a')))) == "accepted");
  CHECK(outcome(verify(with_claim("jti", std::string(65, 'a')))) == "bad_claims");
  CHECK(outcome(verify(with_claim("jti", "AZaz09_-AZaz09_-"))) == "accepted");
  for (const std::string bad : {"aaaaaaaaaaaaaaa.", "aaaaaaaaaaaaaaa+", "aaaaaaaaaaaaaaa=",
                                "aaaaaaaaaaaaaaa ", "aaaaaaaaaaaaaa\xC3\xA9", "aaaaaaaaaaaaaaa/"}) {
    INFO(crypto::quote_for_log(bad));
    CHECK(outcome(verify(with_claim("jti", bad))) == "bad_claims");
  }
}

TEST_CASE("bad_claims: pay references of 1-255 characters, never shown", "[token][claims]") {
  for (const auto* name : {"customer", "payment_method"}) {
    INFO(name);
    CHECK(outcome(verify(with_pay(name, std::string(255, 'x')))) == "accepted");
    for (const json& bad : {json(""), json(std::string(256, 'x')), json(1), json(nullptr)}) {
      CHECK(outcome(verify(with_pay(name, bad))) == "bad_claims");
    }
    json claims = flawless_claims();
    claims["pay"].erase(name);
    CHECK(outcome(verify(token_with_claims(claims))) == "bad_claims");
    const auto v = verify(with_pay(name, "SECRET" + std::string(300, 'x')));
    CHECK_THAT(detail(v), Catch::Contains(name) && !Catch::Contains("SECRET"));
  }
}

TEST_CASE("bad_claims: grp 1-10, default 1", "[token][claims]") {
  CHECK(accepted(verify(token_with_claims(flawless_claims()))).group == 1);
  CHECK(accepted(verify(with_claim("grp", 1))).group == 1);
  CHECK(accepted(verify(with_claim("grp", 10))).group == 10);
  for (const json& bad : {json(0), json(11), json(-1), json(std::numeric_limits<std::int64_t>::min()),
                         json(std::numeric_limits<std::uint64_t>::max())}) {
    INFO("grp " << bad.dump());
    CHECK(outcome(verify(with_claim("grp", bad))) == "bad_claims");
  }
}

TEST_CASE("bad_claims: iat < exp <= iat + 300", "[token][claims]") {
  json claims = flawless_claims();
  claims["exp"] = kNow + 300;
  CHECK(outcome(verify(token_with_claims(claims))) == "accepted");
  claims["exp"] = kNow + 301;
  CHECK(outcome(verify(token_with_claims(claims))) == "bad_claims");
  claims["exp"] = kNow + 1;
  CHECK(outcome(verify(token_with_claims(claims))) == "accepted");
  claims["exp"] = kNow;
  CHECK(outcome(verify(token_with_claims(claims))) == "bad_claims");
  claims["exp"] = kNow - 1;
  CHECK(outcome(verify(token_with_claims(claims))) == "bad_claims");
}

TEST_CASE("bad_claims: extreme times do not overflow", "[token][claims]") {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  json claims = flawless_claims();
  claims["iat"] = kMin;
  claims["exp"] = kMax;
  CHECK(outcome(verify(token_with_claims(claims))) == "bad_claims");
  claims["iat"] = kMax - 300;
  claims["exp"] = kMax;
  CHECK(outcome(verify(token_with_claims(claims))) == "not_yet_valid");
  CHECK(outcome(verify(token_with_claims(claims), kMax - 300)) == "accepted");
  CHECK(outcome(verify(token_with_claims(claims), kMax)) == "stale");
  claims["iat"] = kMin;
  claims["exp"] = kMin + 300;
  CHECK(outcome(verify(token_with_claims(claims))) == "expired");
  CHECK(outcome(verify(token_with_claims(claims), kMin)) == "accepted");
}

TEST_CASE("unknown claims and unknown pay members are ignored", "[token][claims]") {
  json claims = flawless_claims();
  claims["nbf"] = "not checked";
  claims["extra"] = json{{"nested", json::array({1, 2.5, nullptr})}};
  claims["pay"]["brand"] = "visa";
  CHECK(outcome(verify(token_with_claims(claims))) == "accepted");
}

}  // namespace
}  // namespace passgate::test
