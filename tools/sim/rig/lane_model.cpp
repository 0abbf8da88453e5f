#include "tools/sim/rig/lane_model.hpp"

namespace passgate::sim {

Beam first_beam(Direction d) { return d == Direction::entering ? Beam::outer : Beam::inner; }
Beam last_beam(Direction d) { return d == Direction::entering ? Beam::inner : Beam::outer; }
hw::LineRole release_role(Direction d) {
  return d == Direction::entering ? hw::LineRole::release_in : hw::LineRole::release_out;
}

namespace {
hw::LineRole beam_role(Beam b) { return b == Beam::outer ? hw::LineRole::beam_outer : hw::LineRole::beam_inner; }
}  // namespace

RigLaneModel::RigLaneModel(int lane, RigWires& wires, TimerService& timers)
    : lane_(lane), wires_(wires), timers_(timers) {}

void RigLaneModel::set_beam(Beam beam, bool blocked) {
  bool& level = beam == Beam::outer ? outer_ : inner_;
  if (level == blocked) return;
  level = blocked;
  wires_.set_input(line(beam_role(beam)), blocked);
}

bool RigLaneModel::blocked(Beam beam) const { return beam == Beam::outer ? outer_ : inner_; }

void RigLaneModel::send_levels() {
  wires_.set_input(line(hw::LineRole::beam_outer), outer_);
  wires_.set_input(line(hw::LineRole::beam_inner), inner_);
}

void RigLaneModel::occupy(Millis gap, std::function<void()> go) {
  waiting_.push_back(Waiter{gap, std::move(go)});
  if (!occupied_) admit_next();
}

void RigLaneModel::vacate() {
  occupied_ = false;
  if (!waiting_.empty()) admit_next();
}

void RigLaneModel::admit_next() {
  occupied_ = true;
  Waiter next = std::move(waiting_.front());
  waiting_.pop_front();
  gap_timer_ = timers_.start(next.gap, std::move(next.go));
}

}  // namespace passgate::sim
