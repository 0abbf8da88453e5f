// PLACEHOLDER until the tracking simulator lands; replaced by its real implementation.
#include "tools/sim/commands.hpp"

namespace passgate::sim {

void add_tracking_command(CLI::App& app, int& exit_code) {
  app.add_subcommand("tracking", "not yet implemented")->callback([&exit_code] { exit_code = 2; });
}

}  // namespace passgate::sim
