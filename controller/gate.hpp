// Gate: the controller above the lanes. It is the backend's IoListener: raw inputs go
// through LaneInputs (debouncing, passage detection), scans are normalized and routed to
// the lane that owns the scanner, and the fire alarm is handled here, above the lanes,
// so that every lane is freed in the same loop turn and no lane state can ignore it.
// The fire alarm counts as active from start-up until the backend reports it clear
// (unknown = alarm). Single-threaded, on the event loop.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "controller/config.hpp"
#include "controller/lane_ports.hpp"
#include "hw/io_backend.hpp"
#include "hw/lane_inputs.hpp"

namespace passgate::controller {

class Gate final : public hw::IoListener, public hw::LaneInputsListener {
 public:
  Gate(const GateConfig& config, hw::IoBackend& io, TimerService& timers, Clock& clock, AdmissionPort& admission,
       LaneReports& reports);
  ~Gate() override;
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  // hw::IoListener
  void on_input(const std::string& line, bool active) override;
  void on_scan(const std::string& scanner, const std::string& text) override;

  // hw::LaneInputsListener
  void on_passage(int lane, hw::PassageDirection direction) override;
  void on_beams(int lane, hw::Occupancy occupancy) override;
  void on_passage_sensor(int lane) override;
  void on_fire_alarm(bool active) override;

  [[nodiscard]] bool fire_alarm() const { return alarm_; }
  [[nodiscard]] const Lane* lane(int number) const;
  [[nodiscard]] std::vector<const Lane*> lanes() const;

 private:
  [[nodiscard]] Lane* find(int number);

  hw::IoBackend& io_;
  hw::LaneInputs inputs_;
  std::map<int, std::unique_ptr<Lane>> lanes_;
  std::map<std::string, Lane*, std::less<>> scanners_;
  bool alarm_ = true;
};

}  // namespace passgate::controller
