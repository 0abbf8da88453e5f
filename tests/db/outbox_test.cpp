// Outbox: FIFO delivery order, failure bookkeeping, and durability across a restart.
#include <catch2/catch.hpp>

#include "db/outbox.hpp"
#include "tests/db/db_test_support.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

namespace {

OutboxMessage passage(int n) {
  return {.kind = "passage", .target = "/v1/passages", .body = R"({"n":)" + std::to_string(n) + "}", .session_id = ""};
}

}  // namespace

TEST_CASE("outbox messages come out in the order they went in") {
  TestDatabase t;
  Outbox outbox(*t.db);
  std::vector<std::int64_t> ids;
  for (int n = 1; n <= 3; ++n) {
    const auto id = outbox.enqueue(passage(n), 1000 + n);
    REQUIRE(describe(id) == "ok");
    ids.push_back(*id);
  }
  CHECK(ids[0] < ids[1]);
  CHECK(ids[1] < ids[2]);
  CHECK(*outbox.size() == 3);

  for (int n = 1; n <= 3; ++n) {
    const auto front = outbox.front();
    REQUIRE(describe(front) == "ok");
    REQUIRE(front->has_value());
    const OutboxItem& item = **front;
    CHECK(item.id == ids[static_cast<std::size_t>(n - 1)]);
    CHECK(item.message.kind == "passage");
    CHECK(item.message.target == "/v1/passages");
    CHECK(item.message.body == passage(n).body);
    CHECK(item.created_at_ms == 1000 + n);
    CHECK(item.next_attempt_at_ms == 1000 + n);
    CHECK(item.attempts == 0);
    CHECK(item.last_error.empty());
    REQUIRE(describe(outbox.remove(item.id)) == "ok");
  }
  CHECK(*outbox.size() == 0);
  const auto empty = outbox.front();
  REQUIRE(describe(empty) == "ok");
  CHECK_FALSE(empty->has_value());
}

TEST_CASE("a failed delivery is counted and postpones the message, which stays first and unchanged") {
  TestDatabase t;
  Outbox outbox(*t.db);
  const auto first = outbox.enqueue(passage(1), 1000);
  REQUIRE(describe(outbox.enqueue(passage(2), 1001)) == "ok");

  REQUIRE(describe(outbox.record_failure(*first, 3000, "connect: connection refused")) == "ok");
  REQUIRE(describe(outbox.record_failure(*first, 7000, "HTTP 503")) == "ok");

  const auto front = outbox.front();
  REQUIRE(describe(front) == "ok");
  REQUIRE(front->has_value());
  CHECK((*front)->id == *first);
  CHECK((*front)->attempts == 2);
  CHECK((*front)->next_attempt_at_ms == 7000);
  CHECK((*front)->last_error == "HTTP 503");
  CHECK((*front)->created_at_ms == 1000);
  CHECK((*front)->message.body == passage(1).body);
}

TEST_CASE("removing or failing a message that is not in the outbox is an error") {
  TestDatabase t;
  Outbox outbox(*t.db);
  const auto removed = outbox.remove(42);
  REQUIRE_FALSE(removed.ok());
  CHECK(removed.error().code == "not_found");
  CHECK(removed.error().message == "outbox message 42 not found");

  const auto failed = outbox.record_failure(42, 1, "x");
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == "not_found");
}

TEST_CASE("outbox ids are never reused, even after the newest message is removed") {
  TestDatabase t;
  Outbox outbox(*t.db);
  const auto first = outbox.enqueue(passage(1), 1);
  REQUIRE(describe(outbox.remove(*first)) == "ok");
  const auto second = outbox.enqueue(passage(2), 2);
  REQUIRE(describe(second) == "ok");
  CHECK(*second > *first);
}

TEST_CASE("the outbox survives a restart") {
  TestDatabase t;
  const auto id = Outbox(*t.db).enqueue(passage(1), 1000);
  REQUIRE(describe(id) == "ok");
  t.reopen();
  const auto front = Outbox(*t.db).front();
  REQUIRE(describe(front) == "ok");
  REQUIRE(front->has_value());
  CHECK((*front)->id == *id);
  CHECK((*front)->message.body == passage(1).body);
}
