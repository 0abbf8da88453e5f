// JWS compact serialization (RFC 7515 §7.1): splits `header.claims.signature` into its
// decoded parts for the verifier, checking only the shape (check 1 of
// docs/interfaces/entry-token.md#order-of-checks except the header's content: size, three segments, strict unpadded base64url, ASCII
// only); and joins signed parts for the issuer simulators and tests.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "crypto/jws_signature.hpp"

namespace passgate::crypto {

struct JwsCompact {
  std::string_view signing_input;  // "header.claims" as received (a view into the token)
  std::string header;              // decoded bytes
  std::string claims;              // decoded bytes; not trusted before the signature is
  std::string signature;           // decoded bytes
};

// Error code "malformed"; the message says which segment and what is wrong, and never
// quotes the token.
[[nodiscard]] Result<JwsCompact> split_jws_compact(std::string_view token);

// BASE64URL(header_json) "." BASE64URL(claims_json) "." BASE64URL(signature), signed by
// `private_key` with `alg`. Errors as sign_jws. No check of the JSON: tests sign bad tokens.
[[nodiscard]] Result<std::string> make_jws_compact(JwsAlg alg, EVP_PKEY& private_key,
                                                   std::string_view header_json,
                                                   std::string_view claims_json);

}  // namespace passgate::crypto
