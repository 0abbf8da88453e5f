// The fixed rules of the entry token format (docs/interfaces/entry-token.md): limits and value checks
// shared by the verifier and by the tools that mint tokens, so both agree on what a valid
// token is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace passgate::crypto::token_rules {

inline constexpr std::size_t kMaxTokenBytes = 1024;
inline constexpr std::string_view kType = "passgate-entry+jwt";  // header "typ", if present
inline constexpr std::int64_t kMaxLifetimeSeconds = 300;         // exp - iat
inline constexpr std::size_t kSubjectMinChars = 1, kSubjectMaxChars = 64;
inline constexpr std::size_t kTokenIdMinChars = 16, kTokenIdMaxChars = 64;
inline constexpr std::size_t kPaymentRefMinChars = 1, kPaymentRefMaxChars = 255;
inline constexpr int kGroupMin = 1, kGroupMax = 10, kGroupDefault = 1;

// Characters (Unicode code points) in valid UTF-8 text: the unit of the token's
// "1-64 characters" rules (docs/interfaces/entry-token.md#claims).
[[nodiscard]] std::size_t count_characters(std::string_view utf8);

// jti: 16-64 characters of [A-Za-z0-9_-].
[[nodiscard]] bool is_valid_token_id(std::string_view jti);

}  // namespace passgate::crypto::token_rules
