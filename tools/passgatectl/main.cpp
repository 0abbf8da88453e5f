// passgatectl: the operator CLI for store IT (check a config; inspect and operate the running
// gate over its control socket: status, lanes, sessions, the payment queue, reload, hw checks).
#include "tools/passgatectl/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"passgatectl: operate a Passgate gate controller"};
  app.require_subcommand(1);
  int exit_code = 0;
  passgate::ctl::add_check_config_command(app, exit_code);
  passgate::ctl::add_status_command(app, exit_code);
  passgate::ctl::add_sessions_command(app, exit_code);
  passgate::ctl::add_queue_command(app, exit_code);
  passgate::ctl::add_outbox_command(app, exit_code);
  passgate::ctl::add_lane_commands(app, exit_code);
  passgate::ctl::add_reload_command(app, exit_code);
  passgate::ctl::add_hw_command(app, exit_code);
  passgate::ctl::add_udev_rules_command(app, exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
