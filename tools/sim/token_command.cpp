// PLACEHOLDER until the token simulator lands; replaced by its real implementation.
#include "tools/sim/commands.hpp"

namespace passgate::sim {

void add_token_command(CLI::App& app, int& exit_code) {
  app.add_subcommand("token", "not yet implemented")->callback([&exit_code] { exit_code = 2; });
}

}  // namespace passgate::sim
