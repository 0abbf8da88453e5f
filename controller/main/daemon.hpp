// run_daemon: wires the concrete drivers (rig link, tracking client, SQLite) to the
// controller (gate, lanes, admission, outbox) on one io_context and runs it until SIGINT
// or SIGTERM. SIGHUP reloads the issuer key set. Returns the process exit code.
#pragma once

#include "controller/config.hpp"

namespace passgate::daemon {

[[nodiscard]] int run_daemon(const controller::GateConfig& config);

}  // namespace passgate::daemon
