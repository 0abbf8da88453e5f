// passgated: the Passgate gate controller daemon.
//   passgated --config /etc/passgate/passgate.toml
// Refuses to start on an invalid config, printing every problem as file:line:column (exit
// 78), and when another passgated runs on the same state directory (exit 75, naming its PID).
// SIGTERM, SIGINT and SIGHUP are held from the first line until the daemon handles them
// (startup_signals.hpp).
#include <CLI/CLI.hpp>
#include <iostream>

#include "common/version.hpp"
#include "controller/config/config.hpp"
#include "passgated/daemon.hpp"
#include "passgated/logging.hpp"
#include "passgated/startup_signals.hpp"
#include "drivers/instance_lock.hpp"

int main(int argc, char** argv) {
  // Before anything else, above all before any thread starts: a SIGHUP or SIGTERM that comes
  // while the gate starts waits for run_daemon's handlers instead of killing it.
  if (auto held = passgate::daemon::hold_daemon_signals(); !held.ok()) {
    std::cerr << "passgated: " << held.error().message << '\n';
  }
  CLI::App app{"passgated: Passgate gate controller"};
  std::string config_file = "/etc/passgate/passgate.toml";
  app.add_option("-c,--config", config_file, "configuration file")->capture_default_str();
  app.set_version_flag("--version", passgate::version_line("passgated"), "print the version and exit");
  CLI11_PARSE(app, argc, argv);

  const auto load = passgate::controller::load_config(config_file);
  if (!load.problems.empty()) {
    for (const auto& p : load.problems) std::cerr << passgate::controller::format_problem(p) << '\n';
    std::cerr << "passgated: refusing to start: " << load.problems.size() << " problem(s) in " << config_file << '\n';
    return passgate::daemon::kExitBadConfig;
  }
  // Before anything is touched (the log file, the database, the sockets, the lines): one
  // passgated per state directory, held until the process ends.
  const auto lock = passgate::drivers::InstanceLock::acquire(load.config->database.parent_path());
  if (!lock.ok()) {
    std::cerr << "passgated: refusing to start: " << lock.error().message << '\n';
    return lock.error().code == "locked" ? passgate::daemon::kExitLocked : passgate::daemon::kExitBadConfig;
  }
  if (auto logging = passgate::daemon::setup_logging(load.config->logging); !logging.ok()) {
    std::cerr << "passgated: " << logging.error().message << '\n';
    return passgate::daemon::kExitBadConfig;
  }
  return passgate::daemon::run_daemon(*load.config);
}
