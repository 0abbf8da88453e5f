// Scenario tests of stopping passgated: SIGTERM lets the passage under way finish (and be
// recorded) while new scans are refused, then the daemon exits 0; the fire alarm never holds
// the stop up.
#include <catch2/catch.hpp>

#include <csignal>
#include <optional>
#include <string>

#include "db/database.hpp"
#include "db/outbox.hpp"
#include "db/session_store.hpp"
#include "hw/line_names.hpp"
#include "tests/scenario/gate_harness.hpp"
#include "tests/scenario/rig_client.hpp"

namespace passgate::scenario {
namespace {

using hw::LineRole;

const std::string kRelease2 = hw::line_name(2, LineRole::release_in);

// The session the gate stored for `shopper` (read from its database file), if any.
std::optional<db::SessionRecord> session_of(const GateHarness& gate, const std::string& shopper) {
  auto database = db::Database::open(gate.database_file());
  REQUIRE(database.ok());
  db::SessionStore sessions(**database);
  auto all = sessions.all();
  REQUIRE(all.ok());
  for (const auto& s : *all) {
    if (s.shopper == shopper) return s;
  }
  return std::nullopt;
}

// Whether the passage of `session_id` reached the tracking engine, or waits in the gate's
// outbox (the oldest message there: it is sent first at the next start).
bool passage_recorded(GateHarness& gate, const std::string& session_id) {
  const auto state = gate.tracking_state();
  UNSCOPED_INFO("tracking engine: " << state.dump());
  for (const auto& p : state.at("passages")) {
    if (p.at("session_id") == session_id && p.at("kind") == "admitted") return true;
  }
  auto database = db::Database::open(gate.database_file());
  REQUIRE(database.ok());
  db::Outbox outbox(**database);
  auto front = outbox.front();
  REQUIRE(front.ok());
  if (front->has_value()) UNSCOPED_INFO("outbox front: " << (*front)->message.kind << " " << (*front)->message.body);
  return front->has_value() && (*front)->message.kind == "passage" &&
         (*front)->message.body.find(session_id) != std::string::npos;
}

TEST_CASE("SIGTERM lets the passage under way finish, refuses new scans, and exits 0 once it is recorded",
          "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();

  rig.scan(1, gate.mint("shp_tess"));
  REQUIRE(rig.wait_level(kRelease1, true));  // granted: the shopper may walk in

  gate.gated().signal(SIGTERM);
  REQUIRE(gate.gated().wait_for_output("event=shutdown_requested ", kReactLimit));
  CHECK(gate.gated().output().find("passages_in_progress=1") != std::string::npos);

  // While it waits, nobody new is admitted: the gate answers (it is still running), with a refusal.
  rig.scan(2, gate.mint("shp_ugo"));
  REQUIRE(rig.wait_display(2, "lane_unavailable"));
  CHECK(rig.rises_since_ready(kRelease2) == 0);
  CHECK(rig.view().active(kRelease1));  // the grant is still open
  CHECK_FALSE(gate.gated().wait_exit(0ms).has_value());

  // The shopper walks through; then the gate stops by itself.
  rig.walk_in(1);
  const auto status = gate.gated().wait_exit(kStartLimit);
  const std::string said = gate.gated().output();
  INFO("passgated said:\n" << said);
  REQUIRE(status == 0);

  // The passage was recorded before the gate stopped.
  const auto passage = said.find("event=passage lane=1 direction=in kind=admitted");
  const auto drained = said.find("event=shutdown_drained ");
  REQUIRE(passage != std::string::npos);
  REQUIRE(drained != std::string::npos);
  CHECK(passage < drained);
  CHECK(said.find("event=stopped exit_status=0") != std::string::npos);

  const auto session = session_of(gate, "shp_tess");
  REQUIRE(session.has_value());
  CHECK(session->state == db::SessionState::open);  // used, not cancelled
  CHECK(passage_recorded(gate, session->session_id));
  CHECK_FALSE(session_of(gate, "shp_ugo").has_value());  // refused before anything was stored
}

TEST_CASE("the fire alarm never holds up a stop: a granted lane under alarm does not wait", "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();

  rig.scan(1, gate.mint("shp_vera"));
  REQUIRE(rig.wait_level(kRelease1, true));
  rig.set("fire_alarm", true);
  REQUIRE(rig.wait_all_releases(true));

  gate.gated().signal(SIGTERM);
  const auto status = gate.gated().wait_exit(kStartLimit);
  const std::string said = gate.gated().output();
  INFO("passgated said:\n" << said);
  REQUIRE(status == 0);
  CHECK(said.find("event=shutdown_requested signal=15 passages_in_progress=0") != std::string::npos);
  CHECK(said.find("event=shutdown_drained ") != std::string::npos);
}

}  // namespace
}  // namespace passgate::scenario
