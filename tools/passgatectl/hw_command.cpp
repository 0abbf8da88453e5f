// passgatectl hw: the installer's tools, over the running gate's control socket.
//   hw inputs [--watch]    every input line with its config name, raw and debounced level;
//                          --watch prints each change as it happens (Ctrl-C ends it)
//   hw pulse LINE MS       drives an output line active for MS milliseconds (refused while its
//                          lane is in service or the fire alarm is active)
//   hw scanners [--watch]  every scanner and its state; --watch prints what each reads
#include <iomanip>
#include <iostream>
#include <memory>

#include "tools/passgatectl/commands.hpp"
#include "tools/passgatectl/gate_connection.hpp"
#include "tools/passgatectl/invoking_operator.hpp"

namespace passgate::ctl {
using json = nlohmann::json;

namespace {

struct HwOptions {
  ControlTarget target;
  bool json = false;
  bool watch = false;
  std::string line;
  int ms = 0;
};

// A level the gate has not heard yet (the fire alarm before the first report) is null.
std::string level_text(const json& v) {
  if (!v.is_boolean()) return "unknown";
  return v.get<bool>() ? "active" : "inactive";
}

void print_input_table(const json& inputs, std::ostream& out) {
  out << std::left << std::setw(22) << "INPUT" << std::setw(10) << "RAW" << "DEBOUNCED\n";
  for (const auto& i : inputs) {
    out << std::left << std::setw(22) << i.value("line", "") << std::setw(10) << level_text(i["raw"])
        << level_text(i["level"]) << '\n';
  }
}

void print_event(const json& event, std::ostream& out) {
  const std::string kind = event.value("event", "");
  const std::string at = event.value("at", "");
  if (kind == "input") {
    out << at << "  " << std::left << std::setw(22) << event.value("line", "") << " raw " << std::setw(9)
        << level_text(event["raw"]) << " debounced " << level_text(event["level"]) << std::endl;
  } else if (kind == "scan") {
    out << at << "  " << event.value("scanner", "") << " read " << event.value("text", "") << " ("
        << event.value("length", 0) << " bytes)" << std::endl;
  } else if (kind == "scanner") {
    out << at << "  " << event.value("scanner", "") << (event.value("connected", false) ? " connected: " : " LOST: ")
        << event.value("detail", "") << std::endl;
  }
}

int with_gate(const HwOptions& o, const json& request, const std::function<void(const json&)>& show,
              const std::function<bool(const json&)>& on_event = nullptr) {
  auto gate = connect_to_gate(o.target);
  if (!gate.ok()) return report_failure(gate.error());
  auto reply = gate->request(request);
  if (!reply.ok()) return report_failure(reply.error());
  reply->erase("ok");
  if (o.json) {
    print_json(*reply);
  } else {
    show(*reply);
  }
  if (!on_event) return 0;
  std::cout.flush();  // watching: what is known now shows at once, through a pipe too
  if (auto watched = gate->read_events(on_event); !watched) return report_failure(watched.error());
  return 0;
}

// With --watch: prints each event the gate streams (JSON or a line of text) and keeps reading.
std::function<bool(const json&)> event_printer(const HwOptions& o) {
  if (!o.watch) return nullptr;
  return [&o](const json& e) {
    if (o.json) {
      std::cout << e.dump() << std::endl;
    } else {
      print_event(e, std::cout);  // each line ends with std::endl: shown as it happens
    }
    return true;
  };
}

int run_inputs(const HwOptions& o) {
  return with_gate(
      o, json{{"cmd", "hw.inputs"}, {"watch", o.watch}}, [](const json& r) { print_input_table(r["inputs"], std::cout); },
      event_printer(o));
}

int run_scanners(const HwOptions& o) {
  const auto show = [](const json& r) {
    std::cout << std::left << std::setw(14) << "SCANNER" << std::setw(10) << "KIND" << std::setw(24) << "DEVICE"
              << std::setw(11) << "STATE" << "DETAIL\n";
    for (const auto& s : r["scanners"]) {
      std::cout << std::left << std::setw(14) << s.value("name", "") << std::setw(10) << s.value("kind", "")
                << std::setw(24) << s.value("device", "") << std::setw(11)
                << (s.value("connected", false) ? "connected" : "LOST") << s.value("detail", "") << '\n';
    }
  };
  return with_gate(o, json{{"cmd", "hw.scanners"}, {"watch", o.watch}}, show, event_printer(o));
}

int run_pulse(const HwOptions& o) {
  const json request{{"cmd", "hw.pulse"}, {"line", o.line}, {"ms", o.ms}, {"operator", invoking_operator()}};
  return with_gate(o, request, [&o](const json&) {
    std::cout << o.line << " driven active for " << o.ms << " ms\n";
  });
}

}  // namespace

void add_hw_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<HwOptions>();
  auto* hw = app.add_subcommand("hw", "installer checks on the running gate's lines and scanners");
  hw->require_subcommand(1);

  auto* inputs = hw->add_subcommand("inputs", "every input line with its config name and level");
  add_control_options(*inputs, o->target);
  inputs->add_flag("--watch", o->watch, "keep printing every change until interrupted");
  inputs->add_flag("--json", o->json, "print JSON (one object per line with --watch)");
  inputs->callback([o, &exit_code] { exit_code = run_inputs(*o); });

  auto* pulse = hw->add_subcommand("pulse", "drive an output line active briefly (its lane must be out of service)");
  add_control_options(*pulse, o->target);
  pulse->add_option("LINE", o->line, "an output line, e.g. lane1.buzzer or lane2.release_in")->required();
  pulse->add_option("MS", o->ms, "how long, in milliseconds (1-10000)")->required()->check(CLI::Range(1, 10000));
  pulse->callback([o, &exit_code] { exit_code = run_pulse(*o); });

  auto* scanners = hw->add_subcommand("scanners", "every scanner and its state; --watch shows what each reads");
  add_control_options(*scanners, o->target);
  scanners->add_flag("--watch", o->watch, "keep printing reads and connection changes until interrupted");
  scanners->add_flag("--json", o->json, "print JSON (one object per line with --watch)");
  scanners->callback([o, &exit_code] { exit_code = run_scanners(*o); });
}

}  // namespace passgate::ctl
