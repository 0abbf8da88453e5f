#include "crypto/token_rules.hpp"

#include <algorithm>

namespace passgate::crypto::token_rules {

std::size_t count_characters(std::string_view utf8) {
  // Every code point has exactly one byte that is not a continuation byte (10xxxxxx).
  return static_cast<std::size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

bool is_valid_token_id(std::string_view jti) {
  if (jti.size() < kTokenIdMinChars || jti.size() > kTokenIdMaxChars) return false;
  return std::all_of(jti.begin(), jti.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
  });
}

}  // namespace passgate::crypto::token_rules
