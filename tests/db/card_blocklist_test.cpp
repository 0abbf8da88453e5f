// CardBlocklist (db/card_blocklist.hpp): listing a card by its keyed hash, looking it up under
// the current and previous keys, lifting an entry, and listing it again.
#include <catch2/catch.hpp>

#include <string>

#include "db/card_blocklist.hpp"
#include "tests/db/card_attempt_support.hpp"
#include "tests/db/db_test_support.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

TEST_CASE("card blocklist: a listed card is found by any of its hashes until an operator lifts it") {
  TestDatabase t;
  CardBlocklist list(*t.db);
  auto none = list.find({"h-current", "h-previous"});
  REQUIRE(describe(none) == "ok");
  CHECK_FALSE(none->has_value());

  auto added = list.add("h-previous", "unpaid_remainder", "sid-1", kNow);
  REQUIRE(describe(added) == "ok");
  CHECK(*added);
  // Listed again while in force: the first entry stays as it is.
  added = list.add("h-previous", "unpaid_remainder", "sid-2", kNow + 1);
  REQUIRE(describe(added) == "ok");
  CHECK_FALSE(*added);
  t.reopen();
  CardBlocklist again(*t.db);
  auto found = again.find({"h-current", "h-previous"});
  REQUIRE(describe(found) == "ok");
  REQUIRE(found->has_value());
  CHECK((*found)->fingerprint_hash == "h-previous");
  CHECK((*found)->session_id == "sid-1");
  CHECK((*found)->since_ms == kNow);
  CHECK((*found)->reason == "unpaid_remainder");
  CHECK((*found)->lifted_at_ms == 0);

  CHECK(again.lift("sid-2", kNow + 2).error().code == "wrong_state");  // names no entry in force
  REQUIRE(describe(again.lift("sid-1", kNow + 2)) == "ok");
  CHECK(again.lift("sid-1", kNow + 3).error().code == "wrong_state");
  found = again.find({"h-current", "h-previous"});
  REQUIRE(describe(found) == "ok");
  CHECK_FALSE(found->has_value());
  // A new unpaid remainder lists the card again, for its own session.
  added = again.add("h-previous", "unpaid_remainder", "sid-3", kNow + 4);
  REQUIRE(describe(added) == "ok");
  CHECK(*added);
  found = again.find({"h-previous"});
  REQUIRE(describe(found) == "ok");
  CHECK((*found)->session_id == "sid-3");
  CHECK(again.add("", "unpaid_remainder", "sid-4", kNow).error().code == "bad_entry");
  CHECK(again.add("h-x", "", "sid-4", kNow).error().code == "bad_entry");
}

TEST_CASE("card blocklist: a card listed under a previous sealing key is still found after the key rotates") {
  TestDatabase t;
  const std::string old_key(32, 'o');
  const std::string new_key(32, 'n');
  const CardCrypto before = CardCrypto::make(old_key);
  CardBlocklist list(*t.db);
  REQUIRE(describe(list.add(before.hash("fp_card"), "unpaid_remainder", "sid-1", kNow)) == "ok");

  auto sealer = passgate::crypto::PaymentSealer::from_keys({new_key, old_key});
  REQUIRE(describe(sealer) == "ok");
  auto hasher = sealer->card_fingerprint_hasher();
  REQUIRE(describe(hasher) == "ok");
  auto hashes = hasher->digests("fp_card");
  REQUIRE(describe(hashes) == "ok");
  REQUIRE(hashes->size() == 2);
  CHECK(hashes->front() != before.hash("fp_card"));
  CHECK(hashes->back() == before.hash("fp_card"));
  auto found = list.find(*hashes);
  REQUIRE(describe(found) == "ok");
  CHECK(found->has_value());
  auto other = hasher->digests("fp_other_card");
  REQUIRE(describe(other) == "ok");
  found = list.find(*other);
  REQUIRE(describe(found) == "ok");
  CHECK_FALSE(found->has_value());
}
