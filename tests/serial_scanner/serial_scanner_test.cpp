// The serial scanner driver against a pty: reads cut on the suffix however the bytes arrive,
// over-long reads discarded without stopping, unplug and replug through the device link
// without a restart, a device missing at start, and settings it refuses. Real Asio time
// with short retry intervals; every wait is on a condition (run_until).
#include <catch2/catch.hpp>

#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "common/asio_time.hpp"
#include "drivers/serial_scanner.hpp"
#include "hw/scan_text.hpp"
#include "tests/serial_scanner/pty_device.hpp"
#include "tests/support/run_until.hpp"
#include "tests/support/temp_dir.hpp"

using passgate::drivers::make_serial_scanner;
using passgate::drivers::SerialScannerSettings;
using passgate::test::point_link;
using passgate::test::PtyDevice;
using passgate::test::run_until;
using Reads = std::vector<std::string>;

namespace {

struct Connection {
  bool connected;
  std::string detail;
};

// A driver reading the device at `link` (the test's stand-in for /dev/serial/by-id/...),
// recording what it reports.
class Harness {
 public:
  explicit Harness(std::string suffix = "\r", std::size_t max_length = 64) {
    auto made = make_serial_scanner(io_, time_,
                                    SerialScannerSettings{"lane1.entry", link_, 9600, std::move(suffix), max_length,
                                                          std::chrono::milliseconds(20)});
    REQUIRE(made.ok());
    driver_ = std::move(*made);
  }

  void start() {
    REQUIRE(driver_->start({[this](std::string raw) { reads_.push_back(std::move(raw)); },
                            [this](bool connected, std::string detail) {
                              connections_.push_back(Connection{connected, std::move(detail)});
                            }})
                .ok());
  }

  // Runs the loop until the driver has reported `count` connection changes.
  [[nodiscard]] bool await_connections(std::size_t count) {
    return run_until(io_, [&] { return connections_.size() >= count; });
  }
  [[nodiscard]] bool await_reads(std::size_t count) {
    return run_until(io_, [&] { return reads_.size() >= count; });
  }

  [[nodiscard]] const std::filesystem::path& link() const { return link_; }
  [[nodiscard]] const Reads& reads() const { return reads_; }
  [[nodiscard]] const std::vector<Connection>& connections() const { return connections_; }
  [[nodiscard]] passgate::hw::ScannerDriver& driver() { return *driver_; }

 private:
  boost::asio::io_context io_;
  passgate::AsioTime time_{io_};
  passgate::test::TempDir dir_;
  std::filesystem::path link_ = dir_ / "scanner";
  std::unique_ptr<passgate::hw::ScannerDriver> driver_;
  Reads reads_;
  std::vector<Connection> connections_;
};

}  // namespace

TEST_CASE("reads are cut on the suffix however the bytes arrive, raw and in order") {
  Harness h;
  PtyDevice pty;
  point_link(h.link(), pty.slave_path());
  h.start();
  REQUIRE(h.await_connections(1));
  CHECK(h.connections()[0].connected);
  CHECK(h.connections()[0].detail == h.link().string() + " open at 9600 baud");

  pty.send("]Q1first\r");
  REQUIRE(h.await_reads(1));
  pty.send("second\r\n");  // CRLF from a scanner set to CR: the LF is dropped
  pty.send("thi");
  pty.send("r");
  pty.send("d\r");
  pty.send("fourth\rfifth\r");
  REQUIRE(h.await_reads(5));
  CHECK(h.reads() == Reads{"]Q1first", "second", "third", "fourth", "fifth"});
  CHECK(h.connections().size() == 1);
}

TEST_CASE("a QR read with its AIM identifier becomes the bare token once the gate normalizes it") {
  Harness h("\r\n");
  PtyDevice pty;
  point_link(h.link(), pty.slave_path());
  h.start();
  REQUIRE(h.await_connections(1));
  const std::string token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzaG9wcGVyIn0.c2lnbmF0dXJl";
  pty.send("]Q1" + token + "\r\n");
  REQUIRE(h.await_reads(1));
  CHECK(h.reads()[0] == "]Q1" + token);  // delivered raw
  CHECK(passgate::hw::normalize_scan_text(h.reads()[0]) == token);
}

TEST_CASE("an over-long read is discarded and the read after it is delivered") {
  Harness h("\r", 8);
  PtyDevice pty;
  point_link(h.link(), pty.slave_path());
  h.start();
  REQUIRE(h.await_connections(1));
  pty.send("0123456789");
  pty.send("abcdef\r");
  pty.send("12345678\r");  // exactly the limit: kept
  REQUIRE(h.await_reads(1));
  CHECK(h.reads() == Reads{"12345678"});
  CHECK(h.connections().size() == 1);
}

TEST_CASE("an unplugged scanner is reported and read again once it is plugged back in") {
  Harness h;
  auto pty = std::make_unique<PtyDevice>();
  point_link(h.link(), pty->slave_path());
  h.start();
  REQUIRE(h.await_connections(1));
  pty->send("before\r");
  REQUIRE(h.await_reads(1));

  pty->send("half a re");  // lost with the device
  pty->unplug();
  REQUIRE(h.await_connections(2));
  CHECK_FALSE(h.connections()[1].connected);
  CHECK(h.connections()[1].detail.starts_with("read: "));
  CHECK_FALSE(h.driver().info().connected);

  // Plugged in again: a new tty behind the same link.
  pty = std::make_unique<PtyDevice>();
  point_link(h.link(), pty->slave_path());
  REQUIRE(h.await_connections(3));
  CHECK(h.connections()[2].connected);
  CHECK(h.driver().info().connected);
  pty->send("after\r");
  REQUIRE(h.await_reads(2));
  CHECK(h.reads() == Reads{"before", "after"});
}

TEST_CASE("a device missing at start is reported as disconnected, then used when it appears") {
  Harness h;
  h.start();
  REQUIRE(h.await_connections(1));
  CHECK_FALSE(h.connections()[0].connected);
  CHECK(h.connections()[0].detail == "open " + h.link().string() + ": No such file or directory");
  const auto info = h.driver().info();
  CHECK(info.name == "lane1.entry");
  CHECK(info.kind == "serial");
  CHECK(info.device == h.link().string());
  CHECK_FALSE(info.connected);

  PtyDevice pty;
  point_link(h.link(), pty.slave_path());
  REQUIRE(h.await_connections(2));
  CHECK(h.connections()[1].connected);
  pty.send("hello\r");
  REQUIRE(h.await_reads(1));
  CHECK(h.reads() == Reads{"hello"});
}

TEST_CASE("a device that is not a terminal is reported and retried, not read") {
  Harness h;
  std::ofstream(h.link()) << "not a tty\r";
  h.start();
  REQUIRE(h.await_connections(1));
  CHECK_FALSE(h.connections()[0].connected);
  CHECK(h.connections()[0].detail == "tcgetattr " + h.link().string() + ": Inappropriate ioctl for device");

  std::filesystem::remove(h.link());
  PtyDevice pty;
  point_link(h.link(), pty.slave_path());
  REQUIRE(h.await_connections(2));
  CHECK(h.connections()[1].connected);
  CHECK(h.reads().empty());
}

TEST_CASE("unsupported settings are refused") {
  boost::asio::io_context io;
  passgate::AsioTime time(io);
  const auto make = [&](int baud, std::string suffix, std::size_t max_length) {
    return make_serial_scanner(io, time,
                               SerialScannerSettings{"lane1.entry", "/dev/ttyACM0", baud, std::move(suffix), max_length,
                                                     std::chrono::milliseconds(1000)});
  };
  CHECK(make(115200, "\r\n", 4096).ok());
  const auto baud = make(9601, "\r", 4096);
  REQUIRE_FALSE(baud.ok());
  CHECK(baud.error().code == "invalid_argument");
  CHECK(baud.error().message == "serial scanner lane1.entry: unsupported baud rate 9601");
  CHECK_FALSE(make(9600, "\t", 4096).ok());
  CHECK_FALSE(make(9600, "", 4096).ok());
  CHECK_FALSE(make(9600, "\r", 0).ok());
}
