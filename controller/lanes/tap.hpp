// LaneTap: the admission pipeline and the tracking-engine reports as the Gate hands them to
// its lanes, passed straight through, so the gate's observers hear what the lanes do: each
// scan's answer as the lane showed it, each passage, and how long each admission that
// released a barrier took, from the read arriving at the gate (scan_read()) to release_in
// driven on. Owned by the Gate. Single-threaded, on the event loop.
#pragma once

#include <optional>
#include <string>

#include "common/clock.hpp"
#include "controller/lanes/gate_observers.hpp"
#include "controller/lanes/ports.hpp"
#include "hw/io_backend.hpp"

namespace passgate::controller {

class LaneTap final : public AdmissionPort, public LaneReports {
 public:
  LaneTap(AdmissionPort& admission, LaneReports& reports, hw::IoBackend& io, Clock& clock,
          const GateObservers& observers);

  // A scanner read arrived at the gate: the admission request it leads to (in this same
  // call, if the lane asks for one) is timed from now.
  void scan_read();

  // AdmissionPort
  void request(int lane, int group_limit, std::string token, Done done) override;
  // LaneReports
  void passage(int lane, Direction direction, PassageKind kind, const std::optional<std::string>& session_id) override;
  void grant_unused(const std::string& session_id) override;
  void scan_answered(int lane, const AdmissionResult& answer) override;

 private:
  AdmissionPort& admission_;
  LaneReports& reports_;
  hw::IoBackend& io_;
  Clock& clock_;
  const GateObservers& observers_;
  std::optional<SteadyTime> read_at_;
};

}  // namespace passgate::controller
