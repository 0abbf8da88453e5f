#include "crypto/jws_compact.hpp"

#include <algorithm>
#include <array>

#include "crypto/base64url.hpp"
#include "crypto/token_rules.hpp"

namespace passgate::crypto {

Result<JwsCompact> split_jws_compact(std::string_view token) {
  if (token.size() > token_rules::kMaxTokenBytes) {
    return make_error("malformed", "token is " + std::to_string(token.size()) +
                                       " bytes; at most " +
                                       std::to_string(token_rules::kMaxTokenBytes) + " allowed");
  }
  const auto dots = std::count(token.begin(), token.end(), '.');
  if (dots != 2) {
    return make_error("malformed", "token has " + std::to_string(dots + 1) +
                                       " dot-separated segments; expected 3 "
                                       "(header.claims.signature)");
  }
  const std::size_t first_dot = token.find('.');
  const std::size_t second_dot = token.find('.', first_dot + 1);
  const std::array<std::string_view, 3> segments{
      token.substr(0, first_dot), token.substr(first_dot + 1, second_dot - first_dot - 1),
      token.substr(second_dot + 1)};
  static constexpr std::array<const char*, 3> kNames{"header", "claims", "signature"};

  std::array<std::string, 3> decoded;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    auto bytes = decode_base64url(segments[i]);
    if (!bytes) {
      return make_error("malformed", std::string(kNames[i]) + " segment: " + bytes.error().message);
    }
    decoded[i] = std::move(bytes).value();
  }
  return JwsCompact{token.substr(0, second_dot), std::move(decoded[0]), std::move(decoded[1]),
                    std::move(decoded[2])};
}

Result<std::string> make_jws_compact(JwsAlg alg, EVP_PKEY& private_key,
                                     std::string_view header_json, std::string_view claims_json) {
  std::string token = encode_base64url(header_json) + "." + encode_base64url(claims_json);
  const auto signature = sign_jws(alg, private_key, token);
  if (!signature) return signature.error();
  token += '.';
  token += encode_base64url(*signature);
  return token;
}

}  // namespace passgate::crypto
