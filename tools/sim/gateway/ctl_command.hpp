// `passgate-sim gateway-ctl`: tells a running `passgate-sim gateway` what to do through its
// control port (fault, ledger, forget-keys, reader), so scripts need no curl. Registered by
// add_gateway_command() next to `gateway`.
#pragma once

#include <CLI/CLI.hpp>

namespace passgate::sim {

void add_gateway_ctl_command(CLI::App& app, int& exit_code);

}  // namespace passgate::sim
