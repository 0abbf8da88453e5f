// ControlCommands: what passgated answers on its control socket (drivers/control_server.hpp),
// each command handled by its own file:
//   status                          control_status.hpp: the gate at a glance
//   lanes, lane.service             control_lanes.hpp
//   sessions, sessions.cancel       control_sessions.hpp
//   queue, queue.retry, queue.write_off
//                                   control_queue.hpp: the payment queue and its dead letters
//   queue.charge_cart, queue.write_off_cart
//                                   control_quarantine.hpp: the quarantined final carts
//   reload {operator}               reloads the config as SIGHUP does; the ReloadReport
//   hw.inputs, hw.pulse, hw.scanners
//                                   control_hw.hpp: the installer's checks and live views
// The read-only socket ([control] readonly_group) answers status, lanes, sessions and queue
// only. Every answer comes from passgated's own state and database handle; a request that changes
// something is logged with the operator it names and the connecting uid.
// Single-threaded, on the event loop.
#pragma once

#include <functional>
#include <memory>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "controller/lanes/gate.hpp"
#include "passgated/control_hw.hpp"
#include "passgated/control_sources.hpp"
#include "controller/config/reload_report.hpp"
#include "drivers/control_server.hpp"
#include "hw/io_backend.hpp"

namespace passgate::daemon {

using ReloadConfig = std::function<controller::ReloadReport()>;

class ControlCommands {
 public:
  ControlCommands(controller::Gate& gate, hw::IoBackend& io, TimerService& timers, Clock& clock,
                  ControlSources sources, ReloadConfig reload);

  // The ControlServer's handler.
  void handle(const nlohmann::json& request, const std::shared_ptr<drivers::ControlPeer>& peer);
  // The read-only socket's handler: handle() for drivers::is_read_only_command, else a
  // "read_only" refusal.
  void handle_read_only(const nlohmann::json& request, const std::shared_ptr<drivers::ControlPeer>& peer);

 private:
  [[nodiscard]] nlohmann::json answer(const std::string& cmd, const nlohmann::json& request,
                                      const std::shared_ptr<drivers::ControlPeer>& peer);
  [[nodiscard]] nlohmann::json reload(const nlohmann::json& request, const drivers::ControlPeer& peer);
  [[nodiscard]] nlohmann::json quarantined_cart(const std::string& cmd, const nlohmann::json& request,
                                                const drivers::ControlPeer& peer, WallTime now);

  controller::Gate& gate_;
  Clock& clock_;
  ControlSources sources_;
  ReloadConfig reload_;
  HwControl hw_;
  WallTime started_at_;
  SteadyTime started_steady_;
};

}  // namespace passgate::daemon
