#include "crypto/entry_claims_reader.hpp"

#include <cstdint>
#include <limits>

#include "crypto/strict_json.hpp"
#include "crypto/token_rules.hpp"

namespace passgate::crypto {
namespace {

using nlohmann::json;
namespace rules = token_rules;

Error bad(std::string_view label, std::string_view problem) {
  return make_error("bad_claims", "claim \"" + std::string(label) + "\" " + std::string(problem));
}

Result<const json*> member(const json& object, const char* name, std::string_view label) {
  const auto it = object.find(name);
  if (it == object.end()) return bad(label, "is missing");
  return &*it;
}

Error wrong_type(std::string_view label, const json& value, std::string_view expected) {
  const std::string got = value.is_number_float() ? "a number with a fraction or exponent"
                                                  : "a JSON " + std::string(value.type_name());
  return bad(label, "is " + got + "; expected " + std::string(expected));
}

struct CharRange {
  std::size_t min;
  std::size_t max;
};

Result<std::string> string_claim(const json& object, const char* name, std::string_view label,
                                 std::optional<CharRange> range = std::nullopt) {
  const auto value = member(object, name, label);
  if (!value) return value.error();
  if (!(*value)->is_string()) return wrong_type(label, **value, "a string");
  const auto& text = (*value)->get_ref<const std::string&>();
  if (range) {
    const std::size_t chars = rules::count_characters(text);
    if (chars < range->min || chars > range->max) {
      return bad(label, "has " + std::to_string(chars) + " characters; expected " +
                            std::to_string(range->min) + "-" + std::to_string(range->max));
    }
  }
  return text;
}

Result<std::int64_t> integer_value(const json& value, std::string_view label) {
  if (!value.is_number_integer()) return wrong_type(label, value, "an integer");
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return bad(label, "is out of the 64-bit integer range");
    }
    return static_cast<std::int64_t>(u);
  }
  return value.get<std::int64_t>();
}

Result<std::int64_t> integer_claim(const json& object, const char* name) {
  const auto value = member(object, name, name);
  if (!value) return value.error();
  return integer_value(**value, name);
}

Status read_times(const json& claims, EntryClaims& out) {
  const auto iat = integer_claim(claims, "iat");
  if (!iat) return iat.error();
  const auto exp = integer_claim(claims, "exp");
  if (!exp) return exp.error();
  if (*exp <= *iat) {
    return bad("exp", "(" + std::to_string(*exp) + ") is not after \"iat\" (" +
                          std::to_string(*iat) + ")");
  }
  // exp > iat, so the difference is positive and exact in unsigned arithmetic.
  const std::uint64_t lifetime = static_cast<std::uint64_t>(*exp) - static_cast<std::uint64_t>(*iat);
  if (lifetime > static_cast<std::uint64_t>(rules::kMaxLifetimeSeconds)) {
    return bad("exp", "is " + std::to_string(lifetime) + " s after \"iat\"; at most " +
                          std::to_string(rules::kMaxLifetimeSeconds) + " s allowed");
  }
  out.issued_at = *iat;
  out.expires_at = *exp;
  return {};
}

Status read_token_id(const json& claims, EntryClaims& out) {
  auto jti = string_claim(claims, "jti", "jti");
  if (!jti) return jti.error();
  const std::size_t chars = rules::count_characters(*jti);
  if (chars < rules::kTokenIdMinChars || chars > rules::kTokenIdMaxChars) {
    return bad("jti", "has " + std::to_string(chars) + " characters; expected " +
                          std::to_string(rules::kTokenIdMinChars) + "-" +
                          std::to_string(rules::kTokenIdMaxChars) + " of [A-Za-z0-9_-]");
  }
  if (!rules::is_valid_token_id(*jti)) return bad("jti", "has a character outside [A-Za-z0-9_-]");
  out.token_id = std::move(jti).value();
  return {};
}

Status read_payment(const json& claims, EntryClaims& out) {
  const auto pay = member(claims, "pay", "pay");
  if (!pay) return pay.error();
  if (!(*pay)->is_object()) {
    return wrong_type("pay", **pay, "an object {\"customer\": ..., \"payment_method\": ...}");
  }
  constexpr CharRange kRefChars{rules::kPaymentRefMinChars, rules::kPaymentRefMaxChars};
  auto customer = string_claim(**pay, "customer", "pay.customer", kRefChars);
  if (!customer) return customer.error();
  auto method = string_claim(**pay, "payment_method", "pay.payment_method", kRefChars);
  if (!method) return method.error();
  out.pay = PaymentReference{std::move(customer).value(), std::move(method).value()};
  return {};
}

Status read_group(const json& claims, EntryClaims& out) {
  const auto it = claims.find("grp");
  if (it == claims.end()) {
    out.group = rules::kGroupDefault;
    return {};
  }
  const auto group = integer_value(*it, "grp");
  if (!group) return group.error();
  if (*group < rules::kGroupMin || *group > rules::kGroupMax) {
    return bad("grp", "is " + std::to_string(*group) + "; expected " +
                          std::to_string(rules::kGroupMin) + "-" + std::to_string(rules::kGroupMax));
  }
  out.group = static_cast<int>(*group);
  return {};
}

}  // namespace

Result<EntryClaims> read_entry_claims(std::string_view claims_json) {
  const auto claims = parse_strict_json(claims_json);
  if (!claims) return make_error("bad_claims", "claims: " + claims.error().message);
  if (!claims->is_object()) {
    return make_error("bad_claims", "claims are a JSON " + std::string(claims->type_name()) +
                                        "; expected an object");
  }
  EntryClaims out;
  auto iss = string_claim(*claims, "iss", "iss");
  if (!iss) return iss.error();
  out.issuer = std::move(iss).value();
  auto aud = string_claim(*claims, "aud", "aud");
  if (!aud) return aud.error();
  out.audience = std::move(aud).value();
  auto sub = string_claim(*claims, "sub", "sub",
                          CharRange{rules::kSubjectMinChars, rules::kSubjectMaxChars});
  if (!sub) return sub.error();
  out.subject = std::move(sub).value();
  for (auto* read : {&read_times, &read_token_id, &read_payment, &read_group}) {
    if (auto ok = read(*claims, out); !ok) return ok.error();
  }
  return out;
}

}  // namespace passgate::crypto
