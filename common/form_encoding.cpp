#include "common/form_encoding.hpp"

#include <algorithm>
#include <optional>

namespace passgate {

namespace {

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

std::optional<int> hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

// Decodes one name or value that starts at `offset` of the whole body (for messages).
Result<std::string> decode_part(std::string_view part, std::size_t offset) {
  std::string out;
  out.reserve(part.size());
  for (std::size_t i = 0; i < part.size(); ++i) {
    const char c = part[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      const auto high = i + 2 < part.size() ? hex_value(part[i + 1]) : std::nullopt;
      const auto low = i + 2 < part.size() ? hex_value(part[i + 2]) : std::nullopt;
      if (!high || !low)
        return make_error("bad_form", "malformed percent escape at offset " + std::to_string(offset + i) +
                                          ", expected '%' followed by two hex digits");
      out.push_back(static_cast<char>(*high * 16 + *low));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (unreserved(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
  return out;
}

std::string form_encode(const FormFields& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out.push_back('&');
    out += percent_encode(name);
    out.push_back('=');
    out += percent_encode(value);
  }
  return out;
}

Result<FormFields> form_decode(std::string_view body) {
  FormFields fields;
  std::size_t start = 0;
  while (start < body.size()) {
    const std::size_t end = std::min(body.find('&', start), body.size());
    const std::string_view part = body.substr(start, end - start);
    if (!part.empty()) {
      const std::size_t eq = part.find('=');
      if (eq == std::string_view::npos)
        return make_error("bad_form", "part at offset " + std::to_string(start) + " has no '=', expected name=value");
      auto name = decode_part(part.substr(0, eq), start);
      if (!name) return name.error();
      auto value = decode_part(part.substr(eq + 1), start + eq + 1);
      if (!value) return value.error();
      fields.emplace_back(std::move(*name), std::move(*value));
    }
    start = end + 1;
  }
  return fields;
}

}  // namespace passgate
