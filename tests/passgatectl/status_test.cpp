// passgatectl status, answered by the running gate over its control socket: what needs
// attention first, then identity, lanes, the tracking engine and its outbox, sessions and
// payments, in words and as JSON; never a payment reference.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>
#include <nlohmann/json.hpp>

#include "common/time_format.hpp"
#include "tests/passgatectl/ctl_fixture.hpp"

using Catch::Matchers::Contains;
using nlohmann::json;
using passgate::test::CtlFixture;
using passgate::test::kHour;
using passgate::test::kMinute;
using passgate::test::StoreDay;

TEST_CASE("status shows what needs attention, the lanes, the backends, sessions and payments") {
  StoreDay day;
  const auto run = day.ctl({"status"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  // No rig reports the fire alarm clear yet: unknown counts as active.
  CHECK_THAT(run.output, Contains("ATTENTION:\n") && Contains("  - the fire alarm is active") &&
                             Contains("  - the tracking engine is unreachable") &&
                             Contains("  - the payment gateway is unreachable") &&
                             Contains("  - 2 dead letter(s) wait for an operator: passgatectl queue lists them"));
  CHECK_THAT(run.output, Contains("gate gate-a of store store-0042, up ") &&
                             Contains("config " + day.config_file() + ", database " + day.database_file().string()) &&
                             Contains("fire alarm: ACTIVE"));
  CHECK_THAT(run.output, Contains("LANE  KIND   STATE") && Contains("\n1     entry  ") && Contains("\n2     exit   "));
  CHECK_THAT(run.output, Contains("tracking engine: unreachable since ") &&
                             Contains("tracking-engine outbox: 1 message(s) waiting"));
  CHECK_THAT(run.output, Contains("sessions: 3 open (1 admitted offline), 10 in all: cancelled 0 denied 1 open 8 "
                                  "open_offline 1 opening 0"));
  const std::string since = passgate::format_rfc3339_ms(
      passgate::WallTime{std::chrono::milliseconds{day.now_ms() - 2 * kHour - 31 * kMinute}});
  CHECK_THAT(run.output, Contains("payment gateway: unreachable since " + since + " (2h 31m ago)"));
  CHECK_THAT(run.output, Contains("payment queue: 2 operation(s) outstanding, owed 500 JPY, 20.00 USD, oldest 2h 30m"));
  CHECK_THAT(run.output, Contains("dead letters: 2 (passgatectl queue lists them"));
  CHECK_THAT(run.output, Contains("settlements: 2 session(s) settled of 6 decided"));
  CHECK_THAT(run.output, !Contains("pi_") && !Contains("jti-") && !Contains("shp_"));
}

TEST_CASE("status --json gives the same as one object for scripts") {
  StoreDay day;
  const auto run = day.ctl({"status", "--json"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const json status = json::parse(run.output);
  CHECK(status.at("store_id") == "store-0042");
  CHECK(status.at("gate_id") == "gate-a");
  CHECK(status.at("config_file") == day.config_file());
  CHECK(status.at("uptime_s").get<std::int64_t>() >= 0);
  CHECK(status.at("fire_alarm") == true);
  REQUIRE(status.at("lanes").size() == 2);
  CHECK(status.at("lanes").at(0).at("kind") == "entry");
  CHECK(status.at("tracking").at("state") == "unreachable");
  CHECK(status.at("tracking").contains("since_ms"));
  CHECK(status.at("outbox") == 1);
  CHECK(status.at("sessions_total") == 10);
  CHECK(status.at("sessions_open") == 3);
  CHECK(status.at("sessions_open_offline") == 1);
  CHECK(status.at("sessions_by_state") ==
        json{{"opening", 0}, {"open", 8}, {"open_offline", 1}, {"denied", 1}, {"cancelled", 0}});

  const json& gateway = status.at("gateway");
  CHECK(gateway.at("state") == "unreachable");
  CHECK(gateway.at("since_ms") == day.now_ms() - 2 * kHour - 31 * kMinute);
  const json& queue = status.at("payment_queue");
  CHECK(queue.at("outstanding") == 2);
  CHECK(queue.at("owed_minor") == json{{"JPY", 500}, {"USD", 2000}});
  CHECK(queue.at("oldest_age_s").get<std::int64_t>() >= (2 * kHour + 30 * kMinute) / 1000);
  CHECK(queue.at("dead_letters") == 2);
  CHECK(status.at("settlements") == json{{"decided", 6}, {"settled", 2}});
  CHECK(status.at("attention").size() >= 4);
  CHECK_THAT(run.output, !Contains("pi_") && !Contains("jti-") && !Contains("shp_"));
}

TEST_CASE("a gate that never reached its gateway says it is unknown, with an empty queue") {
  CtlFixture gate;
  gate.start_gate();
  const auto run = gate.ctl({"status"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Contains("payment gateway: unknown (passgated has not sent a payment request yet)") &&
                             Contains("payment queue: 0 operation(s) outstanding, owed none\n") &&
                             Contains("dead letters: 0\n") &&
                             Contains("settlements: 0 session(s) settled of 0 decided") &&
                             Contains("sessions: 0 open (0 admitted offline), 0 in all"));
  const json status = json::parse(gate.ctl({"status", "--json"}).output);
  CHECK(status.at("gateway") == json{{"state", "unknown"}});
  CHECK(status.at("payment_queue").at("oldest_age_s").is_null());
  CHECK(status.at("payment_queue").at("owed_minor") == json::object());
}

TEST_CASE("status names the card holds near their capture_before and what to do about them") {
  CtlFixture gate;
  // A card session admitted with its hold lapsing in 30 minutes and no cart yet, as the card
  // lane records it (no sealed reference: nothing here needs a sealing key).
  gate.add_session("c-near", 2 * kHour);
  SQLite::Database& sql = gate.database().sql();
  sql.exec("UPDATE sessions SET hold_requested = 1 WHERE session_id = 'c-near'");
  sql.exec("INSERT INTO card_attempts (session_id, lane, reader_id, currency, hold_minor, key_customer, key_hold,"
           " key_confirm, key_process, key_void, key_collect, key_cancel_action, fingerprint_hash, capture_before_s,"
           " state, armed_at_ms) VALUES ('c-near', 1, 'tmr_1', 'usd', 3000, 'c-near:customer', 'c-near:tpreauth',"
           " 'c-near:confirm', 'c-near:process', 'c-near:void', 'c-near:collect:0', 'c-near:cancel_action:0', 'h',"
           " " + std::to_string(gate.now_ms() / 1000 + 1800) + ", 'admitted', 1)");
  gate.start_gate();
  const auto run = gate.ctl({"status"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Contains("  - 1 card hold(s) are near or past their capture_before") &&
                             Contains("check the carts feed and the gateway"));
  const json status = json::parse(gate.ctl({"status", "--json"}).output);
  CHECK(status.at("payment_queue").at("card_holds_near_lapse") == 1);
}
