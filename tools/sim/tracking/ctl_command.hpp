// `passgate-sim tracking-ctl`: tells a running `passgate-sim tracking` what to do through
// its control port (fault, block, unblock, finalize, state), so scripts need no curl.
// Registered by add_tracking_command() next to `tracking`.
#pragma once

#include <CLI/CLI.hpp>

namespace passgate::sim {

void add_tracking_ctl_command(CLI::App& app, int& exit_code);

}  // namespace passgate::sim
