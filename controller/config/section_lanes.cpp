// [[lanes]]: each lane's number, direction, admission limits and safety settings.
#include <array>
#include <map>

#include "controller/config/sections.hpp"

namespace passgate::controller {
namespace {

constexpr std::array<Choice<LaneKind>, 2> kLaneKinds{{{"entry", LaneKind::entry}, {"exit", LaneKind::exit}}};

// group_limit, grant_timeout_ms and the barrier's close retries mean something only on an
// entry lane.
void read_entry_limits(TableReader& lane, std::optional<LaneKind> kind, LaneConfig& out) {
  if (kind == LaneKind::exit) {
    for (const std::string_view key : {"group_limit", "grant_timeout_ms", "close_retry_ms", "close_retries"}) {
      if (lane.node(key) != nullptr) {
        lane.problem_at(key, lane.name_of(key) + " is set on an exit lane, expected it only on entry lanes");
      }
    }
    return;
  }
  if (auto limit = lane.integer("group_limit", {1, 10}, Presence::optional)) out.group_limit = static_cast<int>(*limit);
  if (auto timeout = lane.integer("grant_timeout_ms", {1000, 60000}, Presence::optional)) {
    out.grant_timeout = std::chrono::milliseconds(*timeout);
  }
  if (auto retry = lane.integer("close_retry_ms", {500, 60000}, Presence::optional)) {
    out.close_retry = std::chrono::milliseconds(*retry);
  }
  if (auto retries = lane.integer("close_retries", {1, 20}, Presence::optional)) {
    out.close_retries = static_cast<int>(*retries);
  }
}

// Safety settings every lane has.
void read_safety(TableReader& lane, LaneConfig& out) {
  if (auto blocked = lane.integer("beam_blocked_alarm_ms", {1000, 600000}, Presence::optional)) {
    out.beam_blocked_alarm = std::chrono::milliseconds(*blocked);
  }
  if (auto out_of_service = lane.boolean("out_of_service")) out.out_of_service = *out_of_service;
}

}  // namespace

void read_lanes(TableReader& root, std::vector<LaneConfig>& lanes) {
  const toml::array* array = root.array("lanes", Presence::required, "at least one [[lanes]] table");
  if (array == nullptr) return;
  if (array->empty()) {
    root.problem_at("lanes", "lanes is empty, expected at least one [[lanes]] table");
    return;
  }
  std::map<std::int64_t, std::string> lane_with_number;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string name = "lanes[" + std::to_string(i + 1) + "]";
    const toml::node& element = *array->get(i);
    const toml::table* table = element.as_table();
    if (table == nullptr) {
      root.problem_at_node(element, name + " is " + describe_type(element) + ", expected a [[lanes]] table");
      continue;
    }
    TableReader lane = root.nested(*table, name, "in [[lanes]]");
    LaneConfig config;
    const auto number = lane.integer("number", {1, 16}, Presence::required);
    bool unique = false;
    if (number) {
      const auto [it, fresh] = lane_with_number.emplace(*number, name);
      unique = fresh;
      if (!fresh) {
        lane.problem_at("number", lane.name_of("number") + " is " + std::to_string(*number) + ", which " + it->second +
                                      " already has, expected a number no other lane has");
      }
      config.number = static_cast<int>(*number);
    }
    const auto kind = lane.choice<LaneKind>("kind", kLaneKinds, Presence::required);
    if (kind) config.kind = *kind;
    read_entry_limits(lane, kind, config);
    read_safety(lane, config);
    lane.report_unknown_keys();
    if (unique) lanes.push_back(config);
  }
}

}  // namespace passgate::controller
