// Entry token verification, checks 6-7 of docs/interfaces/entry-token.md#order-of-checks: wrong_issuer, wrong_audience,
// expired, not_yet_valid, stale, their boundaries and their order.
#include <catch2/catch.hpp>

#include "tests/crypto/token_test_keys.hpp"

namespace passgate::test {
namespace {

using nlohmann::json;

// A flawless token issued at `iat`, valid for `lifetime` seconds.
std::string issued_at(std::int64_t iat, std::int64_t lifetime = 120) {
  json claims = flawless_claims();
  claims["iat"] = iat;
  claims["exp"] = iat + lifetime;
  return token_with_claims(claims);
}

std::string with_claims(std::initializer_list<std::pair<const char*, json>> changes) {
  json claims = flawless_claims();
  for (const auto& [name, value] : changes) claims[name] = value;
  return token_with_claims(claims, &test_keys().ed);
}

TEST_CASE("wrong_issuer, then wrong_audience", "[token][policy]") {
  const auto v = verify(with_claims({{"iss", "https://other-app.example"}}));
  CHECK(outcome(v) == "wrong_issuer");
  CHECK_THAT(detail(v), Catch::Contains("other-app") && Catch::Contains(std::string(kIssuer)));
  CHECK(outcome(verify(with_claims({{"iss", ""}}))) == "wrong_issuer");
  CHECK(outcome(verify(with_claims({{"iss", "https://other-app.example"}, {"aud", "store-0043"}}))) ==
        "wrong_issuer");
  CHECK(outcome(verify(with_claims({{"aud", "store-0043"}}))) == "wrong_audience");
  CHECK(outcome(verify(with_claims({{"aud", "STORE-0042"}}))) == "wrong_audience");
}

TEST_CASE("wrong_audience comes before the time checks", "[token][policy][order]") {
  CHECK(outcome(verify(with_claims({{"aud", "store-0043"}, {"iat", kNow - 1000},
                                    {"exp", kNow - 900}}))) == "wrong_audience");
}

TEST_CASE("expired: now > exp + skew", "[token][policy]") {
  const std::string token = issued_at(kNow - 80, 60);  // exp = kNow - 20
  CHECK(outcome(verify(token, kNow - 20 + 5)) == "accepted");
  const auto v = verify(token, kNow - 20 + 6);
  CHECK(outcome(v) == "expired");
  CHECK_THAT(detail(v), Catch::Contains("expired at " + std::to_string(kNow - 20)));
}

TEST_CASE("not_yet_valid: iat > now + skew", "[token][policy]") {
  CHECK(outcome(verify(issued_at(kNow + 5))) == "accepted");
  CHECK(outcome(verify(issued_at(kNow + 6))) == "not_yet_valid");
}

TEST_CASE("stale: now - iat > freshness", "[token][policy]") {
  CHECK(outcome(verify(issued_at(kNow - 90, 300))) == "accepted");
  const auto v = verify(issued_at(kNow - 91, 300));
  CHECK(outcome(v) == "stale");
  CHECK_THAT(detail(v), Catch::Contains("91 s ago"));
}

TEST_CASE("expired comes before stale", "[token][policy][order]") {
  CHECK(outcome(verify(issued_at(kNow - 200, 100))) == "expired");
}

TEST_CASE("skew and freshness are configurable", "[token][policy]") {
  crypto::VerifyPolicy policy = test_policy();
  policy.clock_skew = std::chrono::seconds{0};
  policy.freshness = std::chrono::seconds{30};
  const auto check = [&policy](const std::string& token) {
    return outcome(verify(token, kNow, policy));
  };
  CHECK(check(issued_at(kNow)) == "accepted");
  CHECK(check(issued_at(kNow + 1)) == "not_yet_valid");
  CHECK(check(issued_at(kNow - 30)) == "accepted");
  CHECK(check(issued_at(kNow - 31)) == "stale");
  CHECK(check(issued_at(kNow - 20, 20)) == "accepted");
  CHECK(check(issued_at(kNow - 21, 20)) == "expired");
}

}  // namespace
}  // namespace passgate::test
