// SystemdNotifier: passgated's side of systemd's notify protocol (sd_notify(3)) for a
// Type=notify service: READY=1 once the gate runs, STATUS= lines for `systemctl status`,
// STOPPING=1 as it shuts down, and WATCHDOG=1 pings. The pings come from a timer on the main
// event loop, every half of the interval systemd asks for (WatchdogSec=, passed as
// WATCHDOG_USEC and WATCHDOG_PID), and from nowhere else: a loop that hangs stops pinging, and
// systemd restarts the service. Without NOTIFY_SOCKET (not started by systemd) nothing is
// sent and no timer runs. A failed send is logged once. Single-threaded, on the event loop.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"

namespace passgate::drivers {

class SystemdNotifier {
 public:
  // Reads NOTIFY_SOCKET and the watchdog variables, and starts the pings if systemd wants them
  // (the first one when the loop has run half an interval).
  explicit SystemdNotifier(TimerService& timers);
  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  // READY=1 with a STATUS line.
  void ready(std::string_view status);
  void status(std::string_view status);
  // STOPPING=1 with a STATUS line. The pings go on until this object is destroyed.
  void stopping(std::string_view status);

  // True when NOTIFY_SOCKET is set.
  [[nodiscard]] bool enabled() const { return enabled_; }
  // How often WATCHDOG=1 is sent (half of WATCHDOG_USEC), or empty: no watchdog.
  [[nodiscard]] std::optional<Millis> ping_interval() const { return ping_interval_; }

 private:
  void send(const std::string& state);
  void ping();

  TimerService& timers_;
  bool enabled_ = false;
  std::optional<Millis> ping_interval_;
  bool failure_logged_ = false;
  std::unique_ptr<Timer> ping_timer_;
};

}  // namespace passgate::drivers
