#include "common/currency.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace passgate {

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
  const char* sign = minor < 0 ? "-" : "";
  const std::string whole = std::to_string(minor < 0 ? -minor : minor);
  std::string out(sign);
  if (digits <= 0) return out.append(whole).append(" ").append(code);
  // Built by appending: GCC 12 -O2 sees a false overflow in string::insert here.
  const auto width = static_cast<std::size_t>(digits);
  const std::string padded = whole.size() <= width ? std::string(width + 1 - whole.size(), '0').append(whole) : whole;
  const auto point = padded.size() - width;
  return out.append(padded, 0, point).append(".").append(padded, point).append(" ").append(code);
}

}  // namespace passgate
