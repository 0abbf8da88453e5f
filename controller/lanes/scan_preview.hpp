// scan_preview: what an installer may see of a scanner's read (passgatectl hw scanners
// --watch). An entry token is a bearer credential and is never shown: it appears as
// "entry token (N characters)". Anything else (a test barcode) is shown as printable
// ASCII, other bytes as \xNN, at most kMaxPreview characters, then "...".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace passgate::controller {

inline constexpr std::size_t kMaxPreview = 64;

// True for text shaped like a compact JWS (three base64url parts joined by dots), after an
// optional AIM identifier and CR/LF suffix, as entry tokens are.
[[nodiscard]] bool looks_like_token(std::string_view text);
[[nodiscard]] std::string scan_preview(std::string_view text);

}  // namespace passgate::controller
