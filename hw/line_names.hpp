// Names of the gate's logical lines and scanners: "<lane>.<role>" (lane1.beam_outer)
// plus global lines (fire_alarm), shared by the sim backend, libgpiod config and tests.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace passgate::hw {

inline constexpr std::string_view kFireAlarm = "fire_alarm";

enum class LineRole { beam_outer, beam_inner, passage, release_in, release_out, led_green, led_red, buzzer };
// Every role, in declaration order: every lane (entry or exit) has all of them.
inline constexpr std::array<LineRole, 8> kLineRoles{
    LineRole::beam_outer, LineRole::beam_inner, LineRole::passage, LineRole::release_in,
    LineRole::release_out, LineRole::led_green, LineRole::led_red, LineRole::buzzer};

[[nodiscard]] std::string_view to_string(LineRole role);
[[nodiscard]] bool is_input(LineRole role);
// "lane<lane>.<role>"
[[nodiscard]] std::string line_name(int lane, LineRole role);
// The entry scanner of a lane: "lane<lane>.entry".
[[nodiscard]] std::string entry_scanner_name(int lane);

struct ParsedLineName {
  int lane = 0;         // 0 for global lines
  std::optional<LineRole> role;  // empty for global lines
  std::string global;   // "fire_alarm" for global lines
};
// Parses a line name; empty if it is not a valid lane or global line name.
[[nodiscard]] std::optional<ParsedLineName> parse_line_name(std::string_view name);

}  // namespace passgate::hw
