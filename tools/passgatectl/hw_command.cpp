// passgatectl hw: the installer's tools, over the running gate's control socket.
//   hw inputs [--watch]    every input line with its config name, raw and debounced level
//                          ("unknown" before anything was reported); --watch prints each
//                          change as it happens (Ctrl-C ends it)
//   hw pulse LINE MS       drives an output line active for MS milliseconds (refused while its
//                          lane is in service or the fire alarm is active)
//   hw scanners [--watch]  every scanner and its state; --watch prints what each reads
// The watches end cleanly on Ctrl-C or SIGTERM, and with exit 3 when the gate goes away (watch.hpp).
#include <iostream>
#include <memory>
#include <optional>

#include "tools/passgatectl/commands.hpp"
#include "tools/passgatectl/display_format.hpp"
#include "tools/passgatectl/gate_connection.hpp"
#include "tools/passgatectl/invoking_operator.hpp"
#include "tools/passgatectl/usage_error.hpp"
#include "tools/passgatectl/watch.hpp"

namespace passgate::ctl {
using json = nlohmann::json;

namespace {

struct HwArgs {
  bool watch = false;
  std::string line;
  int ms = 0;
};

// A level the gate has not heard yet (before the first report) is null.
std::string level_text(const json& v) {
  if (!v.is_boolean()) return "unknown";
  return v.get<bool>() ? "active" : "inactive";
}

void print_fire_alarm(const json& reply, std::ostream& out) {
  if (reply.value("fire_alarm", false)) {
    out << "the fire alarm is active" << fire_alarm_cause(reply) << ": every lane is free in both directions\n";
  }
}

void print_inputs(const json& reply, std::ostream& out) {
  print_fire_alarm(reply, out);
  TableRows rows{{"INPUT", "RAW", "DEBOUNCED"}};
  for (const auto& i : reply.value("inputs", json::array())) {
    rows.push_back({i.value("line", ""), level_text(i.value("raw", json())), level_text(i.value("level", json()))});
  }
  print_table(rows, out);
}

void print_scanners(const json& reply, std::ostream& out) {
  TableRows rows{{"SCANNER", "KIND", "DEVICE", "STATE", "DETAIL"}};
  for (const auto& s : reply.value("scanners", json::array())) {
    rows.push_back({s.value("name", ""), s.value("kind", ""), s.value("device", ""),
                    s.value("connected", false) ? "connected" : "LOST", s.value("detail", "")});
  }
  print_table(rows, out);
}

void print_event(const json& event, std::ostream& out) {
  const std::string kind = event.value("event", "");
  const std::string at = event.value("at", "");
  if (kind == "input") {
    out << at << "  " << event.value("line", "") << "  raw " << level_text(event.value("raw", json()))
        << "  debounced " << level_text(event.value("level", json())) << '\n';
  } else if (kind == "scan") {
    out << at << "  " << event.value("scanner", "") << " read " << event.value("text", "") << " ("
        << event.value("length", 0) << " bytes)\n";
  } else if (kind == "scanner") {
    out << at << "  " << event.value("scanner", "") << (event.value("connected", false) ? " connected: " : " LOST: ")
        << event.value("detail", "") << '\n';
  }
}

// Asks, prints the answer (JSON or with `show`), and with --watch then every event until
// Ctrl-C, SIGTERM or the gate going away.
int with_gate(const Cli& cli, bool watch, const json& request, const std::function<void(const json&)>& show) {
  std::optional<StopSignals> stop;  // from before the first line: a Ctrl-C after it ends the watch cleanly
  if (watch) stop.emplace();
  auto gate = connect_to_gate(cli.target);
  if (!gate.ok()) return report_failure(gate.error());
  auto reply = gate->request(request);
  if (!reply.ok()) return report_failure(reply.error());
  reply->erase("ok");
  if (cli.json) {
    print_json(*reply);
  } else {
    show(*reply);
  }
  std::cout.flush();  // watching: what is known now shows at once, through a pipe too
  if (!watch) return kExitOk;
  const auto watched = gate->read_events([&cli](const json& event) {
    if (cli.json) {
      std::cout << event.dump() << '\n';
    } else {
      print_event(event, std::cout);
    }
    std::cout.flush();  // each event as it happens
    return true;
  });
  return watched ? kExitOk : report_gate_gone(watched.error());
}

}  // namespace

void add_hw_command(CLI::App& app, Cli& cli) {
  auto o = std::make_shared<HwArgs>();
  auto* hw = app.add_subcommand("hw", "installer checks on the running gate's lines and scanners");
  hw->require_subcommand(1);

  auto* inputs = hw->add_subcommand("inputs", "every input line with its config name and level");
  inputs->add_flag("--watch", o->watch, "keep printing every change until interrupted (Ctrl-C)");
  inputs->callback([o, &cli] {
    cli.exit_code = with_gate(cli, o->watch, json{{"cmd", "hw.inputs"}, {"watch", o->watch}},
                              [](const json& r) { print_inputs(r, std::cout); });
  });

  auto* pulse = hw->add_subcommand("pulse", "drive an output line active briefly (its lane must be out of service)");
  pulse->add_option("LINE", o->line, "an output line, e.g. lane1.buzzer or lane2.release_in")->required();
  pulse->add_option("MS", o->ms, "how long, in milliseconds (1-10000)")
      ->required()
      ->check(whole_number(1, 10000, [](const std::string& text) {
        return "hw pulse: MS is how long to drive the line, in milliseconds from 1 to 10000, not " + text;
      }));
  pulse->callback([o, &cli] {
    const json request{{"cmd", "hw.pulse"}, {"line", o->line}, {"ms", o->ms}, {"operator", invoking_operator()}};
    cli.exit_code = with_gate(cli, false, request, [&o](const json&) {
      std::cout << o->line << " driven active for " << o->ms << " ms\n";
    });
  });

  auto* scanners = hw->add_subcommand("scanners", "every scanner and its state; --watch shows what each reads");
  scanners->add_flag("--watch", o->watch, "keep printing reads and connection changes until interrupted (Ctrl-C)");
  scanners->callback([o, &cli] {
    cli.exit_code = with_gate(cli, o->watch, json{{"cmd", "hw.scanners"}, {"watch", o->watch}},
                              [](const json& r) { print_scanners(r, std::cout); });
  });
}

}  // namespace passgate::ctl
