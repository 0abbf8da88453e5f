// Quarantined final carts as an operator meets them through the running gate: listed by
// passgatectl queue, raised by passgatectl status, charged after correction (the gate's
// currency, at most payments.max_cart_minor; settled once) or written off, each audited with
// the invoking user; and the queue's sums, which neither status nor queue may fail on, even
// with the largest amounts in the queue.
#include <catch2/catch.hpp>

#include <limits>

#include <SQLiteCpp/SQLiteCpp.h>
#include <nlohmann/json.hpp>

#include "db/cart_quarantine.hpp"
#include "db/payment_queue.hpp"
#include "db/settlement_store.hpp"
#include "tests/passgatectl/ctl_fixture.hpp"

using Catch::Matchers::Contains;
using nlohmann::json;
using passgate::test::CtlFixture;
using passgate::test::kGateLimit;
using passgate::test::payment_op;
using passgate::test::ScopedEnv;
using passgate::test::this_user;
namespace db = passgate::db;

namespace {

constexpr const char* kRaw = R"({"session_id":"s-euro","state":"final","currency":"EUR","total_minor":2390})";

// A gate whose feed quarantined a EUR cart of session s-euro (id 1) and an unreadable cart
// naming no session (id 2), then started.
struct QuarantineGate : CtlFixture {
  QuarantineGate() {
    add_session("s-euro", 5 * passgate::test::kMinute);
    const std::vector<db::QuarantinedCart> carts{
        {"s-euro", db::QuarantineReason::currency, "currency EUR is not the gate's currency USD (payments.currency)",
         kRaw, "2026-11-21T18:21:40.002Z"},
        {"", db::QuarantineReason::unreadable, "expected a cart object", "7", ""}};
    auto recorded = db::SettlementStore(database()).record_carts("final_carts", {}, carts, "c1", now_ms());
    REQUIRE(recorded.ok());
    REQUIRE(recorded->quarantined.size() == 2);
    start_gate();
  }
};

}  // namespace

TEST_CASE("quarantined carts are listed by queue and raised by status") {
  QuarantineGate gate;
  const auto listing = gate.ctl({"queue"});
  INFO(listing.output);
  REQUIRE(listing.exit_code == 0);
  CHECK_THAT(listing.output, Contains("Quarantined final carts (never charged as they came") &&
                                 Contains("s-euro") && Contains("currency EUR is not the gate's currency USD") &&
                                 Contains("(unreadable)") && Contains("expected a cart object") &&
                                 Contains("; 2 quarantined cart(s)"));
  const json reply = json::parse(gate.ctl({"queue", "--json"}).output);
  REQUIRE(reply.at("quarantined_carts").size() == 2);
  const json& first = reply.at("quarantined_carts").at(0);
  CHECK(first.at("id") == 1);
  CHECK(first.at("session_id") == "s-euro");
  CHECK(first.at("reason") == "currency");
  CHECK(first.at("raw") == kRaw);
  CHECK(reply.at("counts").at("quarantined_carts") == 2);

  const auto status = gate.ctl({"status"});
  INFO(status.output);
  REQUIRE(status.exit_code == 0);
  CHECK_THAT(status.output, Contains("  - 2 final cart(s) are quarantined, not charged") &&
                                Contains("quarantined carts: 2 (never charged as they came"));
  CHECK(json::parse(gate.ctl({"status", "--json"}).output).at("payment_queue").at("quarantined_carts") == 2);
}

TEST_CASE("charge-cart takes only the gate's currency and an amount within payments.max_cart_minor") {
  QuarantineGate gate;
  const auto foreign = gate.ctl({"queue", "charge-cart", "1", "--amount", "2390", "--currency", "EUR", "--reason", "r"});
  CHECK(foreign.exit_code != 0);
  CHECK_THAT(foreign.output, Contains("currency: expected the gate's currency USD"));
  const auto huge = gate.ctl({"queue", "charge-cart", "1", "--amount", "9223372036854775807", "--currency", "USD",
                              "--reason", "r"});
  CHECK(huge.exit_code != 0);
  CHECK_THAT(huge.output, Contains("amount_minor must be a whole number from 0 to 10000000"));
  const auto no_reason = gate.ctl({"queue", "charge-cart", "1", "--amount", "2390", "--currency", "USD", "--reason", " "});
  CHECK(no_reason.exit_code != 0);
  CHECK_THAT(no_reason.output, Contains("needs a reason"));
  const auto no_session = gate.ctl({"queue", "charge-cart", "2", "--amount", "1", "--currency", "USD", "--reason", "r"});
  CHECK(no_session.exit_code != 0);
  CHECK_THAT(no_session.output, Contains("it names no session, so no shopper to charge; write it off instead"));
  CHECK(gate.audit_log().empty());
}

TEST_CASE("charge-cart settles the corrected cart once, audited with the invoking user") {
  QuarantineGate gate;
  const ScopedEnv no_sudo("SUDO_USER", std::nullopt);
  const auto run = gate.ctl({"queue", "charge-cart", "1", "--amount", "2390", "--currency", "usd", "--reason",
                             "re-priced from the receipt"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Contains("Quarantined cart 1 (session s-euro) is charged 23.90 USD after correction") &&
                             Contains("as " + this_user() + ", reason: re-priced from the receipt"));
  CHECK(gate.gated().wait_for_output("event=settlement_planned session=s-euro plan=charge total_minor=2390 currency=USD",
                                     kGateLimit));
  const auto audit = gate.audit_log();
  REQUIRE(audit.size() == 1);
  CHECK(audit.back().action == "charge_cart");
  CHECK(audit.back().actor == this_user());
  CHECK_THAT(audit.back().detail, Contains("quarantined cart 1 of session s-euro: charged 2390 USD after correction"));

  const auto again = gate.ctl({"queue", "charge-cart", "1", "--amount", "2390", "--currency", "USD", "--reason", "r"});
  CHECK(again.exit_code != 0);
  CHECK_THAT(again.output, Contains("it is already charged"));
  CHECK(gate.audit_log().size() == 1);
  CHECK(json::parse(gate.ctl({"queue", "--json"}).output).at("quarantined_carts").size() == 1);
}

TEST_CASE("charge-cart charges a double use's cart only with --double-use, and only a double use's") {
  CtlFixture gate;
  gate.add_session("s-twice", 5 * passgate::test::kMinute);
  const std::vector<db::QuarantinedCart> carts{{"s-twice", db::QuarantineReason::double_use,
                                                std::string(db::kDoubleUseDetail), kRaw, "2026-11-21T18:21:40.002Z"}};
  REQUIRE(db::SettlementStore(gate.database()).record_carts("final_carts", {}, carts, "c1", gate.now_ms()).ok());
  gate.database().sql().exec("UPDATE sessions SET double_use = 1 WHERE session_id = 's-twice'");
  gate.start_gate();
  // Asked as any other cart, twice (a lost reply, a script): refused, nothing written.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const auto plain = gate.ctl({"queue", "charge-cart", "1", "--amount", "2390", "--currency", "USD", "--reason", "r"});
    INFO(plain.output);
    CHECK(plain.exit_code != 0);
    CHECK_THAT(plain.output, Contains("admitted at another gate array of the store too") && Contains("--double-use"));
  }
  CHECK(gate.audit_log().empty());
  const auto confirmed = gate.ctl({"queue", "charge-cart", "1", "--amount", "2390", "--currency", "USD", "--reason",
                                   "loss prevention: the owner shopped", "--double-use"});
  INFO(confirmed.output);
  REQUIRE(confirmed.exit_code == 0);
  CHECK(gate.gated().wait_for_output("event=settlement_planned session=s-twice plan=charge total_minor=2390",
                                     kGateLimit));
  CHECK_THAT(gate.gated().output(), Contains("event=quarantined_cart_charged id=1 session=s-twice") &&
                                        Contains("double_use=confirmed"));
  REQUIRE(gate.audit_log().size() == 1);
  CHECK_THAT(gate.audit_log().back().detail, Contains("after correction (double use confirmed)"));
}

TEST_CASE("charge-cart --double-use is refused for a cart that is no double use") {
  QuarantineGate gate;
  const auto run = gate.ctl(
      {"queue", "charge-cart", "1", "--amount", "2390", "--currency", "USD", "--reason", "r", "--double-use"});
  CHECK(run.exit_code != 0);
  CHECK_THAT(run.output, Contains("its session is no double use; run charge-cart without --double-use"));
  CHECK(gate.audit_log().empty());
}

TEST_CASE("write-off-cart closes a quarantined cart without charging, audited") {
  QuarantineGate gate;
  const auto run = gate.ctl({"queue", "write-off-cart", "1", "--reason", "tourist paid in cash"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Contains("Quarantined cart 1 (session s-euro) is written off: nothing is charged"));
  CHECK(gate.gated().wait_for_output("event=settlement_planned session=s-euro plan=none total_minor=0", kGateLimit));
  REQUIRE(gate.audit_log().size() == 1);
  CHECK(gate.audit_log().back().action == "write_off_cart");
  const auto unreadable = gate.ctl({"queue", "write-off-cart", "2", "--reason", "garbage from the engine"});
  CHECK(unreadable.exit_code == 0);
  const auto status = gate.ctl({"status"});
  CHECK_THAT(status.output, Contains("quarantined carts: 0\n") && !Contains("quarantined, not charged"));
}

TEST_CASE("status and queue sum the largest amounts in the queue without failing") {
  CtlFixture gate;
  // The largest amount the gate now charges, many times: summed exactly.
  // Each waits for a retry due after the test, so the gate leaves them in the queue.
  db::PaymentQueue payments(gate.database());
  const auto queued = [&](const std::string& session, const db::NewPaymentOp& op) {
    const std::int64_t id = gate.settle(session, op, 0);
    REQUIRE(payments.mark_in_flight(id, gate.now_ms()).ok());
    REQUIRE(payments.mark_retry(id, gate.now_ms() + 3'600'000, "HTTP 503: gateway down").ok());
  };
  for (int i = 0; i < 50; ++i) {
    const std::string session = "s-max-" + std::to_string(i);
    queued(session, payment_op(session, "charge", 99'999'999));
  }
  // Two carts the gate charged before totals were bounded: their sum passes 64 bits.
  const std::int64_t max = std::numeric_limits<std::int64_t>::max();
  auto xxx = payment_op("s-huge-1", "charge", max);
  xxx.currency = "XXX";
  queued("s-huge-1", xxx);
  xxx.session_id = "s-huge-2";
  queued("s-huge-2", xxx);
  gate.start_gate();

  const auto status = gate.ctl({"status", "--json"});
  INFO(status.output);
  REQUIRE(status.exit_code == 0);
  const json queue = json::parse(status.output).at("payment_queue");
  CHECK(queue.at("owed_minor") == json{{"USD", 4'999'999'950}, {"XXX", max}});
  CHECK(queue.at("owed_capped") == json{"XXX"});
  const auto text = gate.ctl({"status"});
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.output, Contains("exceeds what the gate can count: the amount shown is a lower bound") &&
                              Contains("49999999.50 USD"));
  const auto listing = gate.ctl({"queue", "--json"});
  REQUIRE(listing.exit_code == 0);
  CHECK(json::parse(listing.output).at("owed_capped") == json{"XXX"});
}
