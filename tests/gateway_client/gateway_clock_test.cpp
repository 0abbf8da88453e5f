// GatewayClient reads a Retry-After date against the Clock it is given (the daemon's, or a
// test's virtual one), never the system clock; and a gate clock hours behind cannot turn a
// short HTTP-date Retry-After into a long pause.
#include <catch2/catch.hpp>

#include "common/time_format.hpp"
#include "common/virtual_time.hpp"
#include "drivers/http_retry_after.hpp"
#include "tests/gateway_client/gateway_fixture.hpp"

using namespace passgate;
using namespace passgate::test;

namespace {

// Mon, 01 Jul 2030 12:00:00 GMT: years away from the machine's own clock.
const WallTime kGatewayNow = std::chrono::sys_days{std::chrono::year(2030) / std::chrono::July / 1} + 12h;
const std::string kThirtySecondsLater = "Mon, 01 Jul 2030 12:00:30 GMT";

sim::HttpAnswer rate_limited_until(const std::string& date) {
  return answer_with_headers(429, error_json("rate_limit_error", "", "", "Too many requests."), {{"Retry-After", date}});
}

}  // namespace

TEST_CASE("a Retry-After date is read against the client's clock") {
  ScriptedGateway gateway;
  VirtualTime vt;
  vt.set_wall(kGatewayNow);
  auto client = gateway.client_on(vt);

  SECTION("a payment request") {
    gateway.will_answer(rate_limited_until(kThirtySecondsLater));
    const PaymentOutcome outcome = gateway.execute(*client, payment_request(PaymentOpKind::charge));
    CHECK(outcome.kind == PaymentOutcomeKind::retry_later);
    CHECK(outcome.retry_after == std::chrono::seconds(30));
  }
  SECTION("a search") {
    gateway.will_answer(rate_limited_until(kThirtySecondsLater));
    const PaymentOutcome outcome = gateway.search(*client, kSessionId);
    CHECK(outcome.kind == PaymentOutcomeKind::retry_later);
    CHECK(outcome.retry_after == std::chrono::seconds(30));
  }
}

TEST_CASE("a gate clock 10 hours behind makes a 30 s Retry-After date a wait of at most 5 minutes") {
  ScriptedGateway gateway;
  VirtualTime vt;
  vt.set_wall(kGatewayNow - 10h);
  auto client = gateway.client_on(vt);
  gateway.will_answer(rate_limited_until(kThirtySecondsLater));
  const PaymentOutcome outcome = gateway.execute(*client, payment_request(PaymentOpKind::charge));
  CHECK(outcome.kind == PaymentOutcomeKind::retry_later);
  REQUIRE(outcome.retry_after);
  CHECK(*outcome.retry_after == drivers::kMaxRetryAfterDate);
}
