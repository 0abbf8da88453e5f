// libFuzzer target: arbitrary bytes as a token's claims through read_entry_claims. In a
// real token the claims are only read after the signature verified, which the fuzzer
// cannot forge, so fuzz_token rarely gets this far: this target covers the claims reader
// directly. Besides crashes and sanitizer reports, it aborts when accepted claims break
// the ranges of docs/interfaces/entry-token.md#claims.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/entry_claims_reader.hpp"
#include "crypto/token_rules.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace crypto = passgate::crypto;
  namespace rules = crypto::token_rules;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto claims = crypto::read_entry_claims(text);
  if (!claims) {
    if (claims.error().code != "bad_claims" || claims.error().message.empty()) __builtin_trap();
    return 0;
  }
  const auto chars = [](const std::string& s) { return rules::count_characters(s); };
  if (claims->issued_at >= claims->expires_at ||
      claims->expires_at - claims->issued_at > rules::kMaxLifetimeSeconds ||
      claims->group < rules::kGroupMin || claims->group > rules::kGroupMax ||
      !rules::is_valid_token_id(claims->token_id) || chars(claims->subject) < 1 ||
      chars(claims->subject) > rules::kSubjectMaxChars || chars(claims->pay.customer) < 1 ||
      chars(claims->pay.customer) > rules::kPaymentRefMaxChars ||
      chars(claims->pay.payment_method) < 1 ||
      chars(claims->pay.payment_method) > rules::kPaymentRefMaxChars) {
    __builtin_trap();
  }
  return 0;
}
