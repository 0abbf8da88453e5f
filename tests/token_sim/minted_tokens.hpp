// Shared by the tests of the simulated issuer (tools/sim/token/minter, `passgate-sim
// token`): a policy and token spec that fit each other, and verification of minted tokens
// against a key set.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/key_set.hpp"
#include "tests/crypto/verification_outcome.hpp"
#include "tools/sim/token/minter.hpp"

namespace passgate::test {

inline constexpr std::int64_t kMintedAt = 1795000000;
inline constexpr std::string_view kMintIssuer = "https://app.example-retail.com";
inline constexpr std::string_view kMintStore = "store-0042";

// Issuer kMintIssuer, audience kMintStore, skew 5 s, freshness 90 s (the defaults).
inline crypto::VerifyPolicy mint_policy() {
  return crypto::VerifyPolicy{std::string(kMintIssuer), std::string(kMintStore)};
}

// A spec for kMintedAt that mint_policy() accepts.
inline sim::TokenSpec mint_spec(sim::TokenFlaw flaw = sim::TokenFlaw::none) {
  sim::TokenSpec spec;
  spec.issuer = kMintIssuer;
  spec.audience = kMintStore;
  spec.now = kMintedAt;
  spec.flaw = flaw;
  return spec;
}

// `token` checked against `keys` at kMintedAt with mint_policy().
inline crypto::Verification verify_minted(std::string_view token, const crypto::KeySet& keys) {
  return crypto::verify_entry_token(token, keys, mint_policy(), kMintedAt);
}

}  // namespace passgate::test
