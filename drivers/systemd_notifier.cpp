#include "drivers/systemd_notifier.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include "common/log_value.hpp"

namespace passgate::drivers {

namespace {

// A STATUS value is one line.
std::string status_line(std::string_view status) {
  std::string line = "STATUS=";
  for (const char c : status) line += (c == '\n' || c == '\r') ? ' ' : c;
  return line;
}

}  // namespace

SystemdNotifier::SystemdNotifier(TimerService& timers) : timers_(timers) {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket != nullptr && *socket != '\0';
  if (!enabled_) return;
  std::uint64_t usec = 0;
  const int watchdog = sd_watchdog_enabled(0, &usec);
  if (watchdog < 0) {
    spdlog::warn("event=watchdog_disabled reason={}", log_value(std::strerror(-watchdog)));
    return;
  }
  if (watchdog == 0 || usec == 0) return;
  // Half the interval, so one late ping never costs a restart; at least 1 ms.
  const auto half = std::chrono::duration_cast<Millis>(std::chrono::microseconds(usec / 2));
  ping_interval_ = std::max(half, Millis(1));
  spdlog::info("event=watchdog_enabled interval_ms={} ping_ms={}", usec / 1000, ping_interval_->count());
  ping_timer_ = timers_.start(*ping_interval_, [this] { ping(); });
}

void SystemdNotifier::ready(std::string_view status) { send("READY=1\n" + status_line(status)); }

void SystemdNotifier::status(std::string_view status) { send(status_line(status)); }

void SystemdNotifier::stopping(std::string_view status) { send("STOPPING=1\n" + status_line(status)); }

void SystemdNotifier::ping() {
  send("WATCHDOG=1");
  ping_timer_ = timers_.start(*ping_interval_, [this] { ping(); });
}

void SystemdNotifier::send(const std::string& state) {
  if (!enabled_) return;
  const int sent = sd_notify(0, state.c_str());
  if (sent >= 0 || failure_logged_) return;
  failure_logged_ = true;
  spdlog::warn("event=sd_notify_failed error={} note={}", log_value(std::strerror(-sent)),
               log_value("logged once; later failures are not"));
}

}  // namespace passgate::drivers
