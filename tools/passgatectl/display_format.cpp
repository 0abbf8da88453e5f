#include "tools/passgatectl/display_format.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <string>

#include "common/time_format.hpp"

namespace passgate::ctl {

namespace {

// ISO 4217 currencies whose minor unit is not the usual hundredth.
constexpr std::array<std::string_view, 17> kNoMinorUnit = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY",
                                                           "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
                                                           "VND", "VUV", "XAF", "XOF", "XPF"};
constexpr std::array<std::string_view, 7> kThousandths = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};

int minor_unit_digits(std::string_view code) {
  const auto listed = [code](const auto& list) { return std::find(list.begin(), list.end(), code) != list.end(); };
  if (listed(kNoMinorUnit)) return 0;
  if (listed(kThousandths)) return 3;
  return 2;
}

// `n` with at least two digits: "05".
std::string two_digits(std::int64_t n) { return (n < 10 ? "0" : "") + std::to_string(n); }

}  // namespace

std::string currency_code(std::string_view currency) {
  std::string code(currency);
  std::transform(code.begin(), code.end(), code.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return code;
}

std::string format_amount(std::int64_t minor, std::string_view currency) {
  const std::string code = currency_code(currency);
  const int digits = minor_unit_digits(code);
  const std::string sign = minor < 0 ? "-" : "";
  std::string magnitude = std::to_string(minor < 0 ? -minor : minor);
  if (digits > 0) {
    const auto width = static_cast<std::size_t>(digits);
    if (magnitude.size() <= width) magnitude.insert(0, width + 1 - magnitude.size(), '0');
    magnitude.insert(magnitude.size() - width, ".");
  }
  return sign + magnitude + " " + code;
}

std::map<std::string, std::int64_t> by_currency_code(const std::map<std::string, std::int64_t>& amounts) {
  std::map<std::string, std::int64_t> out;
  for (const auto& [currency, minor] : amounts) out[currency_code(currency)] += minor;
  return out;
}

std::string format_amounts(const std::map<std::string, std::int64_t>& by_currency) {
  std::string out;
  for (const auto& [currency, minor] : by_currency_code(by_currency))
    out += (out.empty() ? "" : ", ") + format_amount(minor, currency);
  return out.empty() ? "none" : out;
}

std::string format_time(std::int64_t unix_ms) {
  return format_rfc3339_ms(WallTime{std::chrono::milliseconds{unix_ms}});
}

std::int64_t age_seconds(std::int64_t since_ms, std::int64_t now_ms) {
  return std::max<std::int64_t>(now_ms - since_ms, 0) / 1000;
}

std::string format_age(std::int64_t age_ms) {
  const std::int64_t s = std::max<std::int64_t>(age_ms, 0) / 1000;
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m " + two_digits(s % 60) + "s";
  if (s < 86400) return std::to_string(s / 3600) + "h " + two_digits(s % 3600 / 60) + "m";
  return std::to_string(s / 86400) + "d " + two_digits(s % 86400 / 3600) + "h";
}

}  // namespace passgate::ctl
