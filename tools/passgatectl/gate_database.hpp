// What every passgatectl command that reads or changes the gate's state starts from: the
// config file named by --config and the gate's SQLite database that it names. passgatectl
// works beside a running passgated (WAL mode: readers never wait; an operator action waits
// up to db::Database::kBusyTimeoutMs for the daemon's write lock). It never creates a
// database: a missing one means a wrong config or a gate that never ran.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "common/result.hpp"
#include "controller/config.hpp"
#include "db/database.hpp"

namespace passgate::ctl {

struct GateDatabase {
  controller::GateConfig config;
  std::unique_ptr<db::Database> database;
};

inline constexpr const char* kDefaultConfigFile = "/etc/passgate/passgate.toml";

// Adds "-c,--config FILE" (default kDefaultConfigFile) to `command`.
void add_config_option(CLI::App& command, std::string& config_file);

// Reads and checks the config file. Error "bad_config" (every problem, one per line).
[[nodiscard]] Result<controller::GateConfig> load_gate_config(const std::string& config_file);

// Errors: "bad_config" (every problem, one per line), "no_database" (the file the config
// names does not exist), or Database::open's errors.
[[nodiscard]] Result<GateDatabase> open_gate_database(const std::string& config_file);

// Prints "passgatectl: <message>" on standard error; returns the exit code for a failure, 1.
int report_failure(const Error& error);

}  // namespace passgate::ctl
