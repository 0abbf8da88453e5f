// HardwareBackend: GPIO lines (on the emulated chip) and scanner drivers behind one
// IoBackend: the initial input levels after set_listener, scans and scanner connections
// under the scanner's name, and start-up errors.
#include <catch2/catch.hpp>

#include "drivers/hardware_backend.hpp"
#include "tests/gpiod_driver/fake_scanner.hpp"
#include "tests/gpiod_driver/gpio_fixture.hpp"

using namespace std::chrono_literals;
using passgate::drivers::HardwareBackend;
using passgate::test::alarm_line;
using passgate::test::beam_line;
using passgate::test::FakeScanner;
using passgate::test::GpioFixture;
using passgate::test::gpio_line;
using passgate::test::Strings;

namespace {

struct Recorder final : passgate::hw::IoListener {
  void on_input(const std::string& line, bool active) override { heard.push_back(line + "=" + (active ? "1" : "0")); }
  void on_scan(const std::string& scanner, const std::string& text) override { heard.push_back(scanner + " read " + text); }
  void on_scanner_connection(const std::string& scanner, bool connected, const std::string& detail) override {
    heard.push_back(scanner + (connected ? " connected: " : " lost: ") + detail);
  }
  Strings heard;
};

struct BackendFixture : GpioFixture {
  BackendFixture() {
    config.backend = passgate::hw::IoBackendKind::gpiod;
    config.gpiod_lines = {{"fire_alarm", alarm_line(9)},
                          {"lane1.beam_outer", beam_line(0, 0ms)},
                          {"lane1.beam_inner", beam_line(1, 0ms)},
                          {"lane1.release_in", gpio_line(2)}};
  }
  std::unique_ptr<HardwareBackend> open(std::vector<std::unique_ptr<passgate::hw::ScannerDriver>> scanners = {}) {
    auto opened = HardwareBackend::open(io, time, config, std::move(scanners));
    if (!opened.ok()) FAIL(opened.error().message);
    return std::move(*opened);
  }

  passgate::hw::IoConfig config;
  Recorder listener;
};

}  // namespace

TEST_CASE_METHOD(BackendFixture, "every input's level reaches the listener after set_listener, fire_alarm included") {
  gpio.drive(9, false);  // alarm loop closed
  gpio.drive(0, true);   // outer beam clear
  gpio.drive(1, false);  // someone stands in the inner beam
  auto backend = open();
  backend->set_listener(&listener);
  CHECK(listener.heard.empty());  // posted, not inside set_listener
  REQUIRE(run_until([&] { return listener.heard.size() == 3; }));
  CHECK(listener.heard == Strings{"fire_alarm=0", "lane1.beam_inner=1", "lane1.beam_outer=0"});

  gpio.drive(0, false);
  REQUIRE(run_until([&] { return listener.heard.size() == 4; }));
  CHECK(listener.heard.back() == "lane1.beam_outer=1");
}

TEST_CASE_METHOD(BackendFixture, "outputs go through to the lines and come back to their safe level at shutdown") {
  gpio.drive(9, false);  // alarm loop closed (during an alarm releases are left free)
  auto backend = open();
  backend->set_output("lane1.release_in", true);
  CHECK(backend->output("lane1.release_in"));
  CHECK(gpio.high(2));
  backend->display(1, "admit 1");  // no display hardware: logged only
  backend.reset();
  CHECK_FALSE(gpio.high(2));
}

TEST_CASE_METHOD(BackendFixture, "scans and connection changes reach the listener under the scanner's name") {
  auto entry = std::make_unique<FakeScanner>("lane1.entry");
  FakeScanner& scanner = *entry;
  std::vector<std::unique_ptr<passgate::hw::ScannerDriver>> scanners;
  scanners.push_back(std::move(entry));
  auto backend = open(std::move(scanners));
  CHECK(scanner.started());
  backend->set_listener(&listener);
  REQUIRE(run_until([&] { return listener.heard.size() == 3; }));  // the initial levels
  listener.heard.clear();

  scanner.read("]Q1token\r");
  scanner.connect(false, "unplugged");
  CHECK(listener.heard == Strings{"lane1.entry read ]Q1token\r", "lane1.entry lost: unplugged"});
  const auto infos = backend->scanners();
  REQUIRE(infos.size() == 1);
  CHECK(infos[0].name == "lane1.entry");
  CHECK_FALSE(infos[0].connected);
  CHECK(infos[0].detail == "unplugged");
}

TEST_CASE_METHOD(BackendFixture, "a scanner that cannot start stops start-up, naming it") {
  std::vector<std::unique_ptr<passgate::hw::ScannerDriver>> scanners;
  scanners.push_back(std::make_unique<FakeScanner>("lane1.entry", passgate::make_error("io_error", "libusb_init: no memory")));
  auto opened = HardwareBackend::open(io, time, config, std::move(scanners));
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == "io_error");
  CHECK(opened.error().message == "scanner lane1.entry cannot start: libusb_init: no memory");
}

TEST_CASE_METHOD(BackendFixture, "a line that cannot be had stops start-up, naming its entry") {
  config.gpiod_lines.at("lane1.beam_inner").offset = 99;
  auto opened = HardwareBackend::open(io, time, config, {});
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().message ==
        "io.gpiod.lines.\"lane1.beam_inner\": line 99 of gpiochip0 does not exist (the chip has 16 lines, offsets 0 to 15)");
}
