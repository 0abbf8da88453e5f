#include "controller/settlement/hold_check.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "controller/settlement/currency.hpp"
#include "db/card_settlement_store.hpp"
#include "ports/payment_intent_match.hpp"

namespace passgate::controller {

namespace {

// `failed` as answered, with what the read of the hold said added to its reason.
PaymentOutcome as_answered(const PaymentOutcome& failed, const std::string& read_said) {
  PaymentOutcome kept = failed;
  kept.error = (failed.error.empty() ? failed.decline_code : failed.error) + "; the hold read afterwards: " + read_said;
  return kept;
}

// The operation went through after all: succeeded, with the PaymentIntent `read` shows (the
// sends of `failed` kept: they are attempts).
HoldCheckVerdict went_through(const PaymentOutcome& failed, const PaymentOutcome& read) {
  HoldCheckVerdict verdict;
  verdict.outcome.kind = PaymentOutcomeKind::succeeded;
  verdict.outcome.http_status = read.http_status;
  verdict.outcome.intent = read.intent;
  verdict.outcome.sends = failed.sends;
  return verdict;
}

// Not final yet: `failed` is sent again with its key (its answer replayed) and the hold read
// again, `why` said.
PaymentOutcome read_again(const PaymentOutcome& failed, const std::string& why) {
  PaymentOutcome later = failed;
  later.kind = PaymentOutcomeKind::unknown;
  later.error = why + "; sent again with its key, then read again";
  return later;
}

// a + b, held at the int64 bounds instead of overflowing (a peer's value may be anything).
std::int64_t clamped_sum(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b < 0 ? std::numeric_limits<std::int64_t>::min() : std::numeric_limits<std::int64_t>::max();
}

// Seconds as milliseconds, held at the int64 bounds.
std::int64_t clamped_ms(std::int64_t seconds) {
  std::int64_t ms = 0;
  if (!__builtin_mul_overflow(seconds, std::int64_t{1000}, &ms)) return ms;
  return seconds < 0 ? std::numeric_limits<std::int64_t>::min() : std::numeric_limits<std::int64_t>::max();
}

// "HTTP 503" or the read's error: why a read could not be used.
std::string read_failure(const PaymentOutcome& read) {
  return read.error.empty() ? "HTTP " + std::to_string(read.http_status) : read.error;
}

// Increment `op`, answered `failed` (its answer lost, or it declined or refused), as its hold
// read since says (the read succeeded or was refused). A refusal is final: never sent again
// (its key would replay it), only told apart as a hold gone or raised after all.
HoldCheckVerdict increment_verdict(const db::PaymentOpRecord& op, const PaymentOutcome& failed,
                                   const PaymentOutcome& read) {
  HoldCheckVerdict verdict;
  const bool refused = failed.kind == PaymentOutcomeKind::declined || failed.kind == PaymentOutcomeKind::rejected;
  if (!refused && (read.kind == PaymentOutcomeKind::unknown || read.kind == PaymentOutcomeKind::retry_later)) {
    verdict.outcome = read_again(failed, "the hold could not be read after the increment's answer was lost (" +
                                             read_failure(read) + ")");
    return verdict;
  }
  const auto person_looks = [&](const std::string& why) {
    verdict.outcome = failed;
    verdict.outcome.kind = PaymentOutcomeKind::unverified;
    verdict.outcome.intent = read.intent;
    verdict.outcome.error = "the increment's answer was lost and " + why + "; " + std::string(kUnverifiedConsequence);
    return verdict;
  };
  if (read.kind != PaymentOutcomeKind::succeeded || !read.intent) {
    if (refused) {
      verdict.outcome = as_answered(failed, "could not be read (" + read_failure(read) + ")");
      return verdict;
    }
    return person_looks("its hold could not be read (" + read_failure(read) + ")");
  }
  PaymentRequest asked;
  asked.op = PaymentOpKind::increment;
  asked.session_id = op.session_id;
  asked.amount_minor = op.amount_minor;
  asked.currency = op.currency;
  asked.intent_id = op.intent_id;
  const PaymentIntentView& hold = *read.intent;
  switch (increment_on_hold(asked, hold)) {
    case IncrementOnHold::applied: return went_through(failed, read);
    case IncrementOnHold::not_applied:
      if (refused) {
        verdict.outcome = as_answered(failed, "requires_capture with " + std::to_string(hold.amount_capturable) +
                                                  " capturable: the hold stands, not raised");
        return verdict;
      }
      verdict.outcome = read_again(failed, "the hold still reads requires_capture with " +
                                               std::to_string(hold.amount_capturable) + " capturable, below the " +
                                               std::to_string(op.amount_minor) + " asked for: not applied");
      return verdict;
    case IncrementOnHold::hold_gone:
      verdict.outcome = as_answered(failed, "canceled, nothing received (the hold lapsed or was cancelled)");
      if (verdict.outcome.kind == PaymentOutcomeKind::unknown) verdict.outcome.kind = PaymentOutcomeKind::rejected;
      verdict.hold_canceled = true;
      return verdict;
    case IncrementOnHold::other: break;
  }
  const std::string status = hold.status.empty() ? std::string("in no state") : hold.status;
  if (refused) {
    verdict.outcome = as_answered(failed, status + " with " + std::to_string(hold.amount_capturable) +
                                              " capturable and " + std::to_string(hold.amount_received) +
                                              " received (or not this session's hold)");
    return verdict;
  }
  return person_looks("its hold read afterwards is " + status + " with " + std::to_string(hold.amount_capturable) +
                      " capturable and " + std::to_string(hold.amount_received) +
                      " received (or not this session's hold)");
}

}  // namespace

std::int64_t hold_watch_end_ms(const db::PaymentOpRecord& op, const HoldWatch& watch) {
  const std::int64_t first_ms = op.first_attempt_at_ms > 0 ? op.first_attempt_at_ms : op.created_at_ms;
  const std::int64_t by_age = clamped_sum(first_ms, kHoldWatchMaxS * 1000);
  if (watch.capture_before_s) {
    return std::min(by_age, clamped_ms(clamped_sum(*watch.capture_before_s, db::kHoldWatchAfterLapseS)));
  }
  if (watch.held_at_ms > 0) return std::min(by_age, clamped_sum(watch.held_at_ms, kHoldWatchMaxS * 1000));
  return by_age;
}

bool needs_hold_check(const db::PaymentOpRecord& op, const PaymentOutcome& outcome) {
  if (op.intent_id.empty()) return false;
  if (op.op == "increment") {
    return (outcome.kind == PaymentOutcomeKind::unknown && outcome.sends > 0) ||
           outcome.kind == PaymentOutcomeKind::declined || outcome.kind == PaymentOutcomeKind::rejected;
  }
  return (op.op == "capture" || op.op == "void") &&
         (outcome.kind == PaymentOutcomeKind::declined || outcome.kind == PaymentOutcomeKind::rejected);
}

HoldCheckVerdict hold_check_verdict(const db::PaymentOpRecord& op, const PaymentOutcome& failed,
                                    const PaymentOutcome& read, const HoldWatch& watch) {
  if (op.op == "increment") return increment_verdict(op, failed, read);
  HoldCheckVerdict verdict;
  if (read.kind == PaymentOutcomeKind::unknown || read.kind == PaymentOutcomeKind::retry_later) {
    verdict.outcome = read_again(failed, "the hold could not be read after the " + op.op + " failed (" +
                                                 read_failure(read) + ")");
    return verdict;
  }
  if (read.kind != PaymentOutcomeKind::succeeded || !read.intent) {
    verdict.outcome = as_answered(failed, "refused (HTTP " + std::to_string(read.http_status) + ")");
    return verdict;
  }
  const PaymentIntentView& intent = *read.intent;
  if (intent.id != op.intent_id || intent.session_id != op.session_id ||
      currency_code(intent.currency) != currency_code(op.currency) || intent.amount < op.amount_minor) {
    verdict.outcome = as_answered(failed, "not this session's hold (id, session or currency differ, or its amount is "
                                          "below the " + op.op + "'s)");
    return verdict;
  }
  const std::string received = std::to_string(intent.amount_received) + " received";
  if (intent.status == "canceled" && intent.amount_received == 0) {
    if (op.op == "void") return went_through(failed, read);
    verdict.outcome = as_answered(failed, "canceled, nothing received (the hold lapsed or was cancelled)");
    verdict.hold_canceled = true;
    return verdict;
  }
  if (op.op == "capture" && intent.status == "succeeded") {
    if (intent.amount_received == op.amount_minor) return went_through(failed, read);
    verdict.outcome = failed;
    verdict.outcome.kind = PaymentOutcomeKind::unverified;
    verdict.outcome.error = "the hold read after the capture failed is captured with " + received + ", not " +
                            std::to_string(op.amount_minor) + ": money moved otherwise, look at it at the gateway";
    return verdict;
  }
  if (op.op == "capture" && intent.status == "requires_capture" && watch.now_ms < hold_watch_end_ms(op, watch)) {
    // The hold may have lapsed just now, the network cancelling it only later.
    verdict.outcome = read_again(failed, "the hold still reads requires_capture after the capture was refused");
    return verdict;
  }
  verdict.outcome = as_answered(failed, intent.status + ", " + received);
  return verdict;
}

}  // namespace passgate::controller
