// libFuzzer target: arbitrary terminal API answers through classify_terminal_reply, as
// TerminalClient parses and checks them. Input: byte 0 picks the step (and the
// Idempotent-Replayed / Retry-After headers), bytes 1-2 the HTTP status (big-endian, modulo
// 1000), the rest is the body (up to a NUL: after it, the Retry-After value). Besides crashes
// and sanitizer reports, it aborts when an outcome breaks a promise: succeeded or in_progress
// only for a 200, declined only for a 402 or a 200 reader, an error text that is bounded, free
// of control characters, and names no secret, no PaymentIntent id and no card fingerprint.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "drivers/terminal_response.hpp"
#include "tests/fuzz/fuzz_reply.hpp"

namespace {

using passgate::HttpReply;
using passgate::TerminalOutcome;
using passgate::TerminalOutcomeKind;
using passgate::TerminalStep;

const std::string kApiKey = "sk_test_FuzzTerminalKey";
const std::string kCustomer = "cus_FuzzCustomer";
const std::string kIntent = "pi_FuzzHold";
constexpr int kSteps = 10;

passgate::drivers::TerminalCall call_for(TerminalStep step) {
  passgate::drivers::TerminalCall call;
  call.step = step;
  call.amount_minor = 4200;
  auto& a = call.attempt;
  a.session_id = "7f3e9a52-1c1d-4b8e-9d5e-0a1b2c3d4e5f";
  a.gate_id = "gate-a";
  a.lane = 1;
  a.reader_id = "tmr_FuzzReader";
  a.currency = "USD";
  a.hold_minor = 3000;
  a.customer = kCustomer;
  a.intent_id = kIntent;
  return call;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto decoded = passgate::fuzz::reply_from_input(data, size);
  if (!decoded) return 0;
  const HttpReply& reply = *decoded;
  const std::uint8_t selector = data[0];
  const auto step = static_cast<TerminalStep>((selector & 0x0f) % kSteps);

  const auto call = call_for(step);
  const std::string key = passgate::terminal_idempotency_key(step, call.attempt);
  const passgate::drivers::Secrets secrets{kApiKey, kCustomer, kIntent, key};
  const auto now = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 56);
  const TerminalOutcome outcome = passgate::drivers::classify_terminal_reply(reply, call, secrets, now);

  const std::string_view fingerprint = outcome.card ? std::string_view(outcome.card->fingerprint) : "";
  for (const std::string& text : {outcome.error, outcome.decline_code}) {
    if (!passgate::fuzz::clean_text(text, {kApiKey, kCustomer, kIntent, key, fingerprint})) __builtin_trap();
  }
  if (outcome.http_status != reply.status || outcome.sends != 1) __builtin_trap();
  const bool answered = outcome.kind == TerminalOutcomeKind::succeeded || outcome.kind == TerminalOutcomeKind::in_progress;
  if (answered && reply.status != 200) __builtin_trap();
  if (outcome.kind == TerminalOutcomeKind::declined && reply.status != 402 && reply.status != 200) __builtin_trap();
  if (outcome.kind == TerminalOutcomeKind::succeeded && step == TerminalStep::read_intent &&
      outcome.intent_status == "requires_capture" && !(outcome.card && !outcome.card->fingerprint.empty())) {
    __builtin_trap();
  }
  return 0;
}
