// ExitLane: one exit turnstile as a Boost.Statechart machine. Egress is free:
//   Closed --beam_inner blocked--> Open (release_out) --lane clear for kClearHold--> Closed.
// A leaving passage is reported as `exit`; someone coming in through it is a wrong_way
// alarm, reported as `wrong_way`.
// Out of service (config or set_in_service) → OutOfService: release_out held on (egress
// stays free), release_in off, red; back in service once the beams are clear → Closed.
// Fire alarm (any state) → Emergency: both releases on, passages only reported (entering:
// wrong_way, leaving: exit), never an alarm; cleared → Clearing
// (releases still on) until the beams are clear → Closed (or OutOfService).
// The machine and its states are private to exit_lane.cpp; the Lane calls both lanes take
// alike are forwarded by LaneAdapter. Single-threaded: call from the event loop.
#pragma once

#include <string>

#include "controller/config/config.hpp"
#include "controller/lanes/lane_adapter.hpp"
#include "controller/lanes/ports.hpp"

namespace passgate::controller {

struct ExitLaneMachine;
extern template class LaneAdapter<ExitLaneMachine>;

class ExitLane final : public LaneAdapter<ExitLaneMachine> {
 public:
  ExitLane(const LaneConfig& config, LanePorts ports);

  void on_scan(std::string token) override;
  [[nodiscard]] std::string state_name() const override;
  [[nodiscard]] bool passage_in_progress() const override;
  [[nodiscard]] bool grant_open_for(const std::string& /*session_id*/) const override { return false; }

  // How long release_out stays on after the lane went clear (the next person in line).
  static constexpr Millis kClearHold{1000};
};

}  // namespace passgate::controller
