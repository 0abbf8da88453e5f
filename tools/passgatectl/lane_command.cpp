// passgatectl lanes / lane N out-of-service|in-service: what each lane is doing, and taking a
// lane out of service or back, over the running gate's control socket. The lanes are asked
// first, so a lane the gate does not have is answered with the ones it has, and a lane
// already in the state asked for is told so (nothing is sent). What out of service does is
// said as controller/lanes does it: an entry lane refuses scans (lane_unavailable) and keeps
// egress free; an exit lane keeps its barrier released for leaving. The change is logged by
// the gate with the operator's name.
#include <algorithm>
#include <algorithm>
#include <iostream>
#include <memory>

#include "tools/passgatectl/commands.hpp"
#include "tools/passgatectl/display_format.hpp"
#include "tools/passgatectl/gate_connection.hpp"
#include "tools/passgatectl/invoking_operator.hpp"
#include "tools/passgatectl/lanes_table.hpp"
#include "tools/passgatectl/usage_error.hpp"

namespace passgate::ctl {
using json = nlohmann::json;

namespace {

struct LaneArgs {
  int lane = 0;
  std::string reason;
};

void print_lanes(const json& reply, std::ostream& out) {
  if (reply.value("fire_alarm", false)) {
    out << "FIRE ALARM" << fire_alarm_cause(reply) << ": every lane is free in both directions\n";
  }
  print_lanes_table(reply.value("lanes", json::array()), out);
}

// "1 (entry), 2 (exit)"
std::string lane_list(const json& lanes) {
  std::string out;
  for (const auto& l : lanes) {
    out += (out.empty() ? "" : ", ") + std::to_string(l.value("lane", 0)) + " (" + l.value("kind", "") + ")";
  }
  return out.empty() ? "none" : out;
}

// What the lane does now, in the words of controller/lanes/entry_lane.hpp and exit_lane.hpp.
std::string service_effect(const json& lane, bool in_service) {
  const std::string name = lane.value("kind", "") + " lane " + std::to_string(lane.value("lane", 0));
  if (in_service) return name + " is back in service: it returns to normal once its beams are clear";
  if (lane.value("kind", "") == "exit") {
    return name + " is out of service: its barrier stays released for leaving (egress stays free) and it shows red; "
                  "leaving is still reported, coming in through it is a wrong_way alarm";
  }
  return name + " is out of service: scans are refused (lane_unavailable on its display), it shows red, and its "
                "barrier stays free for leaving (egress stays free)";
}

int run_set_service(const Cli& cli, const LaneArgs& args, bool in_service) {
  auto lanes = ask_gate(cli.target, json{{"cmd", "lanes"}});
  if (!lanes.ok()) return report_failure(lanes.error());
  const json all = lanes->value("lanes", json::array());
  const auto lane = std::find_if(all.begin(), all.end(), [&](const json& l) { return l.value("lane", 0) == args.lane; });
  if (lane == all.end()) {
    return report_failure(make_error("unknown_lane", "lane " + std::to_string(args.lane) +
                                                         " is not configured on this gate; its lanes: " + lane_list(all)));
  }
  const std::string wanted = in_service ? "in service" : "out of service";
  if (lane->value("in_service", true) == in_service) {
    if (cli.json) {
      print_json(json{{"lane", *lane}, {"changed", false}});
    } else {
      std::cout << "lane " << args.lane << " is already " << wanted << "; nothing changed\n";
    }
    return kExitOk;
  }
  auto reply = ask_gate(cli.target, json{{"cmd", "lane.service"},
                                         {"lane", args.lane},
                                         {"in_service", in_service},
                                         {"operator", invoking_operator()},
                                         {"reason", args.reason}});
  if (!reply.ok()) return report_failure(reply.error());
  (*reply)["changed"] = true;
  if (cli.json) {
    print_json(*reply);
  } else {
    std::cout << service_effect(reply->value("lane", *lane), in_service) << '\n';
  }
  return kExitOk;
}

}  // namespace

void add_lane_commands(CLI::App& app, Cli& cli) {
  auto* lanes = app.add_subcommand("lanes", "show every lane: state, service, scanner, alarms (from the running gate)");
  lanes->callback([&cli] { cli.exit_code = ask_and_print(cli.target, json{{"cmd", "lanes"}}, cli.json, print_lanes); });

  auto args = std::make_shared<LaneArgs>();
  auto* lane = app.add_subcommand("lane", "take a lane out of service or put it back");
  lane->add_option("N", args->lane, "the lane's number, as passgatectl lanes lists them")
      ->required()
      ->check(whole_number(1, 2147483647, [](const std::string& text) {
        return "lane: \"" + text + "\" is not a lane number; lanes are numbered from 1 (passgatectl lanes lists them)";
      }));
  lane->require_subcommand(1);
  auto* out = lane->add_subcommand("out-of-service", "take the lane out of service: an entry lane refuses scans, "
                                                     "an exit lane stays released for leaving; egress stays free");
  out->add_option("--reason", args->reason, "why, for the gate's log (e.g. \"barrier repair\")")->option_text("TEXT");
  out->callback([args, &cli] { cli.exit_code = run_set_service(cli, *args, false); });
  auto* in = lane->add_subcommand("in-service", "put the lane back in service (once its beams are clear)");
  in->add_option("--reason", args->reason, "why, for the gate's log")->option_text("TEXT");
  in->callback([args, &cli] { cli.exit_code = run_set_service(cli, *args, true); });
}

}  // namespace passgate::ctl
