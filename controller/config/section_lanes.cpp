// [[lanes]]: each lane's number, direction, admission limits, card reader and safety settings.
#include <algorithm>
#include <array>
#include <cctype>
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

// terminal_reader: an entry lane's card reader, "tmr_" and letters, digits or underscores
// (at most 64 characters), each reader on one lane only.
void read_terminal_reader(TableReader& lane, std::optional<LaneKind> kind, std::map<std::string, std::string>& used,
                          LaneConfig& out) {
  constexpr std::string_view key = "terminal_reader";
  if (kind == LaneKind::exit) {
    if (lane.node(key) != nullptr) {
      lane.problem_at(key, lane.name_of(key) + " is set on an exit lane, expected it only on entry lanes");
    }
    return;
  }
  auto reader = lane.text(key, Presence::optional);
  if (!reader) return;
  const auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; };
  const bool well_formed = reader->starts_with("tmr_") && reader->size() > 4 && reader->size() <= 64 &&
                           std::all_of(reader->begin(), reader->end(), word);
  if (!well_formed) {
    lane.problem_at(key, lane.name_of(key) + " is " + in_quotes(*reader) +
                             ", expected a reader id such as \"tmr_FGm2mHsuKt9T3q\" (\"tmr_\" and up to 60 letters, "
                             "digits or underscores)");
    return;
  }
  const auto [it, fresh] = used.emplace(*reader, lane.name());
  if (!fresh) {
    lane.problem_at(key, lane.name_of(key) + " is " + in_quotes(*reader) + ", which " + it->second +
                             " already has, expected each reader on one lane");
    return;
  }
  out.terminal_reader = std::move(*reader);
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
  std::map<std::string, std::string> lane_with_reader;
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
    read_terminal_reader(lane, kind, lane_with_reader, config);
    read_safety(lane, config);
    lane.report_unknown_keys();
    if (unique) lanes.push_back(config);
  }
}

}  // namespace passgate::controller
