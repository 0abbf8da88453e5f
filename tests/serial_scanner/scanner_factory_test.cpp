// make_scanners with serial scanners only (USB scanners need libusb and are tested with
// the USB driver): one driver per configured scanner, named and described from the config,
// reading with the configured suffix and io.scan_max_length.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include "common/asio_time.hpp"
#include "drivers/scanner_factory.hpp"
#include "tests/serial_scanner/pty_device.hpp"
#include "tests/support/run_until.hpp"

using passgate::hw::IoBackendKind;
using passgate::hw::IoConfig;
using passgate::hw::ScannerConfig;
using passgate::hw::ScannerKind;

namespace {

ScannerConfig serial(std::filesystem::path device, std::string suffix) {
  return ScannerConfig{ScannerKind::serial, 0, 0, "", std::move(device), 115200, std::move(suffix)};
}

}  // namespace

TEST_CASE("make_scanners makes one serial driver per configured serial scanner") {
  boost::asio::io_context io;
  passgate::AsioTime time(io);
  passgate::test::PtyDevice pty;
  IoConfig config;
  config.backend = IoBackendKind::gpiod;
  config.scanners.emplace("lane1.entry", serial(pty.slave_path(), "\n"));
  config.scanners.emplace("lane3.entry", serial("/dev/ttyACM7", "\r"));
  config.scan_max_length = 16;

  auto made = passgate::drivers::make_scanners(io, time, config);
  REQUIRE(made.ok());
  auto& drivers = *made;
  REQUIRE(drivers.size() == 2);
  CHECK(drivers[0]->name() == "lane1.entry");
  CHECK(drivers[1]->name() == "lane3.entry");
  const auto info = drivers[1]->info();
  CHECK(info.kind == "serial");
  CHECK(info.device == "/dev/ttyACM7");
  CHECK_FALSE(info.connected);

  std::vector<std::string> reads;
  bool connected = false;
  REQUIRE(drivers[0]->start({[&](std::string raw) { reads.push_back(std::move(raw)); },
                             [&](bool up, const std::string&) { connected = up; }})
              .ok());
  REQUIRE(passgate::test::run_until(io, [&] { return connected; }));
  pty.send("0123456789abcdefg\n");  // 17 bytes: over io.scan_max_length
  pty.send("0123456789abcdef\n");
  REQUIRE(passgate::test::run_until(io, [&] { return !reads.empty(); }));
  CHECK(reads == std::vector<std::string>{"0123456789abcdef"});
}
