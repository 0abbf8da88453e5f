// Offline risk limits: each limit exceeded by itself is named, a value at the limit is
// within it, and amounts owed in another currency do not count.
#include <catch2/catch.hpp>

#include "controller/admission/offline_risk.hpp"

using passgate::controller::exceeded_offline_limit;
using passgate::controller::OfflineRiskLimits;
using passgate::db::QueueTotals;

namespace {

constexpr std::int64_t kNow = 1'795'000'000'000;

OfflineRiskLimits limits() {
  OfflineRiskLimits l;
  l.max_session_minor = 5000;
  l.max_outstanding_minor = 20000;
  l.max_outstanding_operations = 10;
  l.max_age = std::chrono::seconds(3600);
  return l;
}

// Totals at every limit, the new session's hold included.
QueueTotals at_limits() {
  QueueTotals t;
  t.outstanding_ops = 10;
  t.outstanding_minor = {{"USD", {20000, false}}, {"EUR", {999999, false}}};
  t.oldest_created_at_ms = kNow - 3600 * 1000;
  return t;
}

std::string exceeded(std::int64_t hold, const QueueTotals& totals) {
  const auto why = exceeded_offline_limit(limits(), hold, "USD", totals, kNow);
  REQUIRE(why.has_value());
  return *why;
}

}  // namespace

TEST_CASE("an entry within every offline limit is allowed") {
  CHECK_FALSE(exceeded_offline_limit(limits(), 5000, "USD", at_limits(), kNow).has_value());
  CHECK_FALSE(exceeded_offline_limit(limits(), 100, "USD", QueueTotals{}, kNow).has_value());
}

TEST_CASE("a hold over the per-session limit is refused") {
  CHECK(exceeded(5001, at_limits()) == "hold 5001 exceeds max_session_minor 5000");
}

TEST_CASE("an outstanding amount over the limit in the hold's currency is refused") {
  QueueTotals t = at_limits();
  t.outstanding_minor["USD"] = {20001, false};
  CHECK(exceeded(5000, t) == "outstanding 20001 USD exceeds max_outstanding_minor 20000");
  // Only the hold's currency counts.
  CHECK_FALSE(exceeded_offline_limit(limits(), 5000, "GBP", t, kNow).has_value());
}

TEST_CASE("more outstanding operations than the limit are refused") {
  QueueTotals t = at_limits();
  t.outstanding_ops = 11;
  CHECK(exceeded(5000, t) == "11 outstanding operations exceed max_outstanding_operations 10");
}

TEST_CASE("an outstanding operation older than the limit is refused") {
  QueueTotals t = at_limits();
  *t.oldest_created_at_ms -= 1000;
  CHECK(exceeded(5000, t) == "oldest outstanding operation is 3601 s old, over max_age_s 3600");
}
