// [io.gpiod]: how each logical line is wired to a GPIO chip (by offset or line name), its
// polarity, pull and safe level, and the checks that the wiring is complete (every lane's
// required lines and the fire alarm), unambiguous, and that the fire alarm's normally-closed
// loop reads a broken wire as an alarm.
#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <tuple>

#include "controller/config/sections.hpp"
#include "controller/config/suggest.hpp"
#include "hw/line_names.hpp"

namespace passgate::controller {
namespace {

using hw::LineRole;

constexpr std::array<Choice<LineBias>, 4> kBiases{{{"as-is", LineBias::as_is},
                                                    {"pull-up", LineBias::pull_up},
                                                    {"pull-down", LineBias::pull_down},
                                                    {"disable", LineBias::disabled}}};
// An output's safe level, as safe_active.
constexpr std::array<Choice<bool>, 2> kSafeLevels{{{"inactive", false}, {"active", true}}};

// Every lane, entry or exit, needs these; `passage` is optional.
constexpr std::array<LineRole, 7> kRequiredRoles{LineRole::beam_outer, LineRole::beam_inner, LineRole::release_in,
                                                 LineRole::release_out, LineRole::led_green, LineRole::led_red,
                                                 LineRole::buzzer};
constexpr LineRole kOptionalRole = LineRole::passage;

std::string role_list(std::string_view last_separator) {
  std::string out;
  for (std::size_t i = 0; i < kRequiredRoles.size(); ++i) {
    if (i > 0) out += i + 1 == kRequiredRoles.size() ? last_separator : ", ";
    out += hw::to_string(kRequiredRoles[i]);
  }
  return out;
}

// Every valid line name for the configured lanes, for typo suggestions.
std::vector<std::string> known_line_names(const std::vector<LaneConfig>& lanes) {
  std::vector<std::string> names{std::string(hw::kFireAlarm)};
  for (const auto& lane : lanes) {
    for (const LineRole role : kRequiredRoles) names.push_back(hw::line_name(lane.number, role));
    names.push_back(hw::line_name(lane.number, kOptionalRole));
  }
  return names;
}

// "gpiochip0" and "/dev/gpiochip0" are the same chip.
std::string chip_identity(std::string_view chip) {
  constexpr std::string_view kDev = "/dev/";
  return std::string(chip.starts_with(kDev) ? chip.substr(kDev.size()) : chip);
}

// Whether `name` is a well-formed line name of a configured lane (or the fire alarm);
// reports it at the key if not.
bool check_line_name(TableReader& lines, const std::string& name, const std::vector<LaneConfig>& lanes) {
  const auto parsed = hw::parse_line_name(name);
  if (!parsed) {
    std::string message = lines.name() + " has a malformed line name " + in_quotes(name);
    if (auto suggestion = closest_match(name, known_line_names(lanes))) {
      message += ", did you mean " + in_quotes(*suggestion) + "?";
    } else {
      message += ", expected \"lane<N>.<role>\" with role " + role_list(", ") + " or " +
                 std::string(hw::to_string(kOptionalRole)) + ", or \"fire_alarm\"";
    }
    lines.problem_at_key(name, std::move(message));
    return false;
  }
  if (parsed->lane == 0 || lanes.empty()) return true;  // fire_alarm; or no lanes (reported elsewhere)
  const bool configured =
      std::any_of(lanes.begin(), lanes.end(), [&](const LaneConfig& l) { return l.number == parsed->lane; });
  if (!configured) {
    std::string numbers;
    for (const auto& lane : lanes) numbers += (numbers.empty() ? "" : ", ") + std::to_string(lane.number);
    lines.problem_at_key(name, lines.name_of(name) + " is for lane " + std::to_string(parsed->lane) +
                                   ", which is not configured, expected lines only for lanes " + numbers);
  }
  return configured;
}

// Where the line is on its chip: `offset`, or `line` (its name there), exactly one of them.
void read_position(TableReader& entry, GpiodLineConfig& out) {
  if (entry.node("line") == nullptr) {
    if (auto offset = entry.integer("offset", {0, 1023}, Presence::required)) {
      out.offset = static_cast<unsigned>(*offset);
    }
    return;
  }
  if (auto name = entry.text("line", Presence::required)) out.line = std::move(*name);
  if (entry.node("offset") != nullptr) {
    entry.problem_at("offset", entry.name_of("offset") +
                                   " is set together with line, expected either offset (the line's number on its "
                                   "chip) or line (its name on the chip), not both");
  }
}

// The fire alarm is a supervised normally-closed loop: closed while all is well, open on alarm
// and open too when a wire breaks. The pull on the line must take an open loop to the level
// that reads as active: a pull-up with active_low = false (the loop switches the line to
// ground), a pull-down with active_low = true (the loop switches it to the supply), or an
// external resistor doing the same (bias "as-is", external_pull = true).
void check_alarm_loop(TableReader& entry, const GpiodLineConfig& alarm) {
  const std::string loop = "the fire alarm is a normally-closed loop, so an open loop (an alarm, or a broken wire) "
                           "must read as active";
  const std::string either = "expected \"pull-up\" with active_low = false or \"pull-down\" with active_low = true";
  const bool active_low_given = entry.node("active_low") != nullptr;
  const bool bias_given = entry.node("bias") != nullptr;
  switch (alarm.bias) {
    case LineBias::pull_up:
      if (alarm.active_low) {
        entry.problem_at("active_low",
                         entry.name_of("active_low") + " is true with bias \"pull-up\", expected false: " + loop +
                             ", and the pull-up takes an open loop high (wire the loop to ground; or, for a loop to "
                             "the supply, use bias \"pull-down\" with active_low = true)");
      }
      break;
    case LineBias::pull_down:
      if (!alarm.active_low) {
        entry.problem_at(active_low_given ? "active_low" : "bias",
                         entry.name_of("active_low") + " is false" + (active_low_given ? "" : " (the default)") +
                             " with bias \"pull-down\", expected true: " + loop +
                             ", and the pull-down takes an open loop low (wire the loop to the supply; or, for a loop "
                             "to ground, use bias \"pull-up\" with active_low = false)");
      }
      break;
    case LineBias::as_is:
      if (!alarm.external_pull) {
        entry.problem_at("bias", entry.name_of("bias") + " is \"as-is\"" + (bias_given ? "" : " (the default)") + ", " +
                                     either + ": " + loop +
                                     "; if an external resistor pulls the open loop to that level, set "
                                     "external_pull = true");
      }
      break;
    case LineBias::disabled:
      entry.problem_at("bias", entry.name_of("bias") + " is \"disable\", " + either + ": " + loop +
                                   ", and with no pull a broken wire leaves the line floating");
      break;
  }
  if (alarm.external_pull && alarm.bias != LineBias::as_is) {
    entry.problem_at("external_pull", entry.name_of("external_pull") +
                                          " is true with a bias other than \"as-is\", expected external_pull only with "
                                          "bias = \"as-is\" (an external resistor instead of the chip's pull)");
  }
}

// The polarity keys; for the fire alarm also external_pull and the normally-closed loop check.
void read_polarity(TableReader& entry, bool fire_alarm, GpiodLineConfig& out) {
  const std::size_t problems_before = entry.problem_count();
  out.active_low = entry.boolean("active_low").value_or(false);
  out.bias = entry.choice<LineBias>("bias", kBiases, Presence::optional).value_or(LineBias::as_is);
  if (fire_alarm) {
    out.external_pull = entry.boolean("external_pull").value_or(false);
    if (entry.problem_count() == problems_before) check_alarm_loop(entry, out);
  } else if (entry.node("external_pull") != nullptr) {
    entry.problem_at("external_pull", entry.name_of("external_pull") +
                                          " is set, expected external_pull only on fire_alarm (it says that an "
                                          "external resistor pulls the open alarm loop to the alarm level)");
  }
}

// An output's safe level: "inactive" by default, but "active" for release_out, which may not
// be "inactive": software must never block egress, so a gate that stops (or fails to start)
// leaves every exit barrier free. Inverted hardware is active_low's business, not safe's.
void read_safe_level(TableReader& entry, bool release_out, GpiodLineConfig& out) {
  const auto safe = entry.choice<bool>("safe", kSafeLevels, Presence::optional);
  if (release_out && safe == false) {
    entry.problem_at("safe", entry.name_of("safe") +
                                 " is \"inactive\", expected \"active\" (the default for release_out): egress must "
                                 "stay free when the gate stops, so the exit barrier is released whenever passgated "
                                 "does not run (for a barrier controller that releases at low voltage, set "
                                 "active_low = true)");
  }
  out.safe_active = safe.value_or(release_out);
}

// debounce_ms on inputs, safe on outputs.
void read_timing_and_safe_level(TableReader& entry, const hw::ParsedLineName& name, GpiodLineConfig& out) {
  const bool input = !name.role || hw::is_input(*name.role);
  if (input) {
    if (auto debounce = entry.integer("debounce_ms", {0, 1000}, Presence::optional)) {
      out.debounce = std::chrono::milliseconds(*debounce);
    }
    if (entry.node("safe") != nullptr) {
      entry.problem_at("safe", entry.name_of("safe") + " is set on an input line, expected safe only on outputs "
                                                       "(release_in, release_out, led_green, led_red, buzzer)");
    }
    return;
  }
  if (entry.node("debounce_ms") != nullptr) {
    entry.problem_at("debounce_ms", entry.name_of("debounce_ms") +
                                        " is set on an output line, expected debounce_ms only on inputs "
                                        "(beam_outer, beam_inner, passage, fire_alarm)");
  }
  read_safe_level(entry, name.role == LineRole::release_out, out);
}

// One line's wiring; nothing if it has a problem (reported).
std::optional<GpiodLineConfig> read_line(TableReader& entry, const hw::ParsedLineName& name,
                                         const std::optional<std::string>& default_chip, bool default_chip_given) {
  const std::size_t problems_before = entry.problem_count();
  GpiodLineConfig out;
  read_position(entry, out);
  read_polarity(entry, !name.role, out);
  read_timing_and_safe_level(entry, name, out);
  if (auto chip = entry.text("chip", Presence::optional)) {
    out.chip = std::move(*chip);
  } else if (default_chip) {
    out.chip = *default_chip;
  } else if (entry.node("chip") == nullptr && !default_chip_given) {
    entry.problem_here(entry.name_of("chip") + " is missing, expected a chip name here or a default chip in io.gpiod.chip");
  }
  entry.report_unknown_keys();
  if (entry.problem_count() != problems_before || out.chip.empty()) return std::nullopt;
  return out;
}

struct PlacedLine {
  std::string name;
  std::string chip;
  std::string_view key;             // "offset" or "line": how the entry finds its line
  std::string value;                // "4" or "\"GPIO17\"": the same key and value is the same line
  const toml::node* position_node;  // the offset or line value
};

PlacedLine place(const std::string& name, const GpiodLineConfig& line, const toml::table& table) {
  if (line.offset) return PlacedLine{name, line.chip, "offset", std::to_string(*line.offset), table.get("offset")};
  return PlacedLine{name, line.chip, "line", in_quotes(line.line), table.get("line")};
}

// Two entries on the same chip offset (or line name): the later one in the file is reported.
void report_shared_lines(TableReader& lines, std::vector<PlacedLine> placed) {
  std::sort(placed.begin(), placed.end(), [](const PlacedLine& a, const PlacedLine& b) {
    const auto& pa = a.position_node->source().begin;
    const auto& pb = b.position_node->source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  });
  std::map<std::tuple<std::string, std::string_view, std::string>, std::string> user;
  for (const auto& line : placed) {
    const auto [it, fresh] = user.emplace(std::tuple{chip_identity(line.chip), line.key, line.value}, line.name);
    if (fresh) continue;
    const std::string key(line.key);
    lines.problem_at_node(*line.position_node, lines.name_of(line.name) + "." + key + " is " + line.value + " on " +
                                                   line.chip + ", which " + in_quotes(it->second) +
                                                   " already uses, expected a different " + key + " for each line");
  }
}

void report_missing_lines(TableReader& lines, const std::set<std::string>& named, const std::vector<LaneConfig>& lanes) {
  for (const auto& lane : lanes) {
    std::string missing;
    for (const LineRole role : kRequiredRoles) {
      const std::string name = hw::line_name(lane.number, role);
      if (!named.contains(name)) missing += (missing.empty() ? "" : ", ") + in_quotes(name);
    }
    if (missing.empty()) continue;
    lines.problem_here(lines.name() + " lacks lane " + std::to_string(lane.number) + "'s lines " + missing +
                       ", expected every lane to have " + role_list(" and "));
  }
  if (!named.contains(std::string(hw::kFireAlarm))) {
    lines.problem_here(lines.name() + " lacks \"fire_alarm\", expected the fire alarm input line");
  }
}

}  // namespace

void read_gpiod(TableReader& gpiod, bool in_use, const std::vector<LaneConfig>& lanes, IoConfig& io) {
  const auto default_chip = gpiod.text("chip", Presence::optional);
  const bool default_chip_given = gpiod.node("chip") != nullptr;
  auto lines = gpiod.section("lines", in_use ? Presence::required : Presence::optional,
                             "a table of lines such as [io.gpiod.lines.\"lane1.beam_outer\"]");
  if (!lines) return;
  std::set<std::string> named;
  std::vector<PlacedLine> placed;
  for (const auto& [key, node] : lines->raw()) {
    const std::string name(key.str());
    if (!check_line_name(*lines, name, lanes)) continue;
    named.insert(name);
    const std::string line_name = lines->name_of(name);
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      lines->problem_at_node(node, line_name + " is " + describe_type(node) +
                                       ", expected a table with offset, such as { offset = 4 }");
      continue;
    }
    TableReader entry = lines->nested(*table, line_name, "in [" + line_name + "]");
    if (auto wiring = read_line(entry, *hw::parse_line_name(name), default_chip, default_chip_given)) {
      placed.push_back(place(name, *wiring, *table));
      io.gpiod_lines.emplace(name, std::move(*wiring));
    }
  }
  if (in_use) report_missing_lines(*lines, named, lanes);
  report_shared_lines(*lines, std::move(placed));
}

}  // namespace passgate::controller
