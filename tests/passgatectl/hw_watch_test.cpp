// The control socket's live views (`hw inputs --watch`, `hw scanners --watch`) against the
// real passgated: a client that asks to watch twice is one watcher and gets each event once,
// and a watcher that hung up is forgotten when the next watcher comes (the gate logs how
// many watch each view: event=hw_watch ... watchers=N), not only at the next event.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <string>

#include "tests/passgatectl/ctl_fixture.hpp"
#include "tests/passgatectl/raw_control.hpp"
#include "tests/support/child_process.hpp"

using passgate::test::CtlFixture;
using passgate::test::kGateLimit;
using passgate::test::RawControl;

namespace {

// A rig on the gate's rig socket (the sim backend) that reads a code on lane 1's scanner.
void scan(RawControl& rig, const std::string& code) {
  rig.send(R"({"t":"scan","scanner":"lane1.entry","data":")" + code + "\"}\n");
}

// The next event line the watcher gets, parsed; the gate sends nothing else unasked.
nlohmann::json next_event(RawControl& watcher) {
  const std::string line = watcher.read_line();
  INFO("event line: " << line);
  REQUIRE_FALSE(line.empty());
  return nlohmann::json::parse(line);
}

}  // namespace

TEST_CASE("a client that asks to watch the scanners twice gets each read once") {
  CtlFixture gate;
  gate.start_gate();
  RawControl watcher(gate.control_socket());
  REQUIRE(watcher.ask(R"({"cmd":"hw.scanners","watch":true})").at("ok") == true);
  REQUIRE(watcher.ask(R"({"cmd":"hw.scanners","watch":true})").at("ok") == true);
  RawControl rig(gate.dir() / "rig.sock");
  // The rig brings the gate's scanner (lane 1's, the one entry lane): seen to connect, once.
  const auto connected = next_event(watcher);
  CHECK(connected.at("event") == "scanner");
  CHECK(connected.at("scanner") == "lane1.entry");
  CHECK(connected.at("connected") == true);
  CHECK(connected.at("detail") == "rig connected");
  scan(rig, "4006381333931");
  scan(rig, "9780201379624");
  const auto first = next_event(watcher);
  CHECK(first.at("event") == "scan");
  CHECK(first.at("text") == "4006381333931");
  // The second read, not the first one again.
  const auto second = next_event(watcher);
  CHECK(second.at("event") == "scan");
  CHECK(second.at("text") == "9780201379624");
}

TEST_CASE("a client that asks to watch the inputs twice gets each change once") {
  CtlFixture gate;
  gate.start_gate();
  RawControl watcher(gate.control_socket());
  REQUIRE(watcher.ask(R"({"cmd":"hw.inputs","watch":true})").at("ok") == true);
  REQUIRE(watcher.ask(R"({"cmd":"hw.inputs","watch":true})").at("ok") == true);
  RawControl rig(gate.dir() / "rig.sock");
  rig.send(R"({"t":"in","line":"lane1.beam_outer","v":1})" "\n");
  // The raw change, then the debounced one: two different events, not one event twice.
  const auto first = next_event(watcher);
  CHECK(first.at("event") == "input");
  CHECK(first.at("line") == "lane1.beam_outer");
  CHECK(first.at("raw") == true);
  CHECK(next_event(watcher) != first);
}

TEST_CASE("a watcher that hung up is forgotten when the next one starts watching, without waiting for an event") {
  CtlFixture gate;
  gate.start_gate();
  const std::string watch_log = "event=hw_watch view=scanners uid=" + std::to_string(::geteuid());
  {
    RawControl gone(gate.control_socket());
    REQUIRE(gone.ask(R"({"cmd":"hw.scanners","watch":true})").at("ok") == true);
    REQUIRE(gate.gated().wait_for_output(watch_log + " watchers=1", kGateLimit));
  }  // hangs up; no read comes that would find it gone
  RawControl next(gate.control_socket());
  // Its hang-up reached the gate before this connection did: once this request is answered,
  // the gate has handled the hang-up too.
  REQUIRE(next.ask(R"({"cmd":"lanes"})").at("ok") == true);
  REQUIRE(next.ask(R"({"cmd":"hw.scanners","watch":true})").at("ok") == true);
  // A later log line, so that everything logged before it has been read from the gate.
  REQUIRE(next.ask(R"({"cmd":"hw.inputs","watch":true})").at("ok") == true);
  REQUIRE(gate.gated().wait_for_output("event=hw_watch view=inputs", kGateLimit));
  const std::string log = gate.gated().output();
  const auto last = log.rfind(watch_log);
  REQUIRE(last != std::string::npos);
  REQUIRE(log.find(watch_log) != last);  // both watch starts were logged
  CHECK(log.substr(last, log.find('\n', last) - last) == watch_log + " watchers=1");
}

TEST_CASE("passgatectl hw inputs --watch prints the inputs at once into a pipe, before any change") {
  CtlFixture gate;
  gate.start_gate();
  // ChildProcess reads passgatectl's output through a pipe, as `| cat` or `| tee` would. No
  // input changes here: the table must not wait in a buffer for the first event to flush it.
  passgate::test::ChildProcess watch(PASSGATECTL, {"hw", "inputs", "--watch", "--config", gate.config_file()});
  CHECK(watch.wait_for_output("lane1.beam_outer", std::chrono::seconds(20)));
}
