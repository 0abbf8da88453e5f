// The reconciliation view: ledger_report_json() (totals, duplicates) and the human table.
#include <catch2/catch.hpp>

#include "tests/gateway_sim/gateway_fixture.hpp"
#include "tools/sim/gateway/report.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

TEST_CASE("the ledger lists every intent with per-session and per-currency totals") {
  LedgerFixture f;
  const std::string captured = new_uuid_v4();
  const std::string held = new_uuid_v4();
  const std::string charged = new_uuid_v4();
  const std::string hold = f.create(captured, "preauth", 5000)["id"];
  REQUIRE(f.post(capture_target(hold), {{"amount_to_capture", "4200"}}, captured + ":capture").status == 200);
  (void)f.create(held, "preauth", 3000);
  (void)f.create(charged, "charge", 1250);
  FormFields euros = intent_fields(new_uuid_v4(), "charge", 999);
  euros[1].second = "eur";
  REQUIRE(f.post(kCreate, euros, "eur:charge").status == 200);
  REQUIRE(f.post(kCreate, intent_fields(new_uuid_v4(), "charge", 10, "pm_card_chargeDeclined"), "d:charge").status ==
          402);

  const json ledger = sim::ledger_report_json(f.ledger.intents());
  REQUIRE(ledger["intents"].size() == 5);
  const json& first = ledger["intents"][0];
  CHECK(first["session_id"] == captured);
  CHECK(first["op"] == "preauth");
  CHECK(first["amount"] == 5000);
  CHECK(first["amount_received"] == 4200);
  CHECK(first["amount_capturable"] == 0);
  CHECK(first["status"] == "succeeded");
  CHECK(first["currency"] == "usd");
  CHECK(first["gate_id"] == "gate-a");
  CHECK_FALSE(first.contains("customer"));
  CHECK_FALSE(first.contains("payment_method"));

  REQUIRE(ledger["sessions"].size() == 5);
  CHECK(ledger["sessions"][0] ==
        json{{"session_id", captured}, {"currency", "usd"}, {"collected", 4200}, {"held", 0}, {"intents", 1}});
  CHECK(ledger["sessions"][1]["held"] == 3000);
  CHECK(ledger["sessions"][1]["collected"] == 0);
  CHECK(ledger["totals"]["usd"] == json{{"collected", 4200 + 1250}, {"held", 3000}, {"sessions", 4}, {"intents", 4}});
  CHECK(ledger["totals"]["eur"]["collected"] == 999);
  CHECK(ledger["duplicates"].empty());
}

TEST_CASE("duplicates: two live intents for one op, or two collecting intents in one session") {
  LedgerFixture f;
  const std::string twice_charged = new_uuid_v4();
  const json a = f.create(twice_charged, "charge", 1250);
  REQUIRE(f.post(kCreate, intent_fields(twice_charged, "charge", 1250), "another-key").status == 200);

  const std::string capture_and_charge = new_uuid_v4();
  const std::string hold = f.create(capture_and_charge, "preauth", 1000)["id"];
  REQUIRE(f.post(capture_target(hold), {}, capture_and_charge + ":capture").status == 200);
  (void)f.create(capture_and_charge, "charge", 1500);

  const std::string two_holds = new_uuid_v4();
  (void)f.create(two_holds, "preauth", 1000);
  REQUIRE(f.post(kCreate, intent_fields(two_holds, "preauth", 1000), "second-hold").status == 200);

  // Not duplicates: a hold voided and replaced by a charge; a decline and then a charge.
  const std::string replaced = new_uuid_v4();
  const std::string voided = f.create(replaced, "preauth", 1000)["id"];
  (void)f.create(replaced, "charge", 2500);
  REQUIRE(f.post(cancel_target(voided), {{"cancellation_reason", "abandoned"}}, replaced + ":void").status == 200);
  const std::string declined_first = new_uuid_v4();
  REQUIRE(f.post(kCreate, intent_fields(declined_first, "charge", 700, "pm_card_chargeDeclined"), "d").status == 402);
  (void)f.create(declined_first, "charge", 700);

  const json duplicates = sim::ledger_report_json(f.ledger.intents())["duplicates"];
  REQUIRE(duplicates.size() == 3);
  CHECK(duplicates[0]["session_id"] == twice_charged);
  CHECK(duplicates[0]["reasons"] == json{"2 live charge intents", "2 collecting intents"});
  CHECK(duplicates[0]["intents"].size() == 2);
  CHECK(duplicates[0]["intents"][0] == a["id"]);
  CHECK(duplicates[1]["session_id"] == capture_and_charge);
  CHECK(duplicates[1]["reasons"] == json{"2 collecting intents"});
  CHECK(duplicates[2]["session_id"] == two_holds);
  CHECK(duplicates[2]["reasons"] == json{"2 live preauth intents"});
}

TEST_CASE("the ledger table shows intents, totals, duplicates and request counters") {
  LedgerFixture f;
  const std::string session = new_uuid_v4();
  (void)f.create(session, "charge", 1250);
  REQUIRE(f.post(kCreate, intent_fields(session, "charge", 1250), "again").status == 200);
  json ledger = sim::ledger_report_json(f.ledger.intents());
  ledger["requests"] = {{"total", 7}, {"replayed", 1}, {"conflicts", 2}, {"faulted", 3}, {"dropped", 1}};

  const std::string table = sim::format_ledger_table(ledger);
  CHECK_THAT(table, Contains(session));
  CHECK_THAT(table, Contains("charge"));
  CHECK_THAT(table, Contains("1250"));
  CHECK_THAT(table, Contains("succeeded"));
  CHECK_THAT(table, Contains("2500"));  // collected in usd
  CHECK_THAT(table, Contains("duplicates: 1"));
  CHECK_THAT(table, Contains("7 total, 1 replayed, 2 conflicts (409), 3 faulted, 1 dropped"));
  CHECK_THAT(table, !Contains(kCustomer));
}
