// What every passgatectl watch shares (status --watch, hw inputs|scanners --watch): Ctrl-C
// and SIGTERM end it cleanly (StopSignals, exit 0), what it prints goes out at once, through
// a pipe too, and a gate that goes away ends it with a message saying so (exit 3).
#pragma once

#include "common/result.hpp"
#include "tools/passgatectl/stop_signals.hpp"

namespace passgate::ctl {

// "passgatectl: the gate went away while watching: <why>" on standard error; its exit code.
[[nodiscard]] int report_gate_gone(const Error& error);

}  // namespace passgate::ctl
