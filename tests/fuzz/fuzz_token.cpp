// libFuzzer target: arbitrary bytes as a scanned entry token through verify_entry_token,
// against a fixed key set (one P-256 and one Ed25519 public key) at a fixed time. Besides
// crashes and sanitizer reports, it aborts when an accepted token breaks a rule the
// verifier promises, or a denial has no detail.
//
// The seed corpus (corpus/token/) was minted once for these keys with `passgate-sim token
// mint --issuer https://app.example-retail.com --audience store-0042 --now 1795000000`
// (valid ES256 and EdDSA tokens and one per --flaw); the private keys were then discarded.
// To remake it, generate two keys with `passgate-sim token keygen` (kids fuzz-ec, fuzz-ed),
// replace kJwks below with the new JWKS, and mint the corpus again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crypto/key_set.hpp"
#include "crypto/token_rules.hpp"
#include "crypto/token_verifier.hpp"

namespace {

namespace crypto = passgate::crypto;

constexpr std::string_view kJwks = R"({"keys": [
  {"alg": "ES256", "crv": "P-256", "kid": "fuzz-ec", "kty": "EC", "use": "sig",
   "x": "39WlIbzajE5bUFiBMpSSfHTYTMORZpSyz-v1GOKauLk",
   "y": "MTlaUIaNjYBs0PWUQD6DJRLalBbjte1uJeDunVFjyYI"},
  {"alg": "EdDSA", "crv": "Ed25519", "kid": "fuzz-ed", "kty": "OKP", "use": "sig",
   "x": "-ht9V3iv_RDbrH2Z8izu1LSB9ioeYKgZBsrROGNAXdg"}
]})";
constexpr std::int64_t kNow = 1795000000;  // the seed tokens' iat

const crypto::KeySet& fuzz_keys() {
  static const auto keys = [] {
    auto parsed = crypto::KeySet::parse(kJwks);
    if (!parsed) std::abort();
    return std::move(parsed).value();
  }();
  return *keys;
}

const crypto::VerifyPolicy& fuzz_policy() {
  static const crypto::VerifyPolicy policy{"https://app.example-retail.com", "store-0042"};
  return policy;
}

void require(bool promise_kept) {
  if (!promise_kept) __builtin_trap();
}

void check_accepted(const crypto::EntryClaims& c, std::size_t token_size) {
  namespace rules = crypto::token_rules;
  const auto& policy = fuzz_policy();
  require(token_size <= rules::kMaxTokenBytes);
  require(c.issuer == policy.issuer && c.audience == policy.audience);
  require(c.issued_at < c.expires_at && c.expires_at - c.issued_at <= rules::kMaxLifetimeSeconds);
  require(kNow <= c.expires_at + policy.clock_skew.count());
  require(c.issued_at <= kNow + policy.clock_skew.count());
  require(kNow - c.issued_at <= policy.freshness.count());
  require(c.group >= rules::kGroupMin && c.group <= rules::kGroupMax);
  require(rules::is_valid_token_id(c.token_id));
  require(!c.subject.empty() && !c.pay.customer.empty() && !c.pay.payment_method.empty());
  require((c.kid == "fuzz-ec" && c.alg == "ES256") || (c.kid == "fuzz-ed" && c.alg == "EdDSA"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  const auto verification = crypto::verify_entry_token(token, fuzz_keys(), fuzz_policy(), kNow);
  if (const auto* claims = std::get_if<crypto::EntryClaims>(&verification)) {
    check_accepted(*claims, size);
  } else {
    require(!std::get<crypto::Denial>(verification).detail.empty());
  }
  return 0;
}
