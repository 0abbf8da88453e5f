// How long a card capture refused while its hold still reads requires_capture is read again
// (controller/settlement/hold_check.hpp): until a day past the hold's capture_before, or eight
// days after the hold was placed when capture_before is not known, and never past eight days
// after the capture's first attempt, whatever the terminal said capture_before was
// (milliseconds, far in the future, past the int64 range once in milliseconds). Then the
// refusal stands as answered: a dead letter with its alert.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "controller/settlement/hold_check.hpp"

using namespace passgate;
using namespace passgate::controller;

namespace {

constexpr std::int64_t kFirstMs = 1'796'000'000'000;  // the capture's first attempt
constexpr std::int64_t kDayMs = 24 * 3600 * 1000;

db::PaymentOpRecord refused_capture() {
  db::PaymentOpRecord op;
  op.id = 7;
  op.session_id = "c1";
  op.op = "capture";
  op.amount_minor = 2500;
  op.currency = "EUR";
  op.intent_id = "pi_c1";
  op.created_at_ms = kFirstMs - 1000;
  op.first_attempt_at_ms = kFirstMs;
  return op;
}

PaymentOutcome refusal() {
  PaymentOutcome failed;
  failed.kind = PaymentOutcomeKind::rejected;
  failed.http_status = 400;
  failed.error = "payment_intent_unexpected_state";
  return failed;
}

// The hold read after the refusal: still requires_capture, nothing received.
PaymentOutcome standing_hold() {
  PaymentIntentView intent;
  intent.id = "pi_c1";
  intent.status = "requires_capture";
  intent.amount = 3000;
  intent.amount_capturable = 3000;
  intent.currency = "eur";
  intent.session_id = "c1";
  intent.op = "tpreauth";
  PaymentOutcome read;
  read.kind = PaymentOutcomeKind::succeeded;
  read.http_status = 200;
  read.intent = intent;
  return read;
}

PaymentOutcomeKind verdict_at(std::int64_t now_ms, std::optional<std::int64_t> capture_before_s,
                              std::int64_t held_at_ms = 0) {
  return hold_check_verdict(refused_capture(), refusal(), standing_hold(),
                            HoldWatch{now_ms, capture_before_s, held_at_ms})
      .outcome.kind;
}

}  // namespace

TEST_CASE("a standing hold is read again until a day past its capture_before, when that comes first") {
  const std::int64_t capture_before_s = kFirstMs / 1000 + 3600;  // lapses an hour after the capture
  const std::int64_t end_ms = (capture_before_s + 24 * 3600) * 1000;
  CHECK(hold_watch_end_ms(refused_capture(), HoldWatch{kFirstMs, capture_before_s}) == end_ms);
  CHECK(verdict_at(end_ms - 1, capture_before_s) == PaymentOutcomeKind::unknown);
  CHECK(verdict_at(end_ms, capture_before_s) == PaymentOutcomeKind::rejected);
}

TEST_CASE("a standing hold is read again no longer than eight days after the capture's first attempt") {
  const std::int64_t end_ms = kFirstMs + 8 * kDayMs;
  // Milliseconds taken for seconds, far in the future, and values whose milliseconds (plus
  // the day) are past the int64 range: the capture's own age ends the watch all the same.
  const std::int64_t capture_before_s =
      GENERATE(kFirstMs + 2 * kDayMs, kFirstMs / 1000 + 400 * 24 * 3600, std::int64_t{9'300'000'000'000'000},
               std::numeric_limits<std::int64_t>::max() - 10);
  INFO(capture_before_s);
  CHECK(hold_watch_end_ms(refused_capture(), HoldWatch{kFirstMs, capture_before_s}) == end_ms);
  CHECK(verdict_at(kFirstMs + kDayMs, capture_before_s) == PaymentOutcomeKind::unknown);
  CHECK(verdict_at(end_ms - 1, capture_before_s) == PaymentOutcomeKind::unknown);
  const HoldCheckVerdict past =
      hold_check_verdict(refused_capture(), refusal(), standing_hold(), HoldWatch{end_ms, capture_before_s});
  CHECK(past.outcome.kind == PaymentOutcomeKind::rejected);
  CHECK_FALSE(past.hold_canceled);
  CHECK_THAT(past.outcome.error, Catch::Contains("the hold read afterwards: requires_capture"));
}

TEST_CASE("a capture_before far in the past ends the watch at once, without overflow") {
  const std::int64_t capture_before_s = std::numeric_limits<std::int64_t>::min() + 10;
  CHECK(hold_watch_end_ms(refused_capture(), HoldWatch{kFirstMs, capture_before_s}) ==
        std::numeric_limits<std::int64_t>::min());
  CHECK(verdict_at(kFirstMs, capture_before_s) == PaymentOutcomeKind::rejected);
}

TEST_CASE("a standing hold without capture_before is read again until eight days after it was placed") {
  const std::int64_t held_at_ms = kFirstMs - 3600 * 1000;  // an hour before the capture
  const std::int64_t end_ms = held_at_ms + 8 * kDayMs;
  CHECK(hold_watch_end_ms(refused_capture(), HoldWatch{kFirstMs, std::nullopt, held_at_ms}) == end_ms);
  CHECK(verdict_at(kFirstMs, std::nullopt, held_at_ms) == PaymentOutcomeKind::unknown);
  CHECK(verdict_at(end_ms - 1, std::nullopt, held_at_ms) == PaymentOutcomeKind::unknown);
  CHECK(verdict_at(end_ms, std::nullopt, held_at_ms) == PaymentOutcomeKind::rejected);
  // Not known when it was placed either: the capture's own age bounds it.
  CHECK(verdict_at(kFirstMs + 8 * kDayMs - 1, std::nullopt) == PaymentOutcomeKind::unknown);
  CHECK(verdict_at(kFirstMs + 8 * kDayMs, std::nullopt) == PaymentOutcomeKind::rejected);
}
