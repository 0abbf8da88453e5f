#include "drivers/http_retry_after.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace passgate::drivers {

namespace {

std::string_view trim(std::string_view text) {
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return text;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The value of a field of digits only (callers check the length, so no overflow).
int number(std::string_view digits) {
  int value = 0;
  for (const char c : digits) value = value * 10 + (c - '0');
  return value;
}

std::optional<std::chrono::seconds> parse_delta_seconds(std::string_view text) {
  if (!all_digits(text)) return std::nullopt;
  const std::string_view significant = text.substr(std::min(text.find_first_not_of('0'), text.size()));
  constexpr auto kMaxDigits = 6;  // 999999 s is far above kMaxRetryAfter
  if (significant.size() > kMaxDigits) return kMaxRetryAfter;
  return std::min<std::chrono::seconds>(std::chrono::seconds(number(significant)), kMaxRetryAfter);
}

// "Sun, 06 Nov 1994 08:49:37 GMT": fixed positions.
std::optional<WallTime> parse_imf_fixdate(std::string_view text) {
  static constexpr std::array<std::string_view, 7> kDays{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' || text[16] != ' ' ||
      text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  if (std::find(kDays.begin(), kDays.end(), text.substr(0, 3)) == kDays.end()) return std::nullopt;
  const auto month = std::find(kMonths.begin(), kMonths.end(), text.substr(8, 3));
  if (month == kMonths.end()) return std::nullopt;
  const std::array fields{text.substr(5, 2), text.substr(12, 4), text.substr(17, 2), text.substr(20, 2),
                          text.substr(23, 2)};
  if (!std::all_of(fields.begin(), fields.end(), all_digits)) return std::nullopt;
  const int hour = number(fields[2]);
  const int minute = number(fields[3]);
  const int second = number(fields[4]);
  const std::chrono::year_month_day date{std::chrono::year(number(fields[1])),
                                         std::chrono::month(static_cast<unsigned>(month - kMonths.begin() + 1)),
                                         std::chrono::day(static_cast<unsigned>(number(fields[0])))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  return std::chrono::sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
         std::chrono::seconds(second);
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, WallTime now) {
  const std::string_view text = trim(value);
  if (auto delay = parse_delta_seconds(text)) return std::chrono::milliseconds(*delay);
  const auto date = parse_imf_fixdate(text);
  if (!date) return std::nullopt;
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*date - now);
  return std::clamp<std::chrono::milliseconds>(wait, std::chrono::milliseconds(0), kMaxRetryAfterDate);
}

}  // namespace passgate::drivers
