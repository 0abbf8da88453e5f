// The reader faults and their scope, set on the ledger's TerminalDesk (the server's channels
// to them are in terminal_server_test.cpp): offline/online, busy until a cancel_action or
// none, the collect failures (in progress, else the next collect), wallet (next tap),
// no_increment (until none), reader_timeout (next action), confirm_fail(_held) (next
// confirm), and none.
#include <catch2/catch.hpp>

#include "tests/gateway_sim/terminal_fixture.hpp"

using namespace passgate;
using namespace passgate::test;
using sim::TerminalFault;

namespace {

void set_fault_on(TerminalFixture& f, TerminalFault fault, const std::string& reader = kReader) {
  REQUIRE(f.ledger.terminal().set_fault(reader, fault));
}

}  // namespace

TEST_CASE("offline: the reader shows offline and refuses actions until online, on that reader only") {
  TerminalFixture f;
  const std::string id = f.arm("s1")["id"];
  set_fault_on(f, TerminalFault::offline);
  CHECK(f.reader()["status"] == "offline");
  CHECK(f.reader(kOtherReader)["status"] == "online");
  const auto refused = f.collect(id);
  CHECK(refused.status == 400);
  CHECK(error_of(refused)["code"] == "terminal_reader_offline");
  CHECK(error_of(f.post(reader_target(kReader, "cancel_action"), {}, "c")).at("code") == "terminal_reader_offline");
  CHECK(f.reader()["action"].is_null());  // nothing was done
  set_fault_on(f, TerminalFault::online);
  CHECK(f.reader_post("collect_payment_method", id, "s1:collect:1").status == 200);
  CHECK_FALSE(f.ledger.terminal().set_fault("tmr_nope", TerminalFault::offline));
}

TEST_CASE("busy: another intent's action occupies the reader until a cancel_action, or until none") {
  TerminalFixture f;
  const std::string id = f.arm("s1")["id"];
  set_fault_on(f, TerminalFault::busy);
  const json action = f.reader()["action"];
  CHECK(action["status"] == "in_progress");
  CHECK(action["collect_payment_method"]["payment_intent"] != id);
  CHECK(error_of(f.collect(id))["code"] == "terminal_reader_busy");
  CHECK(error_of(f.reader_post("collect_payment_method", id, "s1:collect:1"))["code"] == "terminal_reader_busy");
  CHECK(f.tap().status == 400);  // the occupying intent is not the simulator's to tap for
  REQUIRE(f.post(reader_target(kReader, "cancel_action"), {}, "s1:cancel_action:1").status == 200);
  CHECK(f.reader_post("collect_payment_method", id, "s1:collect:2").status == 200);

  set_fault_on(f, TerminalFault::busy, kOtherReader);
  CHECK(f.reader(kOtherReader)["action"]["status"] == "in_progress");
  set_fault_on(f, TerminalFault::none, kOtherReader);
  CHECK(f.reader(kOtherReader)["action"].is_null());
}

TEST_CASE("customer_cancel, card_removed, tap_timeout fail the collect in progress, api_error null") {
  TerminalFixture f;
  for (const auto& [fault, code] : {std::pair{TerminalFault::customer_cancel, "customer_canceled"},
                                    std::pair{TerminalFault::card_removed, "card_read_error"},
                                    std::pair{TerminalFault::tap_timeout, "reader_timeout"}}) {
    INFO(code);
    const std::string session = std::string("s-") + code;
    const std::string id = f.arm(session)["id"];
    REQUIRE(f.reader_post("collect_payment_method", id, session + ":collect:0").status == 200);
    set_fault_on(f, fault);
    const json action = f.reader()["action"];
    CHECK(action["status"] == "failed");
    CHECK(action["failure_code"] == code);
    CHECK(action["api_error"].is_null());
    CHECK(f.intent(id)["status"] == "requires_payment_method");
    CHECK(f.tap().status == 400);  // nothing to tap for any more
    // Re-collect on the same intent works: the fault was used up.
    REQUIRE(f.reader_post("collect_payment_method", id, session + ":collect:1").status == 200);
    CHECK(f.reader()["action"]["status"] == "in_progress");
    REQUIRE(f.post(cancel_target(id), {}, session + ":void").status == 200);
  }
}

TEST_CASE("a collect failure set while no collect runs fails the next collect, once") {
  TerminalFixture f;
  set_fault_on(f, TerminalFault::card_removed);
  const std::string id = f.arm("s1")["id"];
  const auto started = f.collect(id);
  REQUIRE(started.status == 200);
  CHECK(json::parse(started.body)["action"]["status"] == "failed");
  CHECK(json::parse(started.body)["action"]["failure_code"] == "card_read_error");
  REQUIRE(f.reader_post("collect_payment_method", id, "s1:collect:1").status == 200);
  CHECK(f.reader()["action"]["status"] == "in_progress");
  REQUIRE(f.tap().status == 200);
  REQUIRE(f.confirm(id).status == 200);
  CHECK(f.intent(id)["status"] == "requires_capture");
}

TEST_CASE("wallet: the next tap only is a wallet, with its own fingerprint and no generated card") {
  TerminalFixture f;
  const json card = f.attempt("s0")["latest_charge"]["payment_method_details"]["card_present"];
  set_fault_on(f, TerminalFault::wallet);
  const json wallet = f.attempt("s1")["latest_charge"]["payment_method_details"]["card_present"];
  CHECK(wallet["generated_card"].is_null());
  CHECK(wallet["wallet"]["type"] == "apple_pay");
  CHECK(wallet["fingerprint"] != card["fingerprint"]);
  CHECK(wallet["last4"] == "4242");
  const json after = f.attempt("s2")["latest_charge"]["payment_method_details"]["card_present"];
  CHECK(after["fingerprint"] == card["fingerprint"]);
  CHECK(after["generated_card"].is_string());
  set_fault_on(f, TerminalFault::wallet);
  const json wallet_again = f.attempt("s3")["latest_charge"]["payment_method_details"]["card_present"];
  CHECK(wallet_again["fingerprint"] == wallet["fingerprint"]);  // the same device token each time
}

TEST_CASE("no_increment: holds placed on that reader support no increment until none") {
  TerminalFixture f;
  const auto supported = [](const json& intent) {
    return intent["latest_charge"]["payment_method_details"]["card_present"]["incremental_authorization_supported"]
        .get<bool>();
  };
  set_fault_on(f, TerminalFault::no_increment);
  const json first = f.attempt("s1");
  CHECK_FALSE(supported(first));
  CHECK_FALSE(supported(f.attempt("s2")));
  const auto refused = f.post(increment_target(first["id"]), {{"amount", "4000"}}, "s1:increment");
  CHECK(refused.status == 400);
  set_fault_on(f, TerminalFault::none);
  CHECK(supported(f.attempt("s3")));
}

TEST_CASE("reader_timeout: the next action request runs, then is answered terminal_reader_timeout") {
  TerminalFixture f;
  const std::string id = f.arm("s1")["id"];
  set_fault_on(f, TerminalFault::reader_timeout);
  const auto lost = f.collect(id);
  CHECK(lost.status == 400);
  CHECK(error_of(lost)["code"] == "terminal_reader_timeout");
  CHECK(f.reader()["action"]["status"] == "in_progress");  // it reached the reader
  CHECK(f.collect(id).replayed);                           // the same key: the same 400
  REQUIRE(f.tap().status == 200);
  CHECK(f.confirm(id).status == 200);  // once only
  CHECK(f.intent(id)["status"] == "requires_capture");
}

TEST_CASE("confirm_fail: the reader fails the next confirm with api_error null, the intent decides") {
  TerminalFixture f;
  for (const auto& [fault, status] : {std::pair{TerminalFault::confirm_fail, "requires_confirmation"},
                                      std::pair{TerminalFault::confirm_fail_held, "requires_capture"}}) {
    INFO(status);
    const std::string session = std::string("s-") + status;
    const std::string id = f.arm(session)["id"];
    REQUIRE(f.reader_post("collect_payment_method", id, session + ":collect:0").status == 200);
    REQUIRE(f.tap().status == 200);
    set_fault_on(f, fault);
    const auto confirmed = f.reader_post("confirm_payment_intent", id, session + ":confirm");
    REQUIRE(confirmed.status == 200);
    const json action = json::parse(confirmed.body)["action"];
    CHECK(action["status"] == "failed");
    CHECK(action["api_error"].is_null());
    CHECK(f.intent(id)["status"] == status);
  }
  // Used up: the next confirm succeeds.
  CHECK(f.attempt("s-next")["status"] == "requires_capture");
}

TEST_CASE("confirm_fail applies to process_payment_intent's tap too, a decline stays a card_error") {
  TerminalFixture f;
  const std::string id = f.arm("s1")["id"];
  REQUIRE(f.reader_post("process_payment_intent", id, "s1:process").status == 200);
  set_fault_on(f, TerminalFault::confirm_fail_held);
  REQUIRE(f.tap().status == 200);
  CHECK(f.reader()["action"]["api_error"].is_null());
  CHECK(f.intent(id)["status"] == "requires_capture");

  set_fault_on(f, TerminalFault::confirm_fail_held);
  const json declined = f.attempt("s2", kNoFunds);
  CHECK(declined["status"] == "requires_payment_method");
  CHECK(f.reader()["action"]["api_error"]["decline_code"] == "insufficient_funds");
}

TEST_CASE("none clears every fault of that reader") {
  TerminalFixture f;
  for (auto fault : {TerminalFault::offline, TerminalFault::busy, TerminalFault::card_removed, TerminalFault::wallet,
                     TerminalFault::no_increment, TerminalFault::reader_timeout, TerminalFault::confirm_fail}) {
    set_fault_on(f, fault);
  }
  CHECK(f.ledger.terminal().readers()[0].faults_json().size() == 7);
  set_fault_on(f, TerminalFault::none);
  CHECK(f.ledger.terminal().readers()[0].faults_json().empty());
  const json held = f.attempt("s1");
  CHECK(held["status"] == "requires_capture");
  CHECK(held["latest_charge"]["payment_method_details"]["card_present"]["generated_card"].is_string());
}
