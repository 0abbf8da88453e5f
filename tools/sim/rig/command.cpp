// `passgate-sim rig`: the hardware-in-the-loop rig simulator's command line (run_rig() does the work).
#include <iostream>
#include <memory>

#include "tools/sim/commands.hpp"
#include "tools/sim/rig/run.hpp"

namespace passgate::sim {

void add_rig_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "rig", "Play a scenario of shoppers, tailgaters, exits and fire drills against passgated's rig socket");
  auto options = std::make_shared<RigOptions>();
  auto suffix = std::make_shared<std::string>("none");
  auto port = std::make_shared<int>(0);
  auto gateway_port = std::make_shared<int>(0);
  cmd->add_option("--socket", options->socket, "the gate's rig socket (io.sim.socket in its config)")->required();
  cmd->add_option("--issuer-key", options->issuer_key, "the test issuer's private key (PEM) to sign entry tokens")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--kid", options->kid, "key id of that key in the gate's key set")->required();
  cmd->add_option("--issuer", options->issuer, "iss claim: the issuer the gate is configured for")->required();
  cmd->add_option("--audience", options->audience, "aud claim: the gate's store id")->required();
  cmd->add_option("--scenario", options->scenario, "scenario file, or builtin:demo")->required();
  cmd->add_option("--time-scale", options->time_scale, "multiply every rig delay by this (0.1-10; the gate's deadlines stay)")
      ->check(CLI::Range(0.1, 10.0));
  cmd->add_option("--seed", options->seed, "seed for walking speeds and gaps");
  auto* port_option = cmd->add_option("--tracking-control-port", *port,
                                      "loopback port of the tracking simulator's /control/fault (for tracking steps)")
                          ->check(CLI::Range(1, 65535));
  auto* gateway_option = cmd->add_option("--gateway-control-port", *gateway_port,
                                         "loopback port of the gateway simulator's control endpoint (for gateway and tap steps)")
                             ->check(CLI::Range(1, 65535));
  cmd->add_option("--summary-json", options->summary_json, "also write the summary as JSON to this file");
  cmd->add_option("--scanner-suffix", *suffix, "what scanners add to a token unless a step says: none, crlf or aim")
      ->check(CLI::IsMember({"none", "crlf", "aim"}));
  cmd->callback([options, suffix, port, port_option, gateway_port, gateway_option, &exit_code] {
    options->scanner_suffix = scan_suffix_from_string(*suffix).value_or(ScanSuffix::none);
    if (port_option->count() > 0) options->tracking_control_port = static_cast<std::uint16_t>(*port);
    if (gateway_option->count() > 0) options->gateway_control_port = static_cast<std::uint16_t>(*gateway_port);
    exit_code = run_rig(*options, std::cout, std::cerr);
  });
}

}  // namespace passgate::sim
