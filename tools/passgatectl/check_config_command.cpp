// PLACEHOLDER until config loading lands.
#include "tools/passgatectl/commands.hpp"

namespace passgate::ctl {

void add_check_config_command(CLI::App& app, int& exit_code) {
  app.add_subcommand("check-config", "not yet implemented")->callback([&exit_code] { exit_code = 2; });
}

}  // namespace passgate::ctl
