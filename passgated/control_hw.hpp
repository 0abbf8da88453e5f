// HwControl: the installer's control commands and live views:
//   hw.inputs {watch}             every input's raw and debounced level; watch: each change
//   hw.pulse {line, ms}           an output active for ms, only on a lane out of service and
//                                 never during a fire alarm; then the lane sets its outputs again
//   hw.scanners {watch}           every scanner's state; watch: reads (tokens never shown,
//                                 controller/lanes/scan_preview.hpp) and connection changes
// A watching client is kept until it hangs up: those gone are dropped when an event finds
// them, or when any client starts watching that view (event=hw_watch logs how many watch);
// asking to watch again changes nothing. It is the Gate's observer for the live views from
// construction to destruction.
// Single-threaded, on the event loop.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "controller/lanes/gate.hpp"
#include "controller/lanes/gate_observer.hpp"
#include "drivers/control_server.hpp"
#include "hw/io_backend.hpp"

namespace passgate::daemon {

class HwControl final : public controller::GateObserver {
 public:
  HwControl(controller::Gate& gate, hw::IoBackend& io, TimerService& timers, Clock& clock);
  ~HwControl() override;
  HwControl(const HwControl&) = delete;
  HwControl& operator=(const HwControl&) = delete;

  // Each returns the reply; with {"watch":true} the peer also gets the events that follow.
  [[nodiscard]] nlohmann::json inputs(const nlohmann::json& request, const std::shared_ptr<drivers::ControlPeer>& peer);
  [[nodiscard]] nlohmann::json scanners(const nlohmann::json& request,
                                        const std::shared_ptr<drivers::ControlPeer>& peer);
  [[nodiscard]] nlohmann::json pulse(const nlohmann::json& request, const drivers::ControlPeer& peer);
  // Ends a lane's pulses (before the lane changes service, so it sets its outputs itself).
  void end_pulses_of_lane(int lane);

  // controller::GateObserver
  void on_input_changed(const std::string& line) override;
  void on_scan_read(const std::string& scanner, const std::string& text) override;
  void on_scanner_connection(const std::string& scanner, bool connected, const std::string& detail) override;

  static constexpr int kMaxPulseMs = 10000;

 private:
  struct Pulse {
    int lane = 0;
    std::unique_ptr<Timer> timer;
  };
  using Peers = std::vector<std::shared_ptr<drivers::ControlPeer>>;

  void end_pulse(const std::string& line);
  // Adds `peer` to `watchers` (the view named `view`) unless it is there already.
  void watch(const char* view, Peers& watchers, const std::shared_ptr<drivers::ControlPeer>& peer);
  void broadcast(Peers& watchers, const nlohmann::json& event);
  [[nodiscard]] std::string now_text() const;

  controller::Gate& gate_;
  hw::IoBackend& io_;
  TimerService& timers_;
  Clock& clock_;
  std::map<std::string, Pulse> pulses_;
  Peers input_watchers_;
  Peers scanner_watchers_;
};

}  // namespace passgate::daemon
