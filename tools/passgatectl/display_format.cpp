#include "tools/passgatectl/display_format.hpp"

#include <algorithm>
#include <chrono>
#include <string>

#include "common/time_format.hpp"
#include "common/currency.hpp"

namespace passgate::ctl {

namespace {

// `n` with at least two digits: "05".
std::string two_digits(std::int64_t n) { return (n < 10 ? "0" : "") + std::to_string(n); }

}  // namespace

std::string format_money(std::int64_t minor, std::string_view currency) {
  return passgate::format_amount(minor, currency);
}

std::string format_amounts(const nlohmann::json& minor_by_currency) {
  std::string out;
  for (const auto& [currency, minor] : minor_by_currency.items())
    out += (out.empty() ? "" : ", ") + format_money(minor.get<std::int64_t>(), currency);
  return out.empty() ? "none" : out;
}

std::int64_t unix_now_ms() { return unix_millis(std::chrono::system_clock::now()); }

std::string format_time(std::int64_t unix_ms) {
  return format_rfc3339_ms(WallTime{std::chrono::milliseconds{unix_ms}});
}

std::string format_age(std::int64_t age_ms) {
  const std::int64_t s = std::max<std::int64_t>(age_ms, 0) / 1000;
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m " + two_digits(s % 60) + "s";
  if (s < 86400) return std::to_string(s / 3600) + "h " + two_digits(s % 3600 / 60) + "m";
  return std::to_string(s / 86400) + "d " + two_digits(s % 86400 / 3600) + "h";
}

std::string format_age_s(const nlohmann::json& age_s) {
  return format_age(age_s.is_number() ? age_s.get<std::int64_t>() * 1000 : 0);
}

std::string fire_alarm_cause(const nlohmann::json& reply) {
  const auto cause = reply.find("fire_alarm_cause");
  if (cause == reply.end() || !cause->is_object()) return "";
  const auto text = cause->find("text");
  return text != cause->end() && text->is_string() && !text->get<std::string>().empty() ? ": " + text->get<std::string>()
                                                                                         : "";
}

void print_table(const TableRows& rows, std::ostream& out) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out << line << '\n';
  }
}

}  // namespace passgate::ctl
