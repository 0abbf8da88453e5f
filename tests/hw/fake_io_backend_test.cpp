// FakeIoBackend records output changes with their virtual time (so pulse widths can be
// asserted) and plays inputs and scans into the listener.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "common/virtual_time.hpp"
#include "hw/fake_io_backend.hpp"
#include "hw/gate_lines.hpp"

using namespace std::chrono_literals;
using passgate::hw::FakeIoBackend;

namespace {

struct Heard final : passgate::hw::IoListener {
  std::vector<std::string> events;
  void on_input(const std::string& line, bool active) override { events.push_back(line + "=" + (active ? "1" : "0")); }
  void on_scan(const std::string& scanner, const std::string& text) override { events.push_back(scanner + ":" + text); }
  void on_scanner_connection(const std::string& scanner, bool connected, const std::string&) override {
    events.push_back(scanner + (connected ? ":connected" : ":lost"));
  }
};

}  // namespace

TEST_CASE("output changes are recorded with their time, repeats are not") {
  passgate::VirtualTime vt;
  FakeIoBackend io(vt);
  const auto t0 = vt.steady_now();
  CHECK_FALSE(io.output("lane1.release_in"));
  io.set_output("lane1.release_in", true);
  vt.advance(3s);
  io.set_output("lane1.release_in", true);
  io.set_output("lane1.led_green", true);
  vt.advance(5s);
  io.set_output("lane1.release_in", false);

  CHECK_FALSE(io.output("lane1.release_in"));
  CHECK(io.output("lane1.led_green"));
  REQUIRE(io.output_changes().size() == 3);
  const auto release = io.changes_of("lane1.release_in");
  REQUIRE(release.size() == 2);
  CHECK(release[0].active);
  CHECK(release[0].at == t0);
  CHECK_FALSE(release[1].active);
  CHECK(release[1].at == t0 + 8s);

  const auto pulses = io.pulses("lane1.release_in");
  REQUIRE(pulses.size() == 1);
  REQUIRE(pulses[0].end);
  CHECK(*pulses[0].end - pulses[0].start == 8s);
  const auto green = io.pulses("lane1.led_green");
  REQUIRE(green.size() == 1);
  CHECK_FALSE(green[0].end);
}

TEST_CASE("display texts are recorded per lane") {
  passgate::VirtualTime vt;
  FakeIoBackend io(vt);
  CHECK_FALSE(io.last_display(1));
  io.display(1, "Welcome");
  io.display(2, "Exit");
  io.display(1, "Denied: expired");
  CHECK(io.last_display(1) == "Denied: expired");
  CHECK(io.last_display(2) == "Exit");
  CHECK(io.displays().size() == 3);
  io.clear_history();
  CHECK(io.displays().empty());
}

TEST_CASE("inputs and scans reach the listener") {
  passgate::VirtualTime vt;
  FakeIoBackend io(vt);
  Heard heard;
  io.set_listener(&heard);
  io.input("lane1.beam_outer", true);
  io.scan("lane1.entry", "]Q1eyJ\r\n");
  CHECK(heard.events == std::vector<std::string>{"lane1.beam_outer=1", "lane1.entry:]Q1eyJ\r\n"});
}

TEST_CASE("gate lines list every role of every lane and the scanners of entry lanes") {
  const auto lines = passgate::hw::gate_lines({2}, {1});
  CHECK(lines.inputs == std::vector<std::string>{"lane1.beam_outer", "lane1.beam_inner", "lane1.passage",
                                                 "lane2.beam_outer", "lane2.beam_inner", "lane2.passage",
                                                 "fire_alarm"});
  CHECK(lines.outputs == std::vector<std::string>{"lane1.release_in", "lane1.release_out", "lane1.led_green",
                                                  "lane1.led_red", "lane1.buzzer", "lane2.release_in",
                                                  "lane2.release_out", "lane2.led_green", "lane2.led_red",
                                                  "lane2.buzzer"});
  CHECK(lines.scanners == std::vector<std::string>{"lane2.entry"});
}
