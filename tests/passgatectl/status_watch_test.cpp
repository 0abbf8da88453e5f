// passgatectl status --watch through a pipe: a block per change, none for what changes at
// every look (uptime, ages), no escape codes; --json a line per change; SIGTERM and SIGINT end
// it cleanly; a gate that goes away ends it with exit 3. Waits on what the gate was asked and
// what passgatectl printed, never on time.
#include <catch2/catch.hpp>

#include <atomic>
#include <csignal>
#include <memory>
#include <sstream>

#include "tests/passgatectl/ctl_fixture.hpp"
#include "tests/passgatectl/fake_gate.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

using Catch::Matchers::Contains;
using nlohmann::json;
using passgate::test::ChildProcess;
using passgate::test::FakeGate;
using passgate::test::TempDir;

namespace {

constexpr auto kLimit = std::chrono::seconds(20);

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// A gate whose uptime and queue age grow at every look; `out_of_service` takes lane 2 out.
struct TickingGate {
  TempDir dir;
  FakeGate gate{dir / "control.sock"};
  std::atomic<bool> out_of_service{false};
  std::atomic<int> looks{0};

  TickingGate() {
    gate.answer("status", [this](const json&) {
      const int n = ++looks;
      json status = passgate::test::calm_status(60 + n);
      status["payment_queue"]["outstanding"] = 1;
      status["payment_queue"]["oldest_age_s"] = 10 + n;
      if (out_of_service) {
        status["lanes"][1]["in_service"] = false;
        status["lanes"][1]["state"] = "out_of_service";
        status["attention"] = {"lane 2 is out of service (passgatectl lane 2 in-service puts it back)"};
      }
      return status;
    });
  }
};

}  // namespace

TEST_CASE("status --watch into a pipe prints a new block only when something changed") {
  TickingGate ticking;
  ChildProcess watch(PASSGATECTL, {"status", "--watch", "--interval", "0.1", "--socket", ticking.gate.socket().string()});
  REQUIRE(watch.wait_for_output("OK: nothing needs attention", kLimit));
  // Three more looks, each with a new uptime and queue age: nothing to print.
  REQUIRE(ticking.gate.wait_for_requests("status", 4));
  CHECK(count(watch.output(), "=== ") == 1);
  ticking.out_of_service = true;
  REQUIRE(watch.wait_for_output("lane 2 is out of service", kLimit));
  const int looked = ticking.gate.requests("status");
  REQUIRE(ticking.gate.wait_for_requests("status", looked + 3));
  watch.signal(SIGTERM);
  const auto status = watch.wait_exit(kLimit);
  REQUIRE(status.has_value());
  CHECK(*status == 0);
  const std::string output = watch.output();
  CHECK(count(output, "=== ") == 2);
  CHECK(count(output, "settlements: 10 session(s) settled of 10 decided") == 2);  // each block whole
  CHECK(output.find('\033') == std::string::npos);
}

TEST_CASE("status --watch --json prints one JSON line per change and ends on Ctrl-C") {
  TickingGate ticking;
  ChildProcess watch(PASSGATECTL,
                     {"--json", "status", "--watch", "--interval", "0.1", "--socket", ticking.gate.socket().string()});
  REQUIRE(watch.wait_for_output("}\n", kLimit));
  REQUIRE(ticking.gate.wait_for_requests("status", 3));
  ticking.out_of_service = true;
  REQUIRE(watch.wait_for_output_where([](const std::string& out) { return count(out, "\n") == 2; }, kLimit));
  watch.signal(SIGINT);
  const auto status = watch.wait_exit(kLimit);
  REQUIRE(status.has_value());
  CHECK(*status == 0);
  std::istringstream lines(watch.output());
  std::vector<json> changes;
  for (std::string line; std::getline(lines, line);) changes.push_back(json::parse(line));
  REQUIRE(changes.size() == 2);
  CHECK(changes[0].at("lanes").at(1).at("in_service") == true);
  CHECK(changes[1].at("lanes").at(1).at("in_service") == false);
}

TEST_CASE("status --watch ends with exit 3 when the gate goes away") {
  auto ticking = std::make_unique<TickingGate>();
  ChildProcess watch(PASSGATECTL, {"status", "--watch", "--interval", "0.1", "--socket", ticking->gate.socket().string()});
  REQUIRE(watch.wait_for_output("OK: nothing needs attention", kLimit));
  ticking.reset();
  const auto status = watch.wait_exit(kLimit);
  REQUIRE(status.has_value());
  CHECK(*status == 3);
  CHECK_THAT(watch.output(), Contains("passgatectl: the gate went away while watching: no control socket at "));
}

TEST_CASE("hw inputs --watch ends cleanly on Ctrl-C, and with exit 3 when the gate stops") {
  passgate::test::CtlFixture gate;
  gate.start_gate();
  {
    ChildProcess watch(PASSGATECTL, {"hw", "inputs", "--watch", "--config", gate.config_file()});
    REQUIRE(watch.wait_for_output("lane1.beam_outer", kLimit));
    watch.signal(SIGINT);
    const auto status = watch.wait_exit(kLimit);
    REQUIRE(status.has_value());
    CHECK(*status == 0);
  }
  ChildProcess watch(PASSGATECTL, {"hw", "scanners", "--watch", "--config", gate.config_file()});
  REQUIRE(watch.wait_for_output("lane1.entry", kLimit));
  gate.gated().signal(SIGTERM);
  const auto status = watch.wait_exit(kLimit);
  REQUIRE(status.has_value());
  CHECK(*status == 3);
  CHECK_THAT(watch.output(), Contains("passgatectl: the gate went away while watching: it closed the control connection"));
}
