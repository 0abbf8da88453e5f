// parse_strict_json: JSON parsing for outside input (entry tokens, key set files). Like
// nlohmann::json::parse, but a duplicate member name in any object, at any depth, is an
// error, and error messages give the position only, never the text around it (a token's
// claims hold payment references, which must not reach a log).
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace passgate::crypto {

// The parsed value, or an Error:
//   "invalid_json"      not JSON (message: "empty input", "unexpected end of input after
//                       byte N", "syntax error at line L, column C (byte N)" or "a number
//                       is out of range")
//   "duplicate_member"  an object repeats a member name (message quotes the name)
[[nodiscard]] Result<nlohmann::json> parse_strict_json(std::string_view text);

}  // namespace passgate::crypto
