// passgate-sim: simulators of everything around the gate, for demos and tests.
//   passgate-sim token ...     issuer keys, JWKS, good and bad entry tokens
//   passgate-sim tracking ...  the tracking engine's server side, in memory, on loopback
//   passgate-sim rig ...       the hardware-in-the-loop rig: beams, barriers, shoppers
//   passgate-sim gateway ...   the payment gateway's server side (PaymentIntents), with a ledger
#include "common/version.hpp"
#include "tools/sim/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"passgate-sim: simulated issuer, tracking engine, payment gateway and gate rig for Passgate"};
  app.require_subcommand(1);
  app.set_version_flag("--version", passgate::version_line("passgate-sim"), "print the version and exit");
  int exit_code = 0;
  passgate::sim::add_token_command(app, exit_code);
  passgate::sim::add_tracking_command(app, exit_code);
  passgate::sim::add_rig_command(app, exit_code);
  passgate::sim::add_gateway_command(app, exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
