// passgatectl check-config FILE: reports every problem in a gate config file (exit 1), or
// summarizes what a valid one sets up (exit 0).
#include <iostream>
#include <memory>
#include <string>

#include "controller/config.hpp"
#include "controller/config_summary.hpp"
#include "tools/passgatectl/commands.hpp"

namespace passgate::ctl {

void add_check_config_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("check-config", "Check a gate config file and report every problem in it");
  auto file = std::make_shared<std::string>();
  command->add_option("FILE", *file, "the config file, e.g. /etc/passgate/gate.toml")->required();
  command->callback([file, &exit_code] {
    const auto load = controller::load_config(*file);
    if (!load.config) {
      for (const auto& problem : load.problems) std::cerr << controller::format_problem(problem) << '\n';
      const auto n = load.problems.size();
      std::cerr << n << (n == 1 ? " problem in " : " problems in ") << *file << '\n';
      exit_code = 1;
      return;
    }
    std::cout << *file << " is valid. " << controller::summarize_config(*load.config) << '\n';
    exit_code = 0;
  });
}

}  // namespace passgate::ctl
