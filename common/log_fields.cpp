#include "common/log_fields.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace passgate {

namespace {

bool is_key_char(char c) {
  return std::islower(static_cast<unsigned char>(c)) != 0 || std::isdigit(static_cast<unsigned char>(c)) != 0 ||
         c == '_';
}

// The quoted value starting at line[at] == '"', unescaped; `at` ends past the closing quote
// (or at the end of an unterminated one).
std::string read_quoted(std::string_view line, std::size_t& at) {
  std::string out;
  ++at;
  while (at < line.size() && line[at] != '"') {
    const char c = line[at++];
    if (c != '\\' || at >= line.size()) {
      out.push_back(c);
      continue;
    }
    const char e = line[at++];
    switch (e) {
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'x': {
        unsigned value = 0;
        const auto hex = line.substr(at, 2);
        const auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), value, 16);
        if (ec == std::errc() && end == hex.data() + hex.size() && hex.size() == 2) {
          out.push_back(static_cast<char>(value));
          at += 2;
        } else {
          out.append("\\x");
        }
        break;
      }
      default: out.push_back(e);  // \" and \\ (and anything else, taken literally)
    }
  }
  if (at < line.size()) ++at;  // the closing quote
  return out;
}

}  // namespace

std::vector<LogField> parse_log_fields(std::string_view line) {
  std::vector<LogField> fields;
  std::size_t at = 0;
  while (at < line.size()) {
    if (line[at] == ' ') {
      ++at;
      continue;
    }
    std::size_t key_end = at;
    while (key_end < line.size() && is_key_char(line[key_end])) ++key_end;
    if (key_end == at || key_end >= line.size() || line[key_end] != '=') {
      at = line.find(' ', at);  // not a key=value word
      if (at == std::string_view::npos) break;
      continue;
    }
    LogField field{std::string(line.substr(at, key_end - at)), {}};
    at = key_end + 1;
    if (at < line.size() && line[at] == '"') {
      field.value = read_quoted(line, at);
    } else {
      const std::size_t end = std::min(line.find(' ', at), line.size());
      field.value = std::string(line.substr(at, end - at));
      at = end;
    }
    fields.push_back(std::move(field));
  }
  return fields;
}

}  // namespace passgate
