// passgatectl lanes / lane N out-of-service|in-service: what each lane is doing, and taking a
// lane out of service (scans refused with lane_unavailable, egress stays free) or back, over
// the running gate's control socket. The change is logged by the gate with the operator's name.
#include <iostream>
#include <memory>

#include "tools/passgatectl/commands.hpp"
#include "tools/passgatectl/gate_connection.hpp"
#include "tools/passgatectl/invoking_operator.hpp"
#include "tools/passgatectl/lanes_table.hpp"

namespace passgate::ctl {
using json = nlohmann::json;

namespace {

int run_lanes(const ControlTarget& target, bool as_json) {
  auto reply = ask_gate(target, json{{"cmd", "lanes"}});
  if (!reply.ok()) return report_failure(reply.error());
  if (as_json) {
    print_json(*reply);
    return 0;
  }
  if (reply->value("fire_alarm", false)) std::cout << "FIRE ALARM: every lane is free in both directions\n";
  print_lanes_table(reply->value("lanes", json::array()), std::cout);
  return 0;
}

int run_set_service(const ControlTarget& target, int lane, bool in_service, const std::string& reason) {
  auto reply = ask_gate(target, json{{"cmd", "lane.service"},
                                     {"lane", lane},
                                     {"in_service", in_service},
                                     {"operator", invoking_operator()},
                                     {"reason", reason}});
  if (!reply.ok()) return report_failure(reply.error());
  std::cout << "lane " << lane << " is " << (in_service ? "back in service" : "out of service")
            << (in_service ? "" : ": scans are refused (lane_unavailable), egress stays free") << '\n';
  return 0;
}

}  // namespace

void add_lane_commands(CLI::App& app, int& exit_code) {
  auto target = std::make_shared<ControlTarget>();
  auto as_json = std::make_shared<bool>(false);
  auto* lanes = app.add_subcommand("lanes", "show every lane: state, service, scanner, alarms (from the running gate)");
  add_control_options(*lanes, *target);
  lanes->add_flag("--json", *as_json, "print one JSON object");
  lanes->callback([target, as_json, &exit_code] { exit_code = run_lanes(*target, *as_json); });

  auto lane_number = std::make_shared<int>(0);
  auto reason = std::make_shared<std::string>();
  auto* lane = app.add_subcommand("lane", "take a lane out of service or put it back");
  add_control_options(*lane, *target);
  lane->add_option("N", *lane_number, "the lane's number")->required();
  lane->require_subcommand(1);
  auto* out = lane->add_subcommand("out-of-service", "refuse scans on the lane (egress stays free)");
  out->add_option("--reason", *reason, "why, for the gate's log (e.g. \"barrier repair\")");
  out->fallthrough();  // --config and --socket may come after the action too
  out->callback([=, &exit_code] { exit_code = run_set_service(*target, *lane_number, false, *reason); });
  auto* in = lane->add_subcommand("in-service", "put the lane back in service (once its beams are clear)");
  in->add_option("--reason", *reason, "why, for the gate's log");
  in->fallthrough();
  in->callback([=, &exit_code] { exit_code = run_set_service(*target, *lane_number, true, *reason); });
}

}  // namespace passgate::ctl
