// run_daemon: wires the concrete drivers (rig link, tracking client, SQLite) to the
// controller (gate, lanes, admission, outbox) on one io_context and runs it. It tells systemd
// when it is ready and pings its watchdog from the loop (drivers/systemd_notifier.hpp).
// SIGHUP reloads the config (controller/config/reload.hpp); SIGTERM or SIGINT lets the
// passages under way finish and stops (graceful_stop.hpp). Those signals are held from the
// start of main (startup_signals.hpp) and released once their handlers are in place: one sent
// during start-up is acted on as soon as the loop runs. Returns the process exit code
// (below): 0 after a stop signal, 78 when a file, service, directory or socket the config
// names cannot be used at start, 1 when something else needed at start fails.
#pragma once

#include "controller/config/config.hpp"

namespace passgate::daemon {

// passgated's exit codes; the unit restarts it after any but 0 and 78 (docs/service.md).
inline constexpr int kExitStopped = 0;
// Something needed at start failed that a later start may find (the lanes' hardware or the
// rig socket, the payment queue): systemd starts it again.
inline constexpr int kExitFailed = 1;
// Another passgated holds the state directory: systemd tries again until it is free.
inline constexpr int kExitLocked = 75;  // EX_TEMPFAIL
// EX_CONFIG: the config, or something it names, cannot be used; a restart cannot fix it
// (RestartPreventExitStatus=78).
inline constexpr int kExitBadConfig = 78;

[[nodiscard]] int run_daemon(const controller::GateConfig& config);

}  // namespace passgate::daemon
