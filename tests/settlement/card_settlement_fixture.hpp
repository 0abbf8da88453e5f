// The planner fixture with card sessions: the card attempts store on the same database, card
// sessions admitted as the card-entry runner admits them (customer "cus_<sid>", hold 30.00 EUR
// on PaymentIntent "pi_<sid>", saved card "pm_saved_<fingerprint>"), a CardSettlementPlanner
// inside the planner, and the drainer reading card references; and a settlement drained
// against a gateway that answers as a test says (drain_card, hold_found).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "controller/settlement/card_planner.hpp"
#include "db/card_attempt_store.hpp"
#include "db/card_blocklist.hpp"
#include "db/card_settlement_store.hpp"
#include "tests/db/card_attempt_support.hpp"
#include "tests/settlement/planner_fixture.hpp"

namespace passgate::test {

struct TestCard {
  bool saved = true;         // a generated_card (false: a wallet)
  bool incremental = false;  // incremental_authorization_supported
  std::optional<std::int64_t> capture_before_s;  // default: a week from now

  [[nodiscard]] static TestCard with(bool saved, std::optional<std::int64_t> capture_before_s = std::nullopt) {
    TestCard card;
    card.saved = saved;
    card.capture_before_s = capture_before_s;
    return card;
  }
};

struct CardSettlementFixture : PlannerFixture {
  explicit CardSettlementFixture(controller::CardPlannerSettings settings = {}, bool wired = true)
      : card_planner(cards, attempts, store, queue, sealer, vt, settings) {
    if (wired) planner.set_card_planner(&card_planner);
  }

  // Arms attempt `sid` on `lane` and drives it to held for the card `fingerprint`, not admitted.
  void hold_card(const std::string& sid, const std::string& fingerprint, TestCard card = {}, int lane = 1) {
    using db::test::describe;
    REQUIRE(describe(attempts.arm(db::test::new_attempt(sid, lane), now_ms())) == "ok");
    REQUIRE(describe(attempts.record_customer(sid, c.seal("cus_" + sid, sid))) == "ok");
    REQUIRE(describe(attempts.record_intent(sid, c.seal("pi_" + sid, sid))) == "ok");
    REQUIRE(describe(attempts.mark_tapped(sid, hash(fingerprint), now_ms())) == "ok");
    db::HeldCard held{.fingerprint_hash = hash(fingerprint),
                      .generated_card = card.saved ? c.seal("pm_saved_" + fingerprint, sid) : db::SealedRef{},
                      .brand = "visa", .last4 = "4242", .incremental_authorization_supported = card.incremental,
                      .capture_before_s = card.capture_before_s.value_or(now_ms() / 1000 + 7 * 24 * 3600)};
    REQUIRE(describe(attempts.mark_held(sid, held, now_ms())) == "ok");
  }
  // Admits card session `sid` on `lane` for the card `fingerprint`.
  void admit_card(const std::string& sid, const std::string& fingerprint, TestCard card = {}, int lane = 1) {
    hold_card(sid, fingerprint, card, lane);
    REQUIRE(db::test::describe(attempts.admit(sid, db::test::card_session(sid, lane, hash(fingerprint)), now_ms())) == "ok");
  }
  [[nodiscard]] std::string hash(const std::string& fingerprint) const { return c.hash(fingerprint); }
  [[nodiscard]] bool blocked(const std::string& fingerprint) {
    auto found = blocklist.find({hash(fingerprint)});
    REQUIRE(db::test::describe(found) == "ok");
    return found->has_value();
  }
  // The drainer, reading card references, started.
  controller::PaymentDrainer& start_card_drainer() {
    make_drainer().set_card_attempts(&attempts);
    REQUIRE(db::test::describe(drainer->start()) == "ok");
    return *drainer;
  }

  db::CardAttemptStore attempts{*t.db};
  db::CardSettlementStore cards{*t.db};
  db::CardBlocklist blocklist{*t.db};
  db::test::CardCrypto c = db::test::CardCrypto::make(std::string(32, 's'));  // the fixture's sealing key
  controller::CardSettlementPlanner card_planner;
};

// The hold of card session `sid` (30.00 EUR, or `amount`, on "pi_<sid>") as the gateway shows
// it, found by a search (what FakeGateway's read_intent goes through).
inline PaymentOutcome hold_found(const std::string& sid, const std::string& status, std::int64_t received,
                                 std::int64_t capturable = 0, std::int64_t amount = 3000) {
  PaymentIntentView intent;
  intent.id = "pi_" + sid;
  intent.status = status;
  intent.amount = amount;
  intent.amount_capturable = capturable;
  intent.amount_received = received;
  intent.currency = "eur";
  intent.session_id = sid;
  intent.op = "tpreauth";
  PaymentOutcome found;
  found.kind = PaymentOutcomeKind::succeeded;
  found.http_status = 200;
  found.found = {intent};
  return found;
}

// Checks `rest`, what collects the part of session c1's cart its hold did not (card "fp-1"):
// with a saved card, the charge "c1:charge" in state `charged`, the card not on the blocklist;
// for a wallet, the unpaid remainder "c1:charge:remainder", a dead letter, the card listed.
inline void check_rest_of_c1(CardSettlementFixture& f, const db::PaymentOpRecord& rest, bool saved,
                             db::PaymentOpState charged) {
  if (saved) {
    CHECK(rest.idempotency_key == "c1:charge");
    CHECK(rest.state == charged);
    CHECK_FALSE(f.blocked("fp-1"));
  } else {
    CHECK(rest.idempotency_key == "c1:charge:remainder");
    CHECK(db::is_dead_letter(rest.state, rest.alert));
    CHECK(f.blocked("fp-1"));
  }
}

// What the gateway answers to one call (a search: searched_session set); nullopt: approved.
using CardAnswer = std::function<std::optional<PaymentOutcome>(const FakeGateway::Call& call)>;

// Sends every due operation and runs the planner, `rounds` times 2 s apart, the gateway
// answering as `answer` says.
inline void drain_card(CardSettlementFixture& f, const CardAnswer& answer, int rounds = 20) {
  for (int round = 0; round < rounds; ++round) {
    f.vt.run_ready();
    while (!f.gateway.calls.empty()) {
      if (auto given = answer(f.gateway.calls.front())) {
        f.gateway.answer_oldest(std::move(*given));
      } else {
        f.gateway.approve_oldest();
      }
      f.vt.run_ready();
    }
    (void)f.planner.run();
    f.vt.advance(std::chrono::seconds(2));
  }
}

}  // namespace passgate::test
