// The sealing keys the gate still needs: a start or a reload whose keys cannot open a payment
// reference of a session not yet settled is refused, naming the key id; settled sessions and
// those that can no longer be charged do not hold a key back. Rotating twice (A -> B -> C)
// while a session admitted under A waits for its cart is the case that once slipped through.
#include <catch2/catch.hpp>

#include "controller/settlement/sealing_keys_in_use.hpp"
#include "tests/settlement/planner_fixture.hpp"

using namespace passgate;
using namespace passgate::test;
using db::PaymentOpState;

namespace {

const std::string kKeyA(32, 's');  // the fixture's key
const std::string kKeyB(32, 'b');
const std::string kKeyC(32, 'c');

crypto::PaymentSealer keys(const std::vector<std::string>& raw) {
  auto sealer = crypto::PaymentSealer::from_keys(raw);
  REQUIRE(sealer.ok());
  return std::move(sealer).value();
}

}  // namespace

TEST_CASE("a second rotation that drops the key of a session waiting for its cart is refused, naming the key") {
  PlannerFixture f;
  f.add_session("s1");  // sealed with A
  REQUIRE(f.sessions.mark_open("s1").ok());
  const std::string key_a = f.sealer.current_key_id();

  CHECK(controller::check_sealing_keys(f.sessions, keys({kKeyB, kKeyA})).ok());  // A -> B, A kept
  const Status dropped = controller::check_sealing_keys(f.sessions, keys({kKeyC, kKeyB}));  // B -> C
  REQUIRE_FALSE(dropped.ok());
  CHECK(dropped.error().code == "seal_key_needed");
  CHECK_THAT(dropped.error().message, Catch::Contains("1 session(s) not settled yet (e.g. s1)") &&
                                          Catch::Contains("sealed with key " + key_a + ", which no configured key has") &&
                                          Catch::Contains("previous_seal_key_files"));

  const auto use = controller::sealing_keys_in_use(f.sessions, keys({kKeyC, kKeyB}), false);
  REQUIRE(use.ok());
  REQUIRE(use->count(key_a) == 1);
  CHECK(use->at(key_a).sessions == 1);
  CHECK_FALSE(use->at(key_a).configured);
}

TEST_CASE("a session stops holding its key back once nothing can still charge it") {
  PlannerFixture f;
  f.add_session("s1");
  f.record_carts({final_cart("s1", 1200)});
  const auto without_a = keys({kKeyC});
  CHECK_FALSE(controller::check_sealing_keys(f.sessions, without_a).ok());  // its cart waits for planning

  REQUIRE(f.planner.run() == 1);
  const std::int64_t charge = f.settling_ops("s1").at(0).id;
  CHECK_FALSE(controller::check_sealing_keys(f.sessions, without_a).ok());  // the charge is pending

  SECTION("charged: the key is free") {
    f.conclude(charge, PaymentOpState::succeeded);
    CHECK(controller::check_sealing_keys(f.sessions, without_a).ok());
  }
  SECTION("declined, a dead letter an operator may retry: still needed; written off: free") {
    f.conclude(charge, PaymentOpState::declined);
    CHECK_FALSE(controller::check_sealing_keys(f.sessions, without_a).ok());
    REQUIRE(f.queue.write_off(charge, "lost", db::AuditActor{"alice"}, f.now_ms()).ok());
    CHECK(controller::check_sealing_keys(f.sessions, without_a).ok());
  }
}

TEST_CASE("a damaged reference is counted, not a reason to refuse the keys") {
  PlannerFixture f;
  f.add_session("s1");
  REQUIRE(f.t.db->sql().exec("UPDATE sessions SET pay_sealed = X'00112233445566778899aabbccddeeff00112233445566778899'"
                             " WHERE session_id = 's1'") == 1);
  CHECK(controller::check_sealing_keys(f.sessions, f.sealer).ok());
  const auto use = controller::sealing_keys_in_use(f.sessions, f.sealer, true);
  REQUIRE(use.ok());
  CHECK(use->at(f.sealer.current_key_id()).damaged == 1);
}

TEST_CASE("a denied session without a hold, or without a payment reference, needs no key") {
  PlannerFixture f;
  f.add_session("denied");
  f.deny_session("denied");
  f.add_session("bare", false);
  CHECK(controller::check_sealing_keys(f.sessions, keys({kKeyC})).ok());
  const auto use = controller::sealing_keys_in_use(f.sessions, keys({kKeyC}), true);
  REQUIRE(use.ok());
  CHECK(use->empty());
}
