// The ledger report's card-present counts and readers: open holds, captured, voided,
// abandoned, declined, incremented, armed and on readers, a captured hold plus the charge of
// the rest as one payment, and the human table.
#include <catch2/catch.hpp>

#include "tests/gateway_sim/terminal_fixture.hpp"
#include "tools/sim/gateway/report.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

namespace {

json card_report(const TerminalFixture& f) {
  return sim::ledger_report_json(f.ledger.intents(), f.ledger.terminal().readers());
}

}  // namespace

TEST_CASE("the report counts card-present holds by outcome and the intents armed on readers") {
  TerminalFixture f;
  const std::string captured = f.attempt("s1")["id"];
  REQUIRE(f.post(increment_target(captured), {{"amount", "4500"}}, "s1:increment").status == 200);
  REQUIRE(f.post(capture_target(captured), {{"amount_to_capture", "4500"}}, "s1:capture").status == 200);
  const std::string voided = f.attempt("s2")["id"];
  REQUIRE(f.post(cancel_target(voided), {{"cancellation_reason", "abandoned"}}, "s2:void").status == 200);
  const std::string declined = f.attempt("s3", kDeclined)["id"];
  REQUIRE(f.post(cancel_target(declined), {{"cancellation_reason", "abandoned"}}, "s3:void").status == 200);
  (void)f.attempt("s4");                     // an open hold
  const std::string armed = f.arm("s5")["id"];
  REQUIRE(f.collect(armed).status == 200);  // waiting on the reader

  const json counts = card_report(f)["card_present"];
  CHECK(counts == json{{"intents", 5}, {"open_holds", 1}, {"held", 3000}, {"captured", 1}, {"voided", 1},
                       {"abandoned", 1}, {"declined", 1}, {"incremented", 1}, {"armed", 1}, {"on_readers", 1}});
  const json readers = card_report(f)["readers"];
  REQUIRE(readers.size() == 2);
  CHECK(readers[0] == json{{"id", kReader},
                           {"status", "online"},
                           {"action", "collect_payment_method"},
                           {"action_status", "in_progress"},
                           {"payment_intent", armed},
                           {"faults", json::array()}});
  CHECK(readers[1]["action"].is_null());
  CHECK(card_report(f)["duplicates"].empty());
}

TEST_CASE("a captured hold and the charge of the rest are one payment, a second hold is a duplicate") {
  TerminalFixture f;
  const json held = f.attempt("s1");
  REQUIRE(f.post(capture_target(held["id"]), {{"amount_to_capture", "3000"}}, "s1:capture").status == 200);
  FormFields rest = intent_fields("s1", "charge", 700,
                                  held["latest_charge"]["payment_method_details"]["card_present"]["generated_card"]);
  rest[2].second = held["customer"];
  REQUIRE(f.post(kCreate, rest, "s1:charge").status == 200);
  CHECK(card_report(f)["duplicates"].empty());

  const json first = f.attempt("s2");
  // A second hold for the same session (under another key): the bug the report catches.
  const auto made = f.post(kCreate, hold_fields("s2", first["customer"]), "s2:tpreauth:bug");
  REQUIRE(made.status == 200);
  const std::string second = json::parse(made.body)["id"];
  REQUIRE(f.collect(second, kOtherReader).status == 200);
  REQUIRE(f.tap(kVisa, kOtherReader).status == 200);
  REQUIRE(f.confirm(second, kOtherReader).status == 200);
  const json duplicates = card_report(f)["duplicates"];
  REQUIRE(duplicates.size() == 1);
  CHECK(duplicates[0]["session_id"] == "s2");
  CHECK(duplicates[0]["reasons"] == json::array({"2 live tpreauth intents"}));
}

TEST_CASE("the ledger table shows the card-present line and the readers with their faults") {
  TerminalFixture f;
  (void)f.attempt("s1");
  REQUIRE(f.ledger.terminal().set_fault(kOtherReader, sim::TerminalFault::offline));
  const std::string table = sim::format_ledger_table(card_report(f));
  CHECK_THAT(table, Contains("card-present: 1 intents, 1 open holds (3000 held)"));
  CHECK_THAT(table, Contains("reader tmr_lane1 online confirm_payment_intent succeeded pi_"));
  CHECK_THAT(table, Contains("reader tmr_lane2 offline [offline]"));

  LedgerFixture plain;  // no card-present intents, no readers: the table as before
  CHECK_THAT(sim::format_ledger_table(sim::ledger_report_json(plain.ledger.intents())), !Contains("card-present"));
}
