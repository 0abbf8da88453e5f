// passgatectl udev-rules: the real binary, run on gate configs in a temp dir, prints one udev
// rule per configured scanner that gives its device node to the passgate group (USB scanners
// by vendor:product id and serial number, serial ones by kernel name or by-id link), and
// refuses what a rule cannot match.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/passgatectl/ctl_fixture.hpp"
#include "tests/support/minimal_gate_config.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using passgate::test::CtlFixture;
using passgate::test::CtlRun;
using passgate::test::TempDir;

// A gpiod gate with entry lanes 1 to 3 whose [io.scanners] are `scanners`, written in `dir`
// with the files it names; runs `passgatectl udev-rules --config` on it.
CtlRun udev_rules(const TempDir& dir, const std::string& config, std::vector<std::string> more = {}) {
  std::ofstream(dir / "gate.toml") << config;
  std::ofstream(dir / "keys.jwks.json") << R"({"keys":[]})";
  passgate::test::write_gate_secrets(dir.path());
  std::filesystem::create_directories(dir / "db");
  std::vector<std::string> args{"udev-rules", "--config", (dir / "gate.toml").string()};
  args.insert(args.end(), more.begin(), more.end());
  return CtlFixture::run(args);
}

std::string read_whole(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

constexpr const char* kThreeUsbScanners = R"(
[io.scanners."lane1.entry"]
type = "hid_pos"
usb_id = "0c2e:0b61"

[io.scanners."lane2.entry"]
type = "hid_pos"
usb_id = "0c2e:0b62"

[io.scanners."lane3.entry"]
type = "hid_pos"
usb_id = "0c2e:0b63"
)";

std::string gpiod_config(const std::string& scanners) {
  std::string lines;
  int offset = 0;
  for (int lane = 1; lane <= 3; ++lane) {
    for (const char* role : {"beam_outer", "beam_inner", "release_in", "release_out", "led_green", "led_red", "buzzer"}) {
      lines += "\"lane" + std::to_string(lane) + "." + role + "\" = { offset = " + std::to_string(offset++) + " }\n";
    }
  }
  return R"(store_id = "store-0042"
gate_id = "gate-a"

[tokens]
issuer = "https://app.example-retail.com"
keyset = "keys.jwks.json"

[[lanes]]
number = 1
kind = "entry"

[[lanes]]
number = 2
kind = "entry"

[[lanes]]
number = 3
kind = "entry"

[io]
backend = "gpiod"

[io.gpiod]
chip = "gpiochip0"

[io.gpiod.lines]
)" + lines + R"("fire_alarm" = { offset = 30, bias = "pull-up" }

)" + scanners + R"(
[tracking]
base_url = "http://127.0.0.1:8080"

[database]
path = "db/passgate.db"

[payments]
api_key_file = "gateway.key"
seal_key_file = "seal.key"
)";
}

// The rules alone, without the comment lines.
std::string rule_lines(const std::string& output) {
  std::istringstream in(output);
  std::string rules;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') rules += line + "\n";
  }
  return rules;
}

}  // namespace

TEST_CASE("udev-rules gives every configured scanner's device node to the passgate group") {
  TempDir dir;
  const auto run = udev_rules(dir, gpiod_config(R"(
[io.scanners."lane1.entry"]
type = "hid_pos"
usb_id = "0c2e:0b61"
usb_serial = "17344B0042"

[io.scanners."lane2.entry"]
type = "keyboard"
usb_id = "05E0:1200"

[io.scanners."lane3.entry"]
type = "serial"
device = "/dev/serial/by-id/usb-Honeywell_Imaging_1234-if00"
)"));
  CHECK(run.exit_code == 0);
  CHECK(rule_lines(run.output) ==
        R"(SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ATTR{idVendor}=="0c2e", ATTR{idProduct}=="0b61", ATTR{serial}=="17344B0042", GROUP="passgate", MODE="0660"
SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ATTR{idVendor}=="05e0", ATTR{idProduct}=="1200", GROUP="passgate", MODE="0660"
SUBSYSTEM=="tty", SYMLINK=="serial/by-id/usb-Honeywell_Imaging_1234-if00", GROUP="passgate", MODE="0660"
)");
  // Each rule is labelled with its scanner, and the file says where it goes.
  CHECK_THAT(run.output, Catch::Contains("# lane1.entry: USB device 0c2e:0b61\n"));
  CHECK_THAT(run.output, Catch::Contains("# lane3.entry: serial port /dev/serial/by-id/usb-Honeywell_Imaging_1234-if00\n"));
  CHECK_THAT(run.output, Catch::Contains("/etc/udev/rules.d/61-passgate-scanners.rules"));
}

TEST_CASE("udev-rules matches a serial scanner named by its kernel device by that name") {
  TempDir dir;
  std::string scanners;
  for (int lane = 1; lane <= 3; ++lane) {
    scanners += "[io.scanners.\"lane" + std::to_string(lane) + ".entry\"]\ntype = \"serial\"\ndevice = \"/dev/ttyACM" +
                std::to_string(lane - 1) + "\"\n";
  }
  const auto run = udev_rules(dir, gpiod_config(scanners));
  CHECK(run.exit_code == 0);
  CHECK(rule_lines(run.output) == R"(SUBSYSTEM=="tty", KERNEL=="ttyACM0", GROUP="passgate", MODE="0660"
SUBSYSTEM=="tty", KERNEL=="ttyACM1", GROUP="passgate", MODE="0660"
SUBSYSTEM=="tty", KERNEL=="ttyACM2", GROUP="passgate", MODE="0660"
)");
}

TEST_CASE("udev-rules refuses a USB serial number that a udev rule would read as a pattern") {
  TempDir dir;
  const auto run = udev_rules(dir, gpiod_config(R"(
[io.scanners."lane1.entry"]
type = "hid_pos"
usb_id = "0c2e:0b61"
usb_serial = "AB*12"

[io.scanners."lane2.entry"]
type = "hid_pos"
usb_id = "0c2e:0b62"

[io.scanners."lane3.entry"]
type = "hid_pos"
usb_id = "0c2e:0b63"
)"));
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, Catch::StartsWith("passgatectl: lane1.entry: its usb_serial \"AB*12\" holds a character a "
                                           "udev rule cannot match literally"));
  CHECK(rule_lines(run.output).find("SUBSYSTEM") == std::string::npos);
}

TEST_CASE("udev-rules has nothing to give for the rig simulator's scanners") {
  TempDir dir;
  const auto run = udev_rules(dir, std::string(passgate::test::kMinimalGateConfig));
  CHECK(run.exit_code == 0);
  CHECK(rule_lines(run.output).empty());
  CHECK_THAT(run.output, Catch::Contains("# (no scanners in [io.scanners]: nothing to give)\n"));
}

TEST_CASE("udev-rules lists the problems of an invalid config and prints no rules") {
  TempDir dir;
  const auto run = udev_rules(dir, gpiod_config(""));  // entry lanes without scanners
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, Catch::Contains("lacks \"lane1.entry\""));
  CHECK_THAT(run.output, Catch::Contains("passgatectl: udev-rules: the scanners of " + (dir / "gate.toml").string() +
                                         " have problems (above); fix them first"));
  CHECK(rule_lines(run.output).find("SUBSYSTEM") == std::string::npos);
}

TEST_CASE("udev-rules --output writes the rules atomically, mode 0644, even when only other keys are broken") {
  TempDir dir;
  std::string config = gpiod_config(kThreeUsbScanners);
  config += "\n[offline]\npolicy = \"sometimes\"\n";  // broken, but not a scanner key
  const auto rules = dir / "61-passgate-scanners.rules";
  const auto run = udev_rules(dir, config, {"--output", rules.string()});
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.output, Catch::Contains("passgatectl: note: " + (dir / "gate.toml").string() +
                                         " has 1 problem(s) outside [io.scanners]") &&
                             Catch::Contains("wrote " + rules.string()));
  const std::string written = read_whole(rules);
  CHECK(rule_lines(written) ==
        R"(SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ATTR{idVendor}=="0c2e", ATTR{idProduct}=="0b61", GROUP="passgate", MODE="0660"
SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ATTR{idVendor}=="0c2e", ATTR{idProduct}=="0b62", GROUP="passgate", MODE="0660"
SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ATTR{idVendor}=="0c2e", ATTR{idProduct}=="0b63", GROUP="passgate", MODE="0660"
)");
  CHECK((std::filesystem::status(rules).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write | std::filesystem::perms::group_read |
         std::filesystem::perms::others_read));
  // Nothing else is left in the directory (no temporary file).
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) ++entries;
  CHECK(entries == 6);  // gate.toml, keys.jwks.json, gateway.key, seal.key, db/, the rules
}

TEST_CASE("udev-rules --output that cannot be written fails (exit 1, not 'cannot reach the gate') and leaves no temporary file") {
  TempDir dir;
  const auto target = dir / "rules.d";
  std::filesystem::create_directory(target);  // a directory where the file should go
  const auto run = udev_rules(dir, gpiod_config(kThreeUsbScanners), {"--output", target.string()});
  INFO(run.output);
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, Catch::Contains("passgatectl: cannot replace " + target.string() + ": Is a directory"));
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) ++entries;
  CHECK(entries == 6);  // gate.toml, keys.jwks.json, gateway.key, seal.key, db/, rules.d
}

TEST_CASE("udev-rules --output leaves the file as it was when a scanner key is broken") {
  TempDir dir;
  const auto rules = dir / "61-passgate-scanners.rules";
  const std::string before = "# the rules installed last week\nSUBSYSTEM==\"usb\", GROUP=\"passgate\"\n";
  std::ofstream(rules, std::ios::binary) << before;
  std::string scanners = kThreeUsbScanners;
  scanners.replace(scanners.find("0c2e:0b62"), 9, "0c2e-0b62");
  const auto run = udev_rules(dir, gpiod_config(scanners), {"--output", rules.string()});
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, Catch::Contains("usb_id") &&
                             Catch::Contains("passgatectl: udev-rules: the scanners of " + (dir / "gate.toml").string() +
                                             " have problems (above); fix them first (" + rules.string() +
                                             " is left as it was)"));
  CHECK(read_whole(rules) == before);
}

TEST_CASE("udev-rules on a config file that cannot be read says so, and writes nothing") {
  TempDir dir;
  const auto rules = dir / "61-passgate-scanners.rules";
  const auto run = CtlFixture::run({"udev-rules", "--config", (dir / "missing.toml").string(), "-o", rules.string()});
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, Catch::StartsWith((dir / "missing.toml").string() + ":0:0: cannot read the config file"));
  CHECK_FALSE(std::filesystem::exists(rules));
}
