// LaneAdapter: the part of the Lane interface both lane kinds implement alike, each call
// forwarded into the lane's state machine: beams, passages, the fire alarm, service,
// reconfigure, outputs and alarms. EntryLane and ExitLane derive from it and add only what is
// their own. `Machine` is the lane's state machine, complete only in the lane's .cpp: the
// member functions are defined in machine.hpp and instantiated there (extern template in the
// lane's header). Single-threaded: call from the event loop.
#pragma once

#include <memory>

#include "controller/config/config.hpp"
#include "controller/lanes/alarms.hpp"
#include "controller/lanes/ports.hpp"

namespace passgate::controller {

template <class Machine>
class LaneAdapter : public Lane {
 public:
  ~LaneAdapter() override;
  LaneAdapter(const LaneAdapter&) = delete;
  LaneAdapter& operator=(const LaneAdapter&) = delete;

  [[nodiscard]] int number() const override;
  void on_passage(Direction d) override;
  void on_beams(bool outer_blocked, bool inner_blocked) override;
  void latch_egress() override;
  void latch_alarm() override;
  void on_alarm(bool active) override;
  void set_in_service(bool in_service) override;
  [[nodiscard]] bool in_service() const override;
  void refresh_outputs() override;
  [[nodiscard]] const LaneAlarms& alarms() const override;
  void reconfigure(const LaneConfig& config) override;

 protected:
  // Builds the machine and starts it, driving no output line (see Lane).
  LaneAdapter(const LaneConfig& config, LanePorts ports);

  [[nodiscard]] Machine& machine() { return *machine_; }
  [[nodiscard]] const Machine& machine() const { return *machine_; }

 private:
  std::unique_ptr<Machine> machine_;
};

}  // namespace passgate::controller
