// The subcommands of passgatectl, the operator CLI. Each registers itself on the CLI11 app
// and, when run, stores its process exit code (exit_codes.hpp) in `cli.exit_code`.
#pragma once

#include <CLI/CLI.hpp>

#include "tools/passgatectl/exit_codes.hpp"
#include "tools/passgatectl/gate_connection.hpp"

namespace passgate::ctl {

// What every command shares, from the options passgatectl takes before or after any command
// (main.cpp): where the gate is (-c/--config, --socket, --timeout), --json, and the exit code.
struct Cli {
  ControlTarget target;
  bool json = false;
  int exit_code = kExitOk;
};

void add_check_config_command(CLI::App& app, Cli& cli);  // check_config_command.cpp
void add_status_command(CLI::App& app, Cli& cli);        // status_command.cpp
void add_sessions_command(CLI::App& app, Cli& cli);      // sessions_command.cpp
void add_reload_command(CLI::App& app, Cli& cli);        // reload_command.cpp
void add_queue_command(CLI::App& app, Cli& cli);         // queue_command.cpp
void add_outbox_command(CLI::App& app, Cli& cli);        // outbox_command.cpp
void add_lane_commands(CLI::App& app, Cli& cli);         // lane_command.cpp (lanes, lane N ...)
void add_hw_command(CLI::App& app, Cli& cli);            // hw_command.cpp
void add_udev_rules_command(CLI::App& app, Cli& cli);    // udev_rules_command.cpp
void add_status_page_command(CLI::App& app, Cli& cli);   // status_page_command.cpp

}  // namespace passgate::ctl
