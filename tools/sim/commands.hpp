// The subcommands of passgate-sim. Each registers itself on the CLI11 app and, when run,
// stores its process exit code in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

namespace passgate::sim {

void add_token_command(CLI::App& app, int& exit_code);     // token_command.cpp
void add_tracking_command(CLI::App& app, int& exit_code);  // tracking_command.cpp
void add_rig_command(CLI::App& app, int& exit_code);       // rig_command.cpp
void add_gateway_command(CLI::App& app, int& exit_code);   // gateway_command.cpp

}  // namespace passgate::sim
