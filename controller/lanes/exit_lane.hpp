// ExitLane: one exit turnstile as a Boost.Statechart machine. Egress is free:
//   Closed --beam_inner blocked--> Open (release_out) --lane clear for kClearHold--> Closed.
// A leaving passage is reported as `exit`; someone coming in through it is a wrong_way
// alarm, reported as `wrong_way`.
// Out of service (config or set_in_service) → OutOfService: release_out held on (egress
// stays free), release_in off, red; back in service once the beams are clear → Closed.
// Fire alarm (any state) → Emergency: both releases on, passages only reported (entering:
// wrong_way, leaving: exit), never an alarm; cleared → EmergencyClearing
// (releases still on) until the beams are clear → Closed (or OutOfService).
// States are private to exit_lane.cpp.
#pragma once

#include <memory>

#include "controller/config/config.hpp"
#include "controller/lanes/ports.hpp"

namespace passgate::controller {

struct ExitLaneMachine;

class ExitLane final : public Lane {
 public:
  ExitLane(const LaneConfig& config, LanePorts ports);
  ~ExitLane() override;
  ExitLane(const ExitLane&) = delete;
  ExitLane& operator=(const ExitLane&) = delete;

  [[nodiscard]] int number() const override;
  void on_scan(std::string token) override;
  void on_passage(Direction d) override;
  void on_beams(bool outer_blocked, bool inner_blocked) override;
  void on_alarm(bool active) override;
  void set_in_service(bool in_service) override;
  [[nodiscard]] bool in_service() const override;
  void refresh_outputs() override;
  [[nodiscard]] const LaneAlarms& alarms() const override;
  [[nodiscard]] std::string state_name() const override;
  void reconfigure(const LaneConfig& config) override;
  [[nodiscard]] bool passage_in_progress() const override;

  // How long release_out stays on after the lane went clear (the next person in line).
  static constexpr Millis kClearHold{1000};

 private:
  std::unique_ptr<ExitLaneMachine> machine_;
};

}  // namespace passgate::controller
