// The real passgated against a hostile tracking engine: every answer is a chunked body whose
// chunk header never ends. The carts feed, the entry request and the outbox each give up at
// the chunk header bound (1 KiB) and close the connection, naming the bound; the gate's peak
// memory stays where it was and entry goes on offline. Before the bounded parser, the gate
// buffered such an answer until its time-out: 279 MB on the carts feed alone.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "tests/scenario/endless_chunk_peer.hpp"
#include "tests/scenario/gate_harness.hpp"
#include "tests/scenario/rig_client.hpp"

namespace passgate::scenario {
namespace {

// A process's resident-set figure from /proc/<pid>/status ("VmHWM" peak, "VmRSS" now), in KiB.
std::int64_t resident_kib(int pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with(field + ":")) return std::stoll(line.substr(field.size() + 1));
  }
  FAIL("no " << field << " in /proc/" << pid << "/status");
  return 0;
}

// Resets the process's peak resident set to its current size (proc(5), clear_refs "5").
void reset_peak(int pid) {
  std::ofstream clear("/proc/" + std::to_string(pid) + "/clear_refs");
  clear << "5";
  REQUIRE(clear.good());
}

std::size_t refusals_in(const std::string& log) {
  std::size_t count = 0;
  for (std::size_t at = log.find("bound=chunk_header_limit"); at != std::string::npos;
       at = log.find("bound=chunk_header_limit", at + 1)) {
    ++count;
  }
  return count;
}

}  // namespace

TEST_CASE("a tracking engine whose chunk header never ends costs the gate no memory, and entry goes on offline",
          "[scenario]") {
  GateHarness gate(GateOptions{.offline_policy = "admit", .start_gate = false});
  EndlessChunkPeer engine(gate.io());
  gate.use_tracking_port(engine.port());
  gate.start_gate();
  const int pid = gate.gated().pid();
  const auto log = [&gate] { return gate.gated().output(); };

  // Warm up: the carts feed has met the hostile answer once (threads, pools and buffers made).
  REQUIRE(gate.poll_until([&] { return refusals_in(log()) >= 2; }, kReactLimit));
  reset_peak(pid);
  const std::int64_t before_kib = resident_kib(pid, "VmRSS");

  // Entry: the session request gets the same answer, is refused at the bound, and the
  // offline policy admits; the open request then goes to the outbox, which meets it too.
  RigClient rig(gate);
  rig.connect_ready();
  rig.scan(1, gate.mint("shp_hostile"));
  REQUIRE(rig.wait_level(kRelease1, true));
  REQUIRE(gate.poll_until([&] { return log().find("event=outbox_unreachable") != std::string::npos; }, kReactLimit));
  // Many more polls of the carts feed, each refused the same way.
  const std::size_t seen = refusals_in(log());
  REQUIRE(gate.poll_until([&] { return refusals_in(log()) >= seen + 20; }, 30s));

  const std::int64_t growth_kib = resident_kib(pid, "VmHWM") - before_kib;
  INFO("peak resident growth " << growth_kib << " KiB over " << engine.answered() << " hostile answers; "
                               << "the most one connection took: " << engine.most_taken_by_one() << " bytes");
  CHECK(growth_kib < 16 * 1024);
  // Each connection was closed by the gate, not left to its time-out; what one took is what
  // the sockets buffer, not what the peer could send in the time-out.
  CHECK(engine.closed_by_client() >= engine.answered() - 1);
  CHECK(engine.most_taken_by_one() < 16U * 1024 * 1024);
  CHECK(log().find("offline=true") != std::string::npos);
}

}  // namespace passgate::scenario
