// passgatectl: the operator CLI for store IT (check a config, inspect the gate's state, resolve
// the payment queue's dead letters).
#include "tools/passgatectl/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"passgatectl: operate a Passgate gate controller"};
  app.require_subcommand(1);
  int exit_code = 0;
  passgate::ctl::add_check_config_command(app, exit_code);
  passgate::ctl::add_status_command(app, exit_code);
  passgate::ctl::add_queue_command(app, exit_code);
  passgate::ctl::add_lane_commands(app, exit_code);
  passgate::ctl::add_hw_command(app, exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
