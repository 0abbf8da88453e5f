// The subcommands of passgatectl, the operator CLI. Each registers itself on the CLI11 app
// and, when run, stores its process exit code in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

namespace passgate::ctl {

void add_check_config_command(CLI::App& app, int& exit_code);  // check_config_command.cpp
void add_status_command(CLI::App& app, int& exit_code);        // status_command.cpp
void add_sessions_command(CLI::App& app, int& exit_code);      // sessions_command.cpp
void add_reload_command(CLI::App& app, int& exit_code);        // reload_command.cpp
void add_queue_command(CLI::App& app, int& exit_code);         // queue_command.cpp
void add_outbox_command(CLI::App& app, int& exit_code);        // outbox_command.cpp
void add_lane_commands(CLI::App& app, int& exit_code);         // lane_command.cpp (lanes, lane N ...)
void add_hw_command(CLI::App& app, int& exit_code);            // hw_command.cpp
void add_udev_rules_command(CLI::App& app, int& exit_code);    // udev_rules_command.cpp

}  // namespace passgate::ctl
