// ScannerConnection: the listener hears each change of a scanner's connection once (and the
// first report), info() always has the latest detail, and a loss is news only when it is.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "hw/scanner_connection.hpp"

using passgate::hw::ScannerConnection;
using passgate::hw::ScannerEvents;
using passgate::hw::ScannerInfo;

TEST_CASE("the listener hears the first report and every change, info keeps the latest detail") {
  std::vector<std::string> heard;
  const ScannerEvents events{nullptr, [&heard](bool connected, std::string detail) {
                               heard.push_back((connected ? "up: " : "down: ") + detail);
                             }};
  ScannerConnection connection(ScannerInfo{"lane1.entry", "serial", "/dev/ttyACM0", false, "not started"});
  CHECK(connection.info().detail == "not started");
  CHECK(connection.loss_is_news("no such file"));
  connection.report(events, false, "no such file");
  CHECK_FALSE(connection.loss_is_news("no such file"));  // the same failure on every retry
  CHECK(connection.loss_is_news("permission denied"));
  connection.report(events, false, "permission denied");
  CHECK(connection.info().detail == "permission denied");
  connection.report(events, true, "open at 9600 baud");
  CHECK(connection.info().connected);
  CHECK(connection.loss_is_news("permission denied"));  // lost after a connection
  connection.report(events, false, "unplugged");
  CHECK(heard == std::vector<std::string>{"down: no such file", "up: open at 9600 baud", "down: unplugged"});
  CHECK(connection.info().name == "lane1.entry");
}
