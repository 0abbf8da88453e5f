// TokenVerifier: checks an entry token (JWS compact, ES256 or EdDSA) against the issuer's
// key set and the gate's policy, in the exact order of docs/interfaces/entry-token.md#order-of-checks, returning the
// claims or the first denial reason. Pure and offline: never touches the network or the
// database; single-use (replay) is checked by the caller against the used-token store.
#pragma once

#include <memory>
#include <string_view>
#include <variant>

#include "common/denial_reason.hpp"
#include "crypto/entry_token.hpp"
#include "crypto/key_set.hpp"

namespace passgate::crypto {

struct Denial {
  DenialReason reason;
  std::string detail;  // for logs; never contains payment references or the signature
};

using Verification = std::variant<EntryClaims, Denial>;

// Verifies `token` (already stripped of scanner suffixes) at Unix time `now_s`.
// Checks 1-7 of that order; check 8 (replayed) is the caller's.
[[nodiscard]] Verification verify_entry_token(std::string_view token, const KeySet& keys,
                                              const VerifyPolicy& policy, std::int64_t now_s);

}  // namespace passgate::crypto
