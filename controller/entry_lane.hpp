// EntryLane: one entry turnstile as a Boost.Statechart machine.
//   Idle --scan--> Validating --admitted--> Admitting (release_in, led_green)
//   Admitting: each entering passage uses one place of the oldest grant (scan order);
//   a valid scan meanwhile adds its group (scan-ahead); all used or grant timeout
//   → release_in off → Idle (or Validating while answers are pending).
//   Denials show red, beep and name the reason, and the lane goes on.
//   Fire alarm (any state) → Emergency: both releases on, scans refused with
//   lane_unavailable, unused grants cancelled; cleared → Idle.
// States are private to entry_lane.cpp. Single-threaded: call from the event loop.
#pragma once

#include <memory>

#include "controller/config.hpp"
#include "controller/lane_ports.hpp"

namespace passgate::controller {

struct EntryLaneMachine;

class EntryLane final : public Lane {
 public:
  EntryLane(const LaneConfig& config, LanePorts ports);
  ~EntryLane() override;
  EntryLane(const EntryLane&) = delete;
  EntryLane& operator=(const EntryLane&) = delete;

  [[nodiscard]] int number() const override;
  void on_scan(std::string token) override;
  void on_passage(Direction d) override;
  void on_beams(bool outer_blocked, bool inner_blocked) override;
  void on_alarm(bool active) override;
  [[nodiscard]] std::string state_name() const override;
  // People still allowed in on the current grants (0 when not admitting).
  [[nodiscard]] int places_left() const;

  // A passage following a grant's end within this window is a tailgater of that session.
  static constexpr Millis kTailgateWindow{3000};

 private:
  std::unique_ptr<EntryLaneMachine> machine_;
};

}  // namespace passgate::controller
