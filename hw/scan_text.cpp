#include "hw/scan_text.hpp"

namespace passgate::hw {
namespace {

bool is_ascii_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

bool starts_with_aim_identifier(std::string_view s) {
  return s.size() >= 3 && s[0] == ']' && is_ascii_letter(s[1]) && is_ascii_digit(s[2]);
}

}  // namespace

std::string normalize_scan_text(std::string_view raw) {
  while (!raw.empty() && (raw.back() == '\r' || raw.back() == '\n')) raw.remove_suffix(1);
  if (starts_with_aim_identifier(raw)) raw.remove_prefix(3);
  return std::string(raw);
}

}  // namespace passgate::hw
