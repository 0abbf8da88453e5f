// parse_retry_after: delta-seconds and IMF-fixdate HTTP-dates, bounded, anything else none.
#include <catch2/catch.hpp>

#include "drivers/http_retry_after.hpp"

using passgate::WallTime;
using passgate::drivers::kMaxRetryAfter;
using passgate::drivers::kMaxRetryAfterDate;
using passgate::drivers::parse_retry_after;
using namespace std::chrono;

namespace {
// Sat, 21 Nov 2026 18:04:05 GMT
const WallTime kNow = sys_days{year(2026) / November / 21} + hours(18) + minutes(4) + seconds(5);
}  // namespace

TEST_CASE("Retry-After in delta-seconds") {
  CHECK(parse_retry_after("120", kNow) == seconds(120));
  CHECK(parse_retry_after("0", kNow) == milliseconds(0));
  CHECK(parse_retry_after(" 5\t", kNow) == seconds(5));
  CHECK(parse_retry_after("0007", kNow) == seconds(7));
}

TEST_CASE("Retry-After in delta-seconds is cut to a day") {
  CHECK(parse_retry_after("86401", kNow) == kMaxRetryAfter);
  CHECK(parse_retry_after("99999999999999999999999999", kNow) == kMaxRetryAfter);
}

TEST_CASE("Retry-After as an HTTP-date is cut to 5 minutes") {
  CHECK(parse_retry_after("Fri, 01 Jan 2100 00:00:00 GMT", kNow) == kMaxRetryAfterDate);
  CHECK(parse_retry_after("Sun, 22 Nov 2026 00:00:00 GMT", kNow) == kMaxRetryAfterDate);
  CHECK(parse_retry_after("Sat, 21 Nov 2026 18:09:05 GMT", kNow) == minutes(5));
}

TEST_CASE("an HTTP-date Retry-After read by a gate clock hours behind asks for at most 5 minutes") {
  // The gateway asks for 30 s; the gate's clock is 10 hours behind when the answer comes.
  const WallTime behind = kNow - hours(10);
  CHECK(parse_retry_after("Sat, 21 Nov 2026 18:04:35 GMT", behind) == minutes(5));
}

TEST_CASE("Retry-After as an HTTP-date, relative to now") {
  CHECK(parse_retry_after("Sat, 21 Nov 2026 18:04:35 GMT", kNow) == seconds(30));
  CHECK(parse_retry_after("Sat, 21 Nov 2026 18:06:05 GMT", kNow) == minutes(2));
  CHECK(parse_retry_after("Sat, 21 Nov 2026 18:04:05 GMT", kNow) == milliseconds(0));
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", kNow) == milliseconds(0));  // past: no wait
}

TEST_CASE("a Retry-After that is neither is none") {
  for (const char* value : {"", " ", "soon", "-1", "1.5", "+3", "12s",
                            "Sunday, 06-Nov-94 08:49:37 GMT",    // RFC 850
                            "Sun Nov  6 08:49:37 1994",          // asctime
                            "Sat, 21 Nov 2026 18:04:35 UTC",     // not GMT
                            "Sat, 31 Feb 2026 18:04:35 GMT",     // no such day
                            "Sat, 21 Nox 2026 18:04:35 GMT",     // no such month
                            "Sat, 21 Nov 2026 24:04:35 GMT",     // no such hour
                            "Sat, 2x Nov 2026 18:04:35 GMT"}) {
    INFO('"' << value << '"');
    CHECK(parse_retry_after(value, kNow) == std::nullopt);
  }
}
