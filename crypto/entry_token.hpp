// Verified entry token claims (docs/interfaces/entry-token.md#claims) and the verification settings.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace passgate::crypto {

struct PaymentReference {
  std::string customer;        // secret-ish: never logged
  std::string payment_method;  // secret-ish: never logged
};

struct EntryClaims {
  std::string issuer;
  std::string audience;
  std::string subject;     // shopper account id
  std::int64_t issued_at = 0;
  std::int64_t expires_at = 0;
  std::string token_id;    // jti
  PaymentReference pay;
  int group = 1;           // grp, 1-10 (not yet capped by the lane's limit)
  std::string kid;         // key that signed it
  std::string alg;         // "ES256" or "EdDSA"
};

struct VerifyPolicy {
  std::string issuer;                 // expected iss
  std::string audience;               // expected aud: the gate's store id
  std::chrono::seconds clock_skew{5};
  std::chrono::seconds freshness{90};
};

}  // namespace passgate::crypto
