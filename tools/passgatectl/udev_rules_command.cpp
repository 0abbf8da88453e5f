// passgatectl udev-rules [--config FILE] [--output FILE]: prints (or with --output writes,
// atomically, mode 0644) the udev rules that give the gate's configured code scanners
// ([io.scanners."laneN.entry"]) to the passgate group, mode 0660, so passgated (user
// passgate) can open them. Only the scanner part of the config must be valid
// (scanner_config.hpp): other problems are reported as a note. Store IT installs the output
// as /etc/udev/rules.d/61-passgate-scanners.rules (docs/install.md). The GPIO chips' rule does not
// depend on the config and ships in the package (config/udev/60-passgate-gpio.rules).
//   hid_pos, keyboard: libusb opens the USB device node (/dev/bus/usb/BBB/DDD), matched by
//                      vendor:product id and, if configured, serial number.
//   serial:            the tty, matched by kernel name ("/dev/ttyACM0") or, for a link such as
//                      "/dev/serial/by-id/...", by that link (udev's own rules make it first).
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "controller/config/config.hpp"
#include "tools/passgatectl/atomic_file.hpp"
#include "tools/passgatectl/commands.hpp"
#include "tools/passgatectl/gate_connection.hpp"
#include "tools/passgatectl/scanner_config.hpp"
#include "tools/passgatectl/usage_error.hpp"

namespace passgate::ctl {
namespace {

constexpr std::string_view kAccess = R"(GROUP="passgate", MODE="0660")";

// udev compares a rule's value as a glob with "|" alternatives, between double quotes: a value
// with any of those characters (or a control character) cannot be matched literally.
Result<std::string> quoted(std::string_view scanner, std::string_view what, std::string_view value) {
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f || std::string_view(R"("\*?[]|)").find(c) != std::string_view::npos) {
      return make_error("unmatchable", std::string(scanner) + ": its " + std::string(what) + " \"" +
                                           std::string(value) +
                                           "\" holds a character a udev rule cannot match literally (one of "
                                           "\" \\ * ? [ ] | or a control character); write the rule by hand");
    }
  }
  return "\"" + std::string(value) + "\"";
}

std::string hex4(std::uint16_t id) {
  char text[5];
  std::snprintf(text, sizeof text, "%04x", static_cast<unsigned>(id));
  return text;
}

Result<std::string> usb_rule(const std::string& name, const controller::ScannerConfig& scanner) {
  std::string match = R"(SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ATTR{idVendor}==")" +
                      hex4(scanner.usb_vendor) + R"(", ATTR{idProduct}==")" + hex4(scanner.usb_product) + "\"";
  if (!scanner.usb_serial.empty()) {
    auto serial = quoted(name, "usb_serial", scanner.usb_serial);
    if (!serial) return serial.error();
    match += ", ATTR{serial}==" + *serial;
  }
  return match;
}

// "/dev/ttyACM0" -> KERNEL=="ttyACM0"; "/dev/serial/by-id/x" and other links -> SYMLINK=="serial/by-id/x".
Result<std::string> serial_rule(const std::string& name, const controller::ScannerConfig& scanner) {
  constexpr std::string_view kDev = "/dev/";
  const std::string device = scanner.device.string();
  if (!device.starts_with(kDev) || device.size() == kDev.size()) {
    return make_error("not_a_device", name + ": its device \"" + device +
                                          "\" is not under /dev/; udev rules name devices there");
  }
  const std::string node = device.substr(kDev.size());
  auto value = quoted(name, "device", node);
  if (!value) return value.error();
  const bool kernel_name = node.find('/') == std::string::npos && node.starts_with("tty");
  return R"(SUBSYSTEM=="tty", )" + std::string(kernel_name ? "KERNEL==" : "SYMLINK==") + *value;
}

// The rules file for the scanners of `io` (read from `config_file`), or the first scanner that
// no rule can match.
Result<std::string> scanner_rules(const controller::IoConfig& io, const std::string& config_file) {
  std::string out =
      "# Passgate: the code scanners of " + config_file +
      " belong to the passgate group, so passgated can open them.\n"
      "# Written by `passgatectl udev-rules`; install as /etc/udev/rules.d/61-passgate-scanners.rules, then run\n"
      "#   udevadm control --reload && udevadm trigger --action=change --subsystem-match=usb --subsystem-match=tty\n"
      "# and write it again whenever [io.scanners] changes.\n";
  if (io.scanners.empty()) return out + "# (no scanners in [io.scanners]: nothing to give)\n";
  for (const auto& [name, scanner] : io.scanners) {
    const bool serial = scanner.kind == controller::ScannerKind::serial;
    auto match = serial ? serial_rule(name, scanner) : usb_rule(name, scanner);
    if (!match) return match.error();
    out += "# " + name + ": " + (serial ? "serial port " + scanner.device.string()
                                        : "USB device " + hex4(scanner.usb_vendor) + ":" + hex4(scanner.usb_product)) +
           "\n";
    out += *match + ", " + std::string(kAccess) + "\n";
  }
  return out;
}

int run_udev_rules(const std::string& config_file, const std::string& output) {
  const auto load = load_scanner_config(config_file);
  if (!load.io) {
    for (const auto& problem : load.problems) std::cerr << controller::format_problem(problem) << '\n';
    return report_failure(make_error("invalid_config", "udev-rules: the scanners of " + config_file +
                                                           " have problems (above); fix them first" +
                                                           (output.empty() ? "" : " (" + output + " is left as it was)")));
  }
  const auto rules = scanner_rules(*load.io, config_file);
  if (!rules) return report_failure(rules.error());
  if (load.problems_elsewhere > 0) {
    std::cerr << "passgatectl: note: " << config_file << " has " << load.problems_elsewhere
              << " problem(s) outside [io.scanners] (passgatectl check-config " << config_file
              << " lists them); the scanners' rules do not depend on them\n";
  }
  if (output.empty()) {
    std::cout << *rules;
    return kExitOk;
  }
  if (auto written = write_file_atomically(output, *rules, 0644); !written) return report_failure(written.error());
  std::cout << "wrote " << output << "; apply it with: udevadm control --reload && udevadm trigger --action=change "
                                     "--subsystem-match=usb --subsystem-match=tty\n";
  return kExitOk;
}

}  // namespace

void add_udev_rules_command(CLI::App& app, Cli& cli) {
  auto* command = app.add_subcommand(
      "udev-rules", "print udev rules that give the configured scanners to the passgate group "
                    "(install as /etc/udev/rules.d/61-passgate-scanners.rules)");
  auto output = std::make_shared<std::string>();
  command->add_option("-o,--output", *output, "write the rules to FILE (atomically, mode 0644) instead of printing them")
      ->option_text("FILE");
  command->callback([output, &cli] {
    if (cli.json) throw UsageError("udev-rules prints udev rules, not JSON: --json does not apply");
    const std::string config_file = cli.target.config_file.empty() ? kDefaultConfigFile : cli.target.config_file;
    cli.exit_code = run_udev_rules(config_file, *output);
  });
}

}  // namespace passgate::ctl
