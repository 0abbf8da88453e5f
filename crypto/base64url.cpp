#include "crypto/base64url.hpp"

#include <array>
#include <cstdint>
#include <cstdio>

namespace passgate::crypto {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Character -> 6-bit value, or -1 for a character outside the alphabet.
constexpr std::array<std::int8_t, 256> kValues = [] {
  std::array<std::int8_t, 256> values{};
  values.fill(-1);
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    values[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  }
  return values;
}();

Error bad_character(unsigned char c, std::size_t position) {
  const std::string where = " at position " + std::to_string(position);
  if (c == '=') {
    return make_error("invalid_base64url",
                      "padding '='" + where + " is not allowed: base64url here is unpadded");
  }
  std::array<char, 8> hex{};
  std::snprintf(hex.data(), hex.size(), "0x%02X", c);
  if (c >= 0x80) {
    return make_error("invalid_base64url",
                      std::string("non-ASCII byte ") + hex.data() + where +
                          ": expected only base64url characters [A-Za-z0-9_-]");
  }
  const std::string shown = (c > 0x20 && c < 0x7F) ? "'" + std::string(1, static_cast<char>(c)) + "'"
                                                   : std::string("byte ") + hex.data();
  return make_error("invalid_base64url",
                    "character " + shown + where +
                        " is not in the base64url alphabet [A-Za-z0-9_-]");
}

}  // namespace

std::string encode_base64url(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : bytes) {
    acc = (acc << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 0x3F];
    }
    acc &= (1U << bits) - 1;
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 0x3F];
  return out;
}

Result<std::string> decode_base64url(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const int value = kValues[c];
    if (value < 0) return bad_character(c, i);
    acc = (acc << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
    acc &= (1U << bits) - 1;
  }
  if (text.size() % 4 == 1) {
    return make_error("invalid_base64url",
                      "length " + std::to_string(text.size()) +
                          " is impossible for base64url (one character too many or too few)");
  }
  if (acc != 0) {
    return make_error("invalid_base64url",
                      "the last character has non-zero unused bits (non-canonical encoding)");
  }
  return out;
}

}  // namespace passgate::crypto
