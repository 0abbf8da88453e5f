// run_daemon: wires the concrete drivers (rig link, tracking client, SQLite) to the
// controller (gate, lanes, admission, outbox) on one io_context and runs it. It tells systemd
// when it is ready and pings its watchdog from the loop (drivers/systemd_notifier.hpp).
// SIGHUP reloads the config (controller/config_reload.hpp); SIGTERM or SIGINT lets the
// passages under way finish and stops (graceful_stop.hpp). Returns the process exit code:
// 0 after a stop signal, 1 when something needed at start could not be opened.
#pragma once

#include "controller/config.hpp"

namespace passgate::daemon {

[[nodiscard]] int run_daemon(const controller::GateConfig& config);

}  // namespace passgate::daemon
