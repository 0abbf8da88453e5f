// [io.gpiod]: how each logical line is wired to a GPIO chip offset, and the checks that
// the wiring is complete (every lane's required lines and the fire alarm) and unambiguous.
#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "controller/config_sections.hpp"
#include "controller/config_suggest.hpp"
#include "hw/line_names.hpp"

namespace passgate::controller {
namespace {

using hw::LineRole;

constexpr std::array<Choice<LineBias>, 4> kBiases{{{"as-is", LineBias::as_is},
                                                    {"pull-up", LineBias::pull_up},
                                                    {"pull-down", LineBias::pull_down},
                                                    {"disable", LineBias::disabled}}};

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

// One line's wiring; nothing if it has a problem (reported).
std::optional<GpiodLineConfig> read_line(TableReader& line, bool input, const std::optional<std::string>& default_chip,
                                         bool default_chip_given) {
  const std::size_t problems_before = line.problem_count();
  GpiodLineConfig out;
  if (auto offset = line.integer("offset", {0, 1023}, Presence::required)) out.offset = static_cast<unsigned>(*offset);
  out.active_low = line.boolean("active_low").value_or(false);
  out.bias = line.choice<LineBias>("bias", kBiases, Presence::optional).value_or(LineBias::as_is);
  if (input) {
    if (auto debounce = line.integer("debounce_ms", {0, 1000}, Presence::optional)) {
      out.debounce = std::chrono::milliseconds(*debounce);
    }
  } else if (line.node("debounce_ms") != nullptr) {
    line.problem_at("debounce_ms", line.name_of("debounce_ms") +
                                       " is set on an output line, expected debounce_ms only on inputs "
                                       "(beam_outer, beam_inner, passage, fire_alarm)");
  }
  if (auto chip = line.text("chip", Presence::optional)) {
    out.chip = std::move(*chip);
  } else if (default_chip) {
    out.chip = *default_chip;
  } else if (line.node("chip") == nullptr && !default_chip_given) {
    line.problem_here(line.name_of("chip") + " is missing, expected a chip name here or a default chip in io.gpiod.chip");
  }
  line.report_unknown_keys();
  if (line.problem_count() != problems_before || out.chip.empty()) return std::nullopt;
  return out;
}

struct PlacedLine {
  std::string name;
  std::string chip;
  unsigned offset;
  const toml::node* offset_node;
};

// Two lines on the same chip offset: the later one in the file is reported.
void report_shared_offsets(TableReader& lines, std::vector<PlacedLine> placed) {
  std::sort(placed.begin(), placed.end(), [](const PlacedLine& a, const PlacedLine& b) {
    const auto& pa = a.offset_node->source().begin;
    const auto& pb = b.offset_node->source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  });
  std::map<std::pair<std::string, unsigned>, std::string> user;
  for (const auto& line : placed) {
    const auto [it, fresh] = user.emplace(std::pair{chip_identity(line.chip), line.offset}, line.name);
    if (fresh) continue;
    lines.problem_at_node(*line.offset_node,
                          lines.name_of(line.name) + ".offset is " + std::to_string(line.offset) + " on " + line.chip +
                              ", which " + in_quotes(it->second) + " already uses, expected a different offset for each line");
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
    const auto parsed = hw::parse_line_name(name);
    const bool input = !parsed->role || hw::is_input(*parsed->role);
    TableReader line = lines->nested(*table, line_name, "in [" + line_name + "]");
    if (auto wiring = read_line(line, input, default_chip, default_chip_given)) {
      placed.push_back(PlacedLine{name, wiring->chip, wiring->offset, table->get("offset")});
      io.gpiod_lines.emplace(name, std::move(*wiring));
    }
  }
  if (in_use) report_missing_lines(*lines, named, lanes);
  report_shared_offsets(*lines, std::move(placed));
}

}  // namespace passgate::controller
