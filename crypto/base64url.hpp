// Base64url (RFC 4648 §5) without padding, as JWS (RFC 7515) uses it. Decoding is strict:
// only the alphabet [A-Za-z0-9_-], no '=' padding, no whitespace, and the unused low bits
// of the last character must be zero, so every byte string has exactly one accepted text.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace passgate::crypto {

// Bytes are carried in std::string / std::string_view throughout crypto/.
[[nodiscard]] std::string encode_base64url(std::string_view bytes);

// The bytes `text` encodes, or an Error with code "invalid_base64url" whose message names
// the first offending position (0-based) and what is wrong there. Never quotes more than
// one byte of `text`.
[[nodiscard]] Result<std::string> decode_base64url(std::string_view text);

}  // namespace passgate::crypto
