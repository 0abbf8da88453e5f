#include "hw/lane_inputs.hpp"

#include <cassert>

#include "hw/line_names.hpp"

namespace passgate::hw {

struct LaneInputs::Lane {
  Lane(LaneInputs& owner, int lane)
      : detector({[&owner, lane](PassageDirection d) { owner.listener_.on_passage(lane, d); },
                  [&owner, lane](Occupancy o) { owner.listener_.on_beams(lane, o); }}),
        beam_outer(owner.timers_, owner.debounce_, false, [this](bool blocked) { detector.set_outer(blocked); }),
        beam_inner(owner.timers_, owner.debounce_, false, [this](bool blocked) { detector.set_inner(blocked); }),
        passage_sensor(owner.timers_, owner.debounce_, false, [this, &owner, lane](bool active) {
          if (!active) return;
          detector.sensor_pulse();
          owner.listener_.on_passage_sensor(lane);
        }) {}

  // The debouncer of an input role; null for an output role.
  static Debouncer Lane::*input_member(LineRole role) {
    switch (role) {
      case LineRole::beam_outer: return &Lane::beam_outer;
      case LineRole::beam_inner: return &Lane::beam_inner;
      case LineRole::passage: return &Lane::passage_sensor;
      default: return nullptr;
    }
  }
  Debouncer* input(LineRole role) {
    const auto member = input_member(role);
    return member != nullptr ? &(this->*member) : nullptr;
  }
  const Debouncer* input(LineRole role) const {
    const auto member = input_member(role);
    return member != nullptr ? &(this->*member) : nullptr;
  }

  PassageDetector detector;
  Debouncer beam_outer;
  Debouncer beam_inner;
  Debouncer passage_sensor;
};

LaneInputs::LaneInputs(TimerService& timers, Millis debounce, LaneInputsListener& listener)
    : timers_(timers),
      debounce_(debounce),
      listener_(listener),
      fire_alarm_(
          timers, debounce, true, [this](bool active) { listener_.on_fire_alarm(active); },
          Debouncer::Edges::raise_at_once) {}

LaneInputs::~LaneInputs() = default;

void LaneInputs::add_lane(int lane) {
  assert(lane >= 1 && !lanes_.contains(lane));
  lanes_.emplace(lane, std::make_unique<Lane>(*this, lane));
}

Status LaneInputs::on_input(const std::string& line, bool active) {
  const auto parsed = parse_line_name(line);
  if (!parsed) {
    return make_error("unknown_input", "input \"" + line + "\" is not a line name (expected lane<N>.<role> or fire_alarm)");
  }
  if (!parsed->role) {
    fire_alarm_.feed(active);
    return {};
  }
  const auto it = lanes_.find(parsed->lane);
  if (it == lanes_.end()) {
    return make_error("unknown_input", "input \"" + line + "\" belongs to lane " + std::to_string(parsed->lane) +
                                           ", which is not configured");
  }
  Debouncer* input = it->second->input(*parsed->role);
  if (input == nullptr) return make_error("unknown_input", "line \"" + line + "\" is an output, not an input");
  input->feed(active);
  return {};
}

std::optional<bool> LaneInputs::level(std::string_view line) const {
  const auto parsed = parse_line_name(line);
  if (!parsed) return std::nullopt;
  if (!parsed->role) return fire_alarm_.level();
  const auto it = lanes_.find(parsed->lane);
  if (it == lanes_.end()) return std::nullopt;
  const Debouncer* input = it->second->input(*parsed->role);
  if (input == nullptr) return std::nullopt;
  return input->level();
}

Occupancy LaneInputs::occupancy(int lane) const {
  const auto it = lanes_.find(lane);
  return it == lanes_.end() ? Occupancy::none : it->second->detector.occupancy();
}

}  // namespace passgate::hw
