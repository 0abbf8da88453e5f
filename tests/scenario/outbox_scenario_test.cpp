// The real passgated and the tracking-engine simulator: a report the engine will never take
// (it answers 400) does not block the outbox. The next session's report is delivered at
// once; the rejected one becomes a dead letter after 5 rejections, holding back only its
// own session's cancel; `passgatectl status` and /healthz-independent views say so;
// `passgatectl outbox` lists it without its body; an operator drops it (audited) and the
// held cancel goes on.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include "common/time_format.hpp"
#include "controller/tracking/messages.hpp"
#include "db/database.hpp"
#include "db/outbox.hpp"
#include "tests/scenario/gate_harness.hpp"

namespace passgate::scenario {
namespace {

using nlohmann::json;

json outbox_ctl_json(GateHarness& gate, std::vector<std::string> args) {
  args.push_back("--json");
  const auto result = gate.ctl(std::move(args));
  INFO(result.output);
  REQUIRE(result.status == 0);
  return json::parse(result.output);
}

bool outbox_scenario_has_passage(const json& state, const std::string& passage_id) {
  for (const auto& p : state.at("passages")) {
    if (p.at("passage_id") == passage_id) return true;
  }
  return false;
}

TEST_CASE("a report the tracking engine keeps rejecting becomes a dead letter and blocks no other", "[scenario]") {
  GateHarness gate(GateOptions{.start_gate = false});
  const controller::GateIdentity identity{"store-0042", "gate-scenario"};
  const std::string held_session = "9c1f3a52-5b1e-4d0c-8f6a-2b7e0d4c1a99";
  const std::string good_passage = "5d2c7e1a-0b3f-4a6e-9c8d-7f1e2a3b4c5d";
  {
    auto database = db::Database::open(gate.database_file());
    REQUIRE(database.ok());
    db::Outbox outbox(**database);
    const std::int64_t now = unix_millis(std::chrono::system_clock::now());
    // The engine answers 400 to this one (no passage_id, no lane...): it never takes it.
    REQUIRE(outbox.enqueue(controller::passage_message(held_session, R"({"session_id":")" + held_session + R"("})"),
                           now).ok());
    // The same session's cancel, queued after it: it must wait.
    REQUIRE(outbox.enqueue(controller::cancel_message(held_session), now).ok());
    // Another report, of no session: it must not wait.
    REQUIRE(outbox.enqueue(controller::passage_message(
                               std::nullopt, controller::passage_body(identity, good_passage, 3, controller::Direction::out,
                                                                      controller::PassageKind::exit, std::nullopt,
                                                                      format_rfc3339_ms(std::chrono::system_clock::now()))),
                           now).ok());
  }
  gate.start_gate();

  REQUIRE(gate.wait_for_tracking([&](const json& state) { return outbox_scenario_has_passage(state, good_passage); }, kReactLimit));
  // Rejected 5 times (backoffs of about 0.5, 1, 2 and 4 s), while the engine took the other report.
  REQUIRE(gate.poll_until([&] { return gate.gated().output().find("event=outbox_dead_letter") != std::string::npos; },
                          60s));
  const auto log = gate.gated().output();
  CHECK(log.find("rejections=5") != std::string::npos);

  const json status = outbox_ctl_json(gate, {"status"});
  INFO(status.dump());
  CHECK(status.at("outbox_dead_letters") == 1);
  CHECK(status.at("outbox") == 1);  // the held cancel
  bool told = false;
  for (const auto& line : status.at("attention")) {
    if (line.get<std::string>().find("dead letter") != std::string::npos) told = true;
  }
  CHECK(told);

  const json listed = outbox_ctl_json(gate, {"outbox"});
  INFO(listed.dump());
  REQUIRE(listed.at("dead").size() == 1);
  const json dead = listed.at("dead").at(0);
  CHECK(dead.at("kind") == "passage");
  CHECK(dead.at("session_id") == held_session);
  CHECK(dead.at("rejections") == 5);
  CHECK(dead.at("last_error").get<std::string>().rfind("HTTP 400", 0) == 0);
  CHECK_FALSE(dead.contains("body"));
  CHECK(listed.at("waiting") == 1);
  CHECK(listed.at("oldest").is_null());  // the cancel waits behind the dead letter: nothing else may be sent
  const auto table = gate.ctl({"outbox"});
  CHECK(table.output.find("Dead letters") != std::string::npos);

  const auto dropped = gate.ctl({"outbox", "drop", std::to_string(dead.at("id").get<std::int64_t>()), "--reason",
                                 "reported to the engine by hand"});
  INFO(dropped.output);
  REQUIRE(dropped.status == 0);
  CHECK(dropped.output.find("is dropped") != std::string::npos);
  // The held cancel goes now (the engine never had the session: a 404 to a cancel is done).
  REQUIRE(gate.poll_until([&] { return outbox_ctl_json(gate, {"status"}).at("outbox") == 0; }, 30s));
  const json after = outbox_ctl_json(gate, {"outbox"});
  CHECK(after.at("dead_letters") == 0);
  gate.stop_gate();

  SQLite::Database raw(gate.database_file().string(), SQLite::OPEN_READONLY);
  SQLite::Statement audit(raw, "SELECT detail FROM audit_log WHERE action = 'outbox_drop'");
  REQUIRE(audit.executeStep());
  CHECK(audit.getColumn(0).getString().find("reported to the engine by hand") != std::string::npos);
}

}  // namespace
}  // namespace passgate::scenario
