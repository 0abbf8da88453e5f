// passgated: the Passgate gate controller daemon.
//   passgated --config /etc/passgate/passgate.toml
// Refuses to start on an invalid config, printing every problem as file:line:column.
#include <CLI/CLI.hpp>
#include <iostream>

#include "controller/config.hpp"
#include "controller/main/daemon.hpp"
#include "controller/main/logging.hpp"

int main(int argc, char** argv) {
  CLI::App app{"passgated: Passgate gate controller"};
  std::string config_file = "/etc/passgate/passgate.toml";
  app.add_option("-c,--config", config_file, "configuration file")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const auto load = passgate::controller::load_config(config_file);
  if (!load.problems.empty()) {
    for (const auto& p : load.problems) std::cerr << passgate::controller::format_problem(p) << '\n';
    std::cerr << "passgated: refusing to start: " << load.problems.size() << " problem(s) in " << config_file << '\n';
    return 78;  // EX_CONFIG: systemd does not restart-loop on it with RestartPreventExitStatus
  }
  if (auto logging = passgate::daemon::setup_logging(load.config->logging); !logging.ok()) {
    std::cerr << "passgated: " << logging.error().message << '\n';
    return 78;
  }
  return passgate::daemon::run_daemon(*load.config);
}
