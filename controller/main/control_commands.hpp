// ControlCommands: what passgated answers on its control socket (drivers/control_server.hpp):
//   lanes                         every lane's state, service, scanner and alarms
//   lane.service {lane, in_service, operator, reason}
//                                 a lane out of service or back (logged with the operator)
//   hw.inputs {watch}             every input's raw and debounced level; watch: each change
//   hw.pulse {line, ms}           an output active for ms, only on a lane out of service and
//                                 never during a fire alarm; then the lane sets its outputs again
//   hw.scanners {watch}           every scanner's state; watch: reads (tokens never shown,
//                                 controller/scan_preview.hpp) and connection changes
// It is the Gate's observer for the live views from construction to destruction.
// Single-threaded, on the event loop.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "controller/gate.hpp"
#include "controller/gate_observer.hpp"
#include "drivers/control_server.hpp"
#include "hw/io_backend.hpp"

namespace passgate::daemon {

class ControlCommands final : public controller::GateObserver {
 public:
  ControlCommands(controller::Gate& gate, hw::IoBackend& io, TimerService& timers, Clock& clock);
  ~ControlCommands() override;
  ControlCommands(const ControlCommands&) = delete;
  ControlCommands& operator=(const ControlCommands&) = delete;

  // The ControlServer's handler.
  void handle(const nlohmann::json& request, const std::shared_ptr<drivers::ControlPeer>& peer);

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

  [[nodiscard]] nlohmann::json lanes_reply() const;
  [[nodiscard]] nlohmann::json set_service(const nlohmann::json& request, const drivers::ControlPeer& peer);
  [[nodiscard]] nlohmann::json inputs_reply() const;
  [[nodiscard]] nlohmann::json pulse(const nlohmann::json& request, const drivers::ControlPeer& peer);
  [[nodiscard]] nlohmann::json scanners_reply() const;
  void end_pulse(const std::string& line);
  void end_pulses_of_lane(int lane);
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
