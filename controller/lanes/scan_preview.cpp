#include "controller/lanes/scan_preview.hpp"

#include <algorithm>
#include <cstdio>

#include "hw/scan_text.hpp"

namespace passgate::controller {
namespace {

bool is_base64url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace

bool looks_like_token(std::string_view raw) {
  const std::string text = hw::normalize_scan_text(raw);
  if (std::count(text.begin(), text.end(), '.') != 2) return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return c == '.' || is_base64url(c); });
}

std::string scan_preview(std::string_view text) {
  if (looks_like_token(text)) return "entry token (" + std::to_string(text.size()) + " characters)";
  std::string out;
  for (const char c : text.substr(0, kMaxPreview)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) {
      out += c;
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    }
  }
  if (text.size() > kMaxPreview) out += "...";
  return out;
}

}  // namespace passgate::controller
