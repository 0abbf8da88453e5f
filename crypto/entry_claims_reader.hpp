// read_entry_claims: the claims of an entry token (check 5 of docs/interfaces/entry-token.md#order-of-checks): a JSON
// object without duplicate members, every known claim present with its exact type and in
// its range; unknown members are ignored. Call it only on claims whose signature has been
// verified. Policy checks (issuer, audience, times) are the verifier's.
#pragma once

#include <string_view>

#include "common/result.hpp"
#include "crypto/entry_token.hpp"

namespace passgate::crypto {

// The claims (kid and alg left empty), or an Error with code "bad_claims" whose message
// names the claim and what is wrong, never its value when that is a payment reference.
[[nodiscard]] Result<EntryClaims> read_entry_claims(std::string_view claims_json);

}  // namespace passgate::crypto
