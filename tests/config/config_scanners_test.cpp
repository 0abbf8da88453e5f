// [io.scanners]: one scanner per entry lane with the gpiod backend, of a known type with the
// keys of its link (usb_id for USB, device/baud/suffix for serial), no device used twice,
// none with the sim backend; io.scan_max_length.
#include <catch2/catch.hpp>

#include "tests/config/config_fixture.hpp"

using passgate::controller::ScannerKind;
using passgate::test::ConfigFixture;
using passgate::test::kMinimalConfig;
using passgate::test::kMinimalGpiodConfig;
using passgate::test::replaced;
using Problems = std::vector<std::string>;

namespace {

// The minimal gpiod config's scanner, from line 49 on.
constexpr std::string_view kScanner = "[io.scanners.\"lane1.entry\"]\ntype = \"serial\"\ndevice = \"/dev/ttyACM0\"\n";

std::string with_scanners(std::string_view scanners) { return replaced(kMinimalGpiodConfig, kScanner, scanners); }

}  // namespace

TEST_CASE("a serial scanner loads with the default baud rate and suffix") {
  ConfigFixture fx;
  const auto load = fx.parse(kMinimalGpiodConfig);
  REQUIRE(load.problems.empty());
  const auto& io = load.config->io;
  REQUIRE(io.scanners.size() == 1);
  const auto& scanner = io.scanners.at("lane1.entry");
  CHECK(scanner.kind == ScannerKind::serial);
  CHECK(scanner.device == "/dev/ttyACM0");
  CHECK(scanner.baud == 9600);
  CHECK(scanner.suffix == "\r");
  CHECK(io.scan_max_length == 4096);
}

TEST_CASE("a serial scanner's baud rate and suffix, and io.scan_max_length, are read") {
  ConfigFixture fx;
  auto text = with_scanners(
      "[io.scanners.\"lane1.entry\"]\ntype = \"serial\"\ndevice = \"/dev/serial/by-id/usb-scanner\"\n"
      "baud = 115200\nsuffix = \"\\r\\n\"\n");
  text = replaced(text, "backend = \"gpiod\"\n", "backend = \"gpiod\"\nscan_max_length = 512\n");
  const auto load = fx.parse(text);
  REQUIRE(load.problems.empty());
  const auto& scanner = load.config->io.scanners.at("lane1.entry");
  CHECK(scanner.device == "/dev/serial/by-id/usb-scanner");
  CHECK(scanner.baud == 115200);
  CHECK(scanner.suffix == "\r\n");
  CHECK(load.config->io.scan_max_length == 512);
}

TEST_CASE("USB scanners are read with their vendor and product ids and an optional serial number") {
  ConfigFixture fx;
  auto text = replaced(kMinimalGpiodConfig, "kind = \"exit\"", "kind = \"entry\"");
  text = replaced(text, kScanner,
                  "[io.scanners]\n\"lane1.entry\" = { type = \"hid_pos\", usb_id = \"0c2e:0B61\", usb_serial = \"A1\" }\n"
                  "\"lane2.entry\" = { type = \"keyboard\", usb_id = \"05e0:1200\" }\n");
  const auto load = fx.parse(text);
  REQUIRE(load.problems.empty());
  const auto& hid = load.config->io.scanners.at("lane1.entry");
  CHECK(hid.kind == ScannerKind::hid_pos);
  CHECK(hid.usb_vendor == 0x0c2e);
  CHECK(hid.usb_product == 0x0b61);
  CHECK(hid.usb_serial == "A1");
  const auto& keyboard = load.config->io.scanners.at("lane2.entry");
  CHECK(keyboard.kind == ScannerKind::keyboard);
  CHECK(keyboard.usb_vendor == 0x05e0);
  CHECK(keyboard.usb_product == 0x1200);
  CHECK(keyboard.usb_serial.empty());
}

TEST_CASE("with gpiod an entry lane without a scanner is reported, at [io] or at [io.scanners]") {
  ConfigFixture fx;
  CHECK(fx.problems(with_scanners("")) ==
        Problems{"gate.toml:16:1: io.scanners lacks \"lane1.entry\", expected a scanner for entry lane 1, such as "
                 "[io.scanners.\"lane1.entry\"] with type and usb_id or device"});
  auto two_entries = replaced(kMinimalGpiodConfig, "kind = \"exit\"", "kind = \"entry\"");
  two_entries = replaced(two_entries, kScanner, std::string("[io.scanners]\n") + std::string(kScanner));
  CHECK(fx.problems(two_entries) ==
        Problems{"gate.toml:49:1: io.scanners lacks \"lane2.entry\", expected a scanner for entry lane 2, such as "
                 "[io.scanners.\"lane2.entry\"] with type and usb_id or device"});
}

TEST_CASE("a scanner of an exit lane, of a lane that is not configured, or with a malformed name is reported") {
  ConfigFixture fx;
  const std::string scanner(kScanner);
  CHECK(fx.problems(with_scanners(scanner + "[io.scanners.\"lane2.entry\"]\ntype = \"serial\"\ndevice = \"/dev/ttyACM1\"\n")) ==
        Problems{"gate.toml:52:14: io.scanners.\"lane2.entry\" is for lane 2, an exit lane, expected scanners only "
                 "for entry lanes (1)"});
  CHECK(fx.problems(with_scanners(scanner + "[io.scanners.\"lane3.entry\"]\ntype = \"serial\"\ndevice = \"/dev/ttyACM1\"\n")) ==
        Problems{"gate.toml:52:14: io.scanners.\"lane3.entry\" is for lane 3, which is not configured, expected "
                 "scanners only for entry lanes (1)"});
  // The table made implicitly by the misnamed scanner's header is placed at that header.
  CHECK(fx.problems(with_scanners("[io.scanners.\"lane1.entyr\"]\ntype = \"serial\"\ndevice = \"/dev/ttyACM0\"\n")) ==
        Problems{"gate.toml:49:1: io.scanners lacks \"lane1.entry\", expected a scanner for entry lane 1, such as "
                 "[io.scanners.\"lane1.entry\"] with type and usb_id or device",
                 "gate.toml:49:14: io.scanners has a malformed scanner name \"lane1.entyr\", did you mean "
                 "\"lane1.entry\"?"});
  CHECK(fx.problems(with_scanners(scanner + "[io.scanners.front_door]\ntype = \"serial\"\ndevice = \"/dev/ttyACM1\"\n")) ==
        Problems{"gate.toml:52:14: io.scanners has a malformed scanner name \"front_door\", expected "
                 "\"lane<N>.entry\" for entry lane N"});
}

TEST_CASE("a scanner's type, and the keys of its link, are checked") {
  ConfigFixture fx;
  CHECK(fx.problems(with_scanners("[io.scanners.\"lane1.entry\"]\ndevice = \"/dev/ttyACM0\"\n")) ==
        Problems{"gate.toml:49:1: io.scanners.\"lane1.entry\".type is missing, expected one of \"hid_pos\", "
                 "\"keyboard\", \"serial\""});
  CHECK(fx.problems(with_scanners("[io.scanners.\"lane1.entry\"]\ntype = \"hid\"\nusb_id = \"0c2e:0b61\"\n")) ==
        Problems{"gate.toml:50:8: io.scanners.\"lane1.entry\".type is \"hid\", expected one of \"hid_pos\", "
                 "\"keyboard\", \"serial\""});
  CHECK(fx.problems(with_scanners("[io.scanners.\"lane1.entry\"]\ntype = \"hid_pos\"\n")) ==
        Problems{"gate.toml:49:1: io.scanners.\"lane1.entry\".usb_id is missing, expected a string"});
  CHECK(fx.problems(with_scanners("[io.scanners.\"lane1.entry\"]\ntype = \"hid_pos\"\nusb_id = \"0c2e-0b61\"\n")) ==
        Problems{"gate.toml:51:10: io.scanners.\"lane1.entry\".usb_id is \"0c2e-0b61\", expected the USB "
                 "vendor:product id as 4 hex digits each, such as \"0c2e:0b61\" (lsusb shows it)"});
  CHECK(fx.problems(with_scanners("[io.scanners.\"lane1.entry\"]\ntype = \"keyboard\"\nusb_id = \"0c2e:0b61\"\n"
                                  "device = \"/dev/ttyACM0\"\n")) ==
        Problems{"gate.toml:52:10: io.scanners.\"lane1.entry\".device is set on a keyboard scanner, expected device, "
                 "baud and suffix only with type = \"serial\""});
  CHECK(fx.problems(with_scanners(std::string(kScanner) + "usb_serial = \"A1\"\n")) ==
        Problems{"gate.toml:52:14: io.scanners.\"lane1.entry\".usb_serial is set on a serial scanner, expected usb_id "
                 "and usb_serial only with type = \"hid_pos\" or \"keyboard\""});
  CHECK(fx.problems(with_scanners(std::string(kScanner) + "bud = 9600\n")) ==
        Problems{"gate.toml:52:1: unknown key \"bud\" in [io.scanners.\"lane1.entry\"], did you mean \"baud\"?"});
  CHECK(fx.problems(with_scanners("[io.scanners]\n\"lane1.entry\" = \"/dev/ttyACM0\"\n")) ==
        Problems{"gate.toml:50:17: io.scanners.\"lane1.entry\" is a string, expected a table with type, such as "
                 "{ type = \"serial\", device = \"/dev/ttyACM0\" }"});
}

TEST_CASE("a serial scanner's device, baud rate and suffix are checked") {
  ConfigFixture fx;
  CHECK(fx.problems(with_scanners("[io.scanners.\"lane1.entry\"]\ntype = \"serial\"\n")) ==
        Problems{"gate.toml:49:1: io.scanners.\"lane1.entry\".device is missing, expected a string"});
  CHECK(fx.problems(replaced(kMinimalGpiodConfig, "\"/dev/ttyACM0\"", "\"ttyACM0\"")) ==
        Problems{"gate.toml:51:10: io.scanners.\"lane1.entry\".device is \"ttyACM0\", expected an absolute device "
                 "path such as \"/dev/ttyACM0\" or \"/dev/serial/by-id/...\""});
  CHECK(fx.problems(with_scanners(std::string(kScanner) + "baud = 9601\n")) ==
        Problems{"gate.toml:52:8: io.scanners.\"lane1.entry\".baud is 9601, expected one of 1200, 2400, 4800, 9600, "
                 "19200, 38400, 57600, 115200 or 230400"});
  CHECK(fx.problems(with_scanners(std::string(kScanner) + "baud = \"9600\"\n")) ==
        Problems{"gate.toml:52:8: io.scanners.\"lane1.entry\".baud is a string, expected one of 1200, 2400, 4800, "
                 "9600, 19200, 38400, 57600, 115200 or 230400"});
  CHECK(fx.problems(with_scanners(std::string(kScanner) + "suffix = \"\\t\"\n")) ==
        Problems{"gate.toml:52:10: io.scanners.\"lane1.entry\".suffix is \"\\u0009\", expected \"\\r\", \"\\n\" or "
                 "\"\\r\\n\""});
}

TEST_CASE("two scanners on one device are reported at the later one") {
  ConfigFixture fx;
  auto text = replaced(kMinimalGpiodConfig, "kind = \"exit\"", "kind = \"entry\"");
  const auto two = [&](std::string_view second) {
    return replaced(text, kScanner, std::string(kScanner) + "[io.scanners.\"lane2.entry\"]\n" + std::string(second));
  };
  CHECK(fx.problems(two("type = \"serial\"\ndevice = \"/dev/ttyACM0\"\n")) ==
        Problems{"gate.toml:54:10: io.scanners.\"lane2.entry\".device is \"/dev/ttyACM0\", which \"lane1.entry\" "
                 "already uses (\"/dev/ttyACM0\"), expected a different device for each scanner"});
  const std::string usb = "[io.scanners]\n\"lane1.entry\" = { type = \"hid_pos\", usb_id = \"0c2e:0b61\" }\n"
                          "\"lane2.entry\" = { type = \"hid_pos\", usb_id = \"0c2e:0b61\", usb_serial = \"B2\" }\n";
  CHECK(fx.problems(replaced(text, kScanner, usb)) ==
        Problems{"gate.toml:51:46: io.scanners.\"lane2.entry\".usb_id is \"0c2e:0b61 serial B2\", which "
                 "\"lane1.entry\" already uses (\"0c2e:0b61\"), expected a different usb_id, or a different "
                 "usb_serial on each of the two"});
  const std::string distinct = "[io.scanners]\n\"lane1.entry\" = { type = \"hid_pos\", usb_id = \"0c2e:0b61\", usb_serial = \"A1\" }\n"
                               "\"lane2.entry\" = { type = \"hid_pos\", usb_id = \"0c2e:0b61\", usb_serial = \"B2\" }\n";
  CHECK(fx.problems(replaced(text, kScanner, distinct)).empty());
}

TEST_CASE("scanners are an error with the sim backend, whose scanners come over the rig socket") {
  ConfigFixture fx;
  const std::string sim_table = "[io.sim]\nsocket = \"rig.sock\"\n";
  CHECK(fx.problems(replaced(kMinimalConfig, sim_table, sim_table + "\n" + std::string(kScanner))) ==
        Problems{"gate.toml:22:5: io.scanners is set with backend = \"sim\", expected scanners only with backend = "
                 "\"gpiod\" (the rig simulator's scanners come over its socket)"});
}

TEST_CASE("io.scan_max_length is range-checked") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalGpiodConfig, "backend = \"gpiod\"\n", "backend = \"gpiod\"\nscan_max_length = 8\n")) ==
        Problems{"gate.toml:18:19: io.scan_max_length is 8, expected an integer from 16 to 65536"});
}
