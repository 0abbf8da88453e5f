#include "hw/line_names.hpp"

#include <array>
#include <charconv>
#include <utility>

namespace passgate::hw {
namespace {

constexpr std::array<std::pair<LineRole, std::string_view>, 8> kRoles{{
    {LineRole::beam_outer, "beam_outer"},
    {LineRole::beam_inner, "beam_inner"},
    {LineRole::passage, "passage"},
    {LineRole::release_in, "release_in"},
    {LineRole::release_out, "release_out"},
    {LineRole::led_green, "led_green"},
    {LineRole::led_red, "led_red"},
    {LineRole::buzzer, "buzzer"},
}};

}  // namespace

std::string_view to_string(LineRole role) {
  for (const auto& [r, name] : kRoles) {
    if (r == role) return name;
  }
  return "unknown";
}

bool is_input(LineRole role) {
  return role == LineRole::beam_outer || role == LineRole::beam_inner || role == LineRole::passage;
}

std::string line_name(int lane, LineRole role) {
  return "lane" + std::to_string(lane) + "." + std::string(to_string(role));
}

std::string entry_scanner_name(int lane) { return "lane" + std::to_string(lane) + ".entry"; }

std::optional<ParsedLineName> parse_line_name(std::string_view name) {
  if (name == kFireAlarm) return ParsedLineName{0, std::nullopt, std::string(kFireAlarm)};
  if (!name.starts_with("lane")) return std::nullopt;
  const auto dot = name.find('.');
  if (dot == std::string_view::npos || dot == 4) return std::nullopt;
  int lane = 0;
  const auto digits = name.substr(4, dot - 4);
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), lane);
  if (ec != std::errc{} || p != digits.data() + digits.size() || lane < 1 || digits[0] == '0') return std::nullopt;
  const auto role_name = name.substr(dot + 1);
  for (const auto& [r, rn] : kRoles) {
    if (rn == role_name) return ParsedLineName{lane, r, {}};
  }
  return std::nullopt;
}

}  // namespace passgate::hw
