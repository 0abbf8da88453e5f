#include "crypto/token_verifier.hpp"

#include <array>
#include <limits>
#include <optional>

#include "crypto/entry_claims_reader.hpp"
#include "crypto/jws_compact.hpp"
#include "crypto/jws_signature.hpp"
#include "crypto/log_text.hpp"
#include "crypto/strict_json.hpp"
#include "crypto/token_rules.hpp"

namespace passgate::crypto {
namespace {

using nlohmann::json;

// Header members that would let a token choose its own key (RFC 7515 §4.1) or demand
// extensions; keys come only from the gate's own key set.
constexpr std::array<const char*, 5> kForbiddenHeaderMembers{"crit", "jku", "jwk", "x5u", "x5c"};

Denial deny(DenialReason reason, std::string detail) { return Denial{reason, std::move(detail)}; }

// Times come from outside: compare without overflowing.
std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
}
std::int64_t saturating_sub(std::int64_t a, std::int64_t b) {
  std::int64_t difference = 0;
  if (!__builtin_sub_overflow(a, b, &difference)) return difference;
  return b < 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
}

// Step 1 for the header's content: what is wrong with it, if anything.
std::optional<std::string> header_problem(const json& header) {
  if (!header.is_object()) {
    return "header is a JSON " + std::string(header.type_name()) + "; expected an object";
  }
  for (const char* name : kForbiddenHeaderMembers) {
    if (header.contains(name)) {
      return "header has the forbidden member \"" + std::string(name) +
             "\": keys come only from the gate's key set";
    }
  }
  const auto typ = header.find("typ");
  if (typ != header.end() &&
      !(typ->is_string() && typ->get_ref<const std::string&>() == token_rules::kType)) {
    const std::string got = typ->is_string() ? quote_for_log(typ->get_ref<const std::string&>())
                                             : "a JSON " + std::string(typ->type_name());
    return "header typ is " + got + "; expected \"" + std::string(token_rules::kType) +
           "\" or no typ";
  }
  return std::nullopt;
}

// Step 7, after issuer and audience.
std::optional<Denial> time_denial(const EntryClaims& claims, const VerifyPolicy& policy,
                                  std::int64_t now) {
  const std::int64_t skew = policy.clock_skew.count();
  const std::string clocks = " (now " + std::to_string(now) + ", clock skew allowance " +
                             std::to_string(skew) + " s)";
  if (now > saturating_add(claims.expires_at, skew)) {
    return deny(DenialReason::expired,
                "token expired at " + std::to_string(claims.expires_at) + clocks);
  }
  if (claims.issued_at > saturating_add(now, skew)) {
    return deny(DenialReason::not_yet_valid,
                "token issued at " + std::to_string(claims.issued_at) +
                    ", in the future" + clocks + ": check the gate's and the issuer's clocks");
  }
  const std::int64_t age = saturating_sub(now, claims.issued_at);
  if (age > policy.freshness.count()) {
    return deny(DenialReason::stale, "token issued " + std::to_string(age) + " s ago; at most " +
                                         std::to_string(policy.freshness.count()) +
                                         " s allowed (freshness window)");
  }
  return std::nullopt;
}

}  // namespace

Verification verify_entry_token(std::string_view token, const KeySet& keys,
                                const VerifyPolicy& policy, std::int64_t now_s) {
  // 1. malformed
  const auto jws = split_jws_compact(token);
  if (!jws) return deny(DenialReason::malformed, jws.error().message);
  const auto header = parse_strict_json(jws->header);
  if (!header) return deny(DenialReason::malformed, "header: " + header.error().message);
  if (auto problem = header_problem(*header)) {
    return deny(DenialReason::malformed, std::move(*problem));
  }

  // 2. unsupported_alg
  const auto alg_member = header->find("alg");
  if (alg_member == header->end()) {
    return deny(DenialReason::unsupported_alg, "header has no alg; expected \"ES256\" or \"EdDSA\"");
  }
  const auto alg = alg_member->is_string()
                       ? jws_alg_from_name(alg_member->get_ref<const std::string&>())
                       : std::nullopt;
  if (!alg) {
    const std::string got = alg_member->is_string()
                                ? quote_for_log(alg_member->get_ref<const std::string&>())
                                : "a JSON " + std::string(alg_member->type_name());
    return deny(DenialReason::unsupported_alg,
                "alg " + got + " is not accepted; expected \"ES256\" or \"EdDSA\"");
  }

  // 3. unknown_key. The issuer's contract lists kid as required without naming a reason for its absence:
  // a missing or non-string kid selects no key, so it is unknown_key like an unknown kid
  // (the operator's fix is the same: check the issuer's kid against the key set).
  const auto kid_member = header->find("kid");
  if (kid_member == header->end() || !kid_member->is_string()) {
    return deny(DenialReason::unknown_key, "header has no string kid, so no key is selected");
  }
  const auto& kid = kid_member->get_ref<const std::string&>();
  const KeySet::Key* key = keys.find(kid);
  if (key == nullptr) {
    return deny(DenialReason::unknown_key, "no key with kid " + quote_for_log(kid) + " in the key set");
  }
  if (key->type != key_type_for(*alg)) {
    return deny(DenialReason::unknown_key,
                "key " + quote_for_log(kid) + " is " +
                    (key->type == KeyType::ec_p256 ? "a P-256 key" : "an Ed25519 key") +
                    " and cannot verify " + std::string(jws_alg_name(*alg)));
  }

  // 4. bad_signature: before anything in the claims is read.
  if (!verify_jws_signature(*alg, *key->pkey, jws->signing_input, jws->signature)) {
    std::string detail = std::string(jws_alg_name(*alg)) + " signature does not verify with key " +
                         quote_for_log(kid);
    if (jws->signature.size() != kJwsSignatureBytes) {
      detail += ": it is " + std::to_string(jws->signature.size()) + " bytes, expected " +
                std::to_string(kJwsSignatureBytes) + " (raw R||S, not DER)";
    }
    return deny(DenialReason::bad_signature, std::move(detail));
  }

  // 5. bad_claims
  auto claims = read_entry_claims(jws->claims);
  if (!claims) return deny(DenialReason::bad_claims, claims.error().message);
  claims->kid = kid;
  claims->alg = jws_alg_name(*alg);

  // 6. wrong_issuer, wrong_audience
  if (claims->issuer != policy.issuer) {
    return deny(DenialReason::wrong_issuer, "iss " + quote_for_log(claims->issuer) +
                                                " is not the configured issuer " +
                                                quote_for_log(policy.issuer));
  }
  if (claims->audience != policy.audience) {
    return deny(DenialReason::wrong_audience, "aud " + quote_for_log(claims->audience) +
                                                  " is not this store " +
                                                  quote_for_log(policy.audience));
  }

  // 7. expired, not_yet_valid, stale
  if (auto denial = time_denial(*claims, policy, now_s)) return std::move(*denial);
  return std::move(claims).value();
}

}  // namespace passgate::crypto
