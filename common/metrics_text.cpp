#include "common/metrics_text.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace passgate::prometheus {

namespace {

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// 2^53: every integer up to here is exact in a double.
constexpr double kExactIntegers = 9007199254740992.0;

}  // namespace

bool valid_metric_name(std::string_view name) {
  if (name.empty() || is_digit(name.front())) return false;
  for (const char c : name) {
    if (!is_letter(c) && !is_digit(c) && c != '_' && c != ':') return false;
  }
  return true;
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || is_digit(name.front()) || name.starts_with("__") || name == "le") return false;
  for (const char c : name) {
    if (!is_letter(c) && !is_digit(c) && c != '_') return false;
  }
  return true;
}

std::string escape_help(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  std::array<char, 32> text{};
  std::to_chars_result written{};
  if (value == std::trunc(value) && std::fabs(value) <= kExactIntegers) {
    written = std::to_chars(text.data(), text.data() + text.size(), static_cast<long long>(value));
  } else {
    written = std::to_chars(text.data(), text.data() + text.size(), value, std::chars_format::general);
  }
  return std::string(text.data(), written.ptr);
}

void append_header(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += escape_help(help);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void append_sample(std::string& out, std::string_view name,
                   const std::vector<std::pair<std::string_view, std::string_view>>& labels, double value) {
  out += name;
  if (!labels.empty()) {
    out += '{';
    bool first = true;
    for (const auto& [label, label_value] : labels) {
      if (!first) out += ',';
      first = false;
      out += label;
      out += "=\"";
      out += escape_label_value(label_value);
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  out += format_value(value);
  out += '\n';
}

}  // namespace passgate::prometheus
