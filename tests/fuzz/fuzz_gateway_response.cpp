// libFuzzer target: arbitrary gateway answers through classify_payment_reply and
// classify_search_reply, as GatewayClient parses and checks them. Input: byte 0 picks the
// operation (its low four bits modulo 5: preauth, capture, charge, void, increment) and the
// Idempotent-Replayed / Retry-After headers, bytes 1-2 the HTTP status
// (big-endian, modulo 1000), the rest is the body (up to a NUL: after it, the Retry-After
// value). Besides crashes and sanitizer reports, it aborts when an outcome breaks a promise:
// succeeded only for a 200 whose PaymentIntent matches the request, declined only for a 402,
// and an error text that is bounded, free of control characters, and names no secret and no
// PaymentIntent id of the request.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ports/payment_intent_match.hpp"
#include "drivers/gateway_response.hpp"
#include "tests/fuzz/fuzz_reply.hpp"

namespace {

using passgate::HttpReply;
using passgate::PaymentOpKind;
using passgate::PaymentOutcome;
using passgate::PaymentOutcomeKind;
using passgate::PaymentRequest;

const std::string kApiKey = "sk_test_FuzzKey";
const std::string kCustomer = "cus_FuzzCustomer";
const std::string kPaymentMethod = "pm_FuzzMethod";
const std::string kHold = "pi_FuzzHold";

PaymentRequest request_for(PaymentOpKind op) {
  PaymentRequest request;
  request.op = op;
  request.session_id = "7f3e9a52-1c1d-4b8e-9d5e-0a1b2c3d4e5f";
  request.idempotency_key = request.session_id + ":" + std::string(to_string(op));
  request.gate_id = "gate-a";
  request.amount_minor = op == PaymentOpKind::void_hold ? 0 : 1009;
  request.currency = "USD";
  request.customer = kCustomer;
  request.payment_method = kPaymentMethod;
  if (passgate::acts_on_hold(op)) request.intent_id = kHold;
  return request;
}

void check_text(const PaymentOutcome& outcome, const PaymentRequest& request) {
  if (!passgate::fuzz::clean_text(outcome.error, {kApiKey, kCustomer, kPaymentMethod, request.intent_id,
                                                  request.idempotency_key})) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto decoded = passgate::fuzz::reply_from_input(data, size);
  if (!decoded) return 0;
  const HttpReply& reply = *decoded;
  const std::uint8_t selector = data[0];
  const PaymentOpKind op = static_cast<PaymentOpKind>((selector & 0x0f) % 5);

  const PaymentRequest request = request_for(op);
  const passgate::drivers::Secrets secrets{kApiKey, kCustomer, kPaymentMethod, request.intent_id,
                                           request.idempotency_key};
  const auto now = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 56);
  const PaymentOutcome outcome = passgate::drivers::classify_payment_reply(reply, request, secrets, now);
  check_text(outcome, request);
  if (outcome.http_status != reply.status || outcome.sends != 1) __builtin_trap();
  if (outcome.kind == PaymentOutcomeKind::succeeded) {
    if (reply.status != 200 || !outcome.intent) __builtin_trap();
    if (!passgate::intent_mismatches(request, *outcome.intent).empty()) __builtin_trap();
  }
  if (outcome.kind == PaymentOutcomeKind::declined && reply.status != 402) __builtin_trap();

  const PaymentOutcome search = passgate::drivers::classify_search_reply(reply, {kApiKey}, now);
  if (search.error.size() > passgate::fuzz::kMaxOutcomeText) __builtin_trap();
  if (search.kind == PaymentOutcomeKind::succeeded && reply.status != 200) __builtin_trap();
  if (search.kind != PaymentOutcomeKind::succeeded && !search.found.empty()) __builtin_trap();
  return 0;
}
