// normalize_scan_text: what a scanner read, reduced to the code's content before it goes
// to the token verifier. Scanners may append CR and/or LF (any mix, any number) and may
// prefix an AIM symbology identifier: "]" + code letter + one modifier digit, e.g. "]Q1"
// for QR Code. Both are removed; anything else is left as it is (the verifier judges it).
// Only one leading identifier is removed, and only of that exact shape, so a token can
// never lose real characters (entry tokens are base64url and never start with "]").
#pragma once

#include <string>
#include <string_view>

namespace passgate::hw {

[[nodiscard]] std::string normalize_scan_text(std::string_view raw);

}  // namespace passgate::hw
