// Retention of the card records (db/retention.hpp): a voided attempt and a lifted blocklist
// entry go after the records' retention, nothing not final ever does, and a card session goes
// with its attempt only once its hold was captured or voided.
#include <catch2/catch.hpp>

#include <string>

#include "db/card_attempt_store.hpp"
#include "db/card_blocklist.hpp"
#include "db/retention.hpp"
#include "tests/db/card_attempt_support.hpp"
#include "tests/db/db_test_support.hpp"
#include "tests/db/retention_support.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

namespace {

constexpr std::int64_t kRetention = 30 * kDayMs;

bool attempt_exists(CardAttemptStore& store, const std::string& sid) {
  auto found = store.find(sid);
  REQUIRE(describe(found) == "ok");
  return found->has_value();
}

RetentionCutoffs cut_at(std::int64_t now_ms) { return {now_ms - kRetention, now_ms - kRetention}; }

}  // namespace

TEST_CASE("card retention: voided attempts and lifted entries go after the retention, nothing not final ever does") {
  TestDatabase t;
  const CardCrypto c = CardCrypto::make();
  CardAttemptStore store(*t.db);
  CardBlocklist list(*t.db);
  // Lane 1: voided long ago, then voided recently; lanes 2-5 stay in every state not final.
  REQUIRE(describe(store.arm(new_attempt("sid-old", 1), kNow)) == "ok");
  REQUIRE(describe(store.abandon("sid-old", "rearm", kNow)) == "ok");
  REQUIRE(describe(store.mark_voided("sid-old", kNow)) == "ok");
  REQUIRE(describe(store.arm(new_attempt("sid-young", 1), kNow + 40 * kDayMs)) == "ok");
  REQUIRE(describe(store.deny("sid-young", "payment_declined", kNow + 40 * kDayMs)) == "ok");
  REQUIRE(describe(store.mark_voided("sid-young", kNow + 40 * kDayMs)) == "ok");
  REQUIRE(describe(store.arm(new_attempt("sid-armed", 2), kNow)) == "ok");
  drive_to_held(store, c, "sid-held", 3, "fp_held");
  REQUIRE(describe(store.arm(new_attempt("sid-giving-up", 4), kNow)) == "ok");
  REQUIRE(describe(store.deny("sid-giving-up", "terminal_unavailable", kNow)) == "ok");
  REQUIRE(describe(list.add("h-in-force", "unpaid_remainder", "sid-a", kNow)) == "ok");
  REQUIRE(describe(list.add("h-lifted-old", "unpaid_remainder", "sid-b", kNow)) == "ok");
  REQUIRE(describe(list.lift("sid-b", kNow + kDayMs)) == "ok");
  REQUIRE(describe(list.add("h-lifted-young", "unpaid_remainder", "sid-c", kNow)) == "ok");
  REQUIRE(describe(list.lift("sid-c", kNow + 40 * kDayMs)) == "ok");

  const DeletedRows deleted = sweep_all(*t.db, cut_at(kNow + 60 * kDayMs));
  CHECK(deleted.card_attempts == 1);
  CHECK(deleted.card_blocklist == 1);
  CHECK_FALSE(attempt_exists(store, "sid-old"));
  for (const char* sid : {"sid-young", "sid-armed", "sid-held", "sid-giving-up"}) {
    INFO(sid);
    CHECK(attempt_exists(store, sid));
  }
  auto found = list.find({"h-in-force"});
  REQUIRE(describe(found) == "ok");
  CHECK(found->has_value());
  // A year later: every final row older than the retention is gone, the rest stays.
  const DeletedRows later = sweep_all(*t.db, cut_at(kNow + 400 * kDayMs));
  CHECK(later.card_attempts == 1);
  CHECK(later.card_blocklist == 1);
  for (const char* sid : {"sid-armed", "sid-held", "sid-giving-up"}) CHECK(attempt_exists(store, sid));
  found = list.find({"h-in-force"});
  REQUIRE(describe(found) == "ok");
  CHECK(found->has_value());
}

TEST_CASE("card retention: a card session and its attempt stay until the hold is captured or voided, then go together") {
  TestDatabase t;
  const CardCrypto c = CardCrypto::make();
  CardAttemptStore store(*t.db);
  ShopRecords shop(*t.db);
  // Captured: goes after the retention. Charged without ending the hold: the hold stands, kept.
  int lane = 0;
  for (const char* sid : {"sid-captured", "sid-hold-open", "sid-void-pending"}) {
    drive_to_admitted(store, c, sid, ++lane, std::string("fp_") + sid);
    shop.open(sid);
  }
  shop.cart("sid-captured", 1000, kNow + kDayMs);
  (void)shop.settle("sid-captured", "capture", {"capture"}, 1000, kNow + kDayMs, OpEnd::succeeded);
  shop.cart("sid-hold-open", 1000, kNow + kDayMs);
  (void)shop.settle("sid-hold-open", "charge", {"charge"}, 1000, kNow + kDayMs, OpEnd::succeeded);
  shop.cart("sid-void-pending", 0, kNow + kDayMs);
  (void)shop.settle("sid-void-pending", "void", {"void"}, 0, kNow + kDayMs, OpEnd::pending);
  shop.purge_tokens(kNow + 50 * kDayMs);

  const DeletedRows deleted = sweep_all(*t.db, cut_at(kNow + 60 * kDayMs));
  CHECK(deleted.sessions == 1);
  CHECK(deleted.card_attempts == 1);
  CHECK_FALSE(attempt_exists(store, "sid-captured"));
  CHECK_FALSE(shop.rows("sid-captured").session.has_value());
  for (const char* sid : {"sid-hold-open", "sid-void-pending"}) {
    INFO(sid);
    CHECK(attempt_exists(store, sid));
    CHECK(shop.rows(sid).session.has_value());
  }
  // Once the void succeeds, that session and its attempt go too.
  const auto void_id = shop.rows("sid-void-pending").ops.front().id;
  shop.finish(void_id, OpEnd::succeeded, kNow + 2 * kDayMs);
  const DeletedRows later = sweep_all(*t.db, cut_at(kNow + 60 * kDayMs));
  CHECK(later.card_attempts == 1);
  CHECK_FALSE(attempt_exists(store, "sid-void-pending"));
  CHECK(attempt_exists(store, "sid-hold-open"));
}
