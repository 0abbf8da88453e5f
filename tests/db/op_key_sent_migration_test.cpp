// Migration 21: payment operations gain `op_key_sent`. Those of an older database sent at least
// once went without metadata[op_key], and are resent exactly as their key was first used (the
// gateway refuses a key reused with other parameters); those never sent, and every new one,
// carry it from their first send.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/migrations.hpp"
#include "db/payment_queue.hpp"
#include "tests/db/db_test_support.hpp"
#include "tests/support/temp_dir.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

TEST_CASE("migration 21 marks the payment operations sent before it as sent without op_key, the rest with it") {
  passgate::test::TempDir dir;
  const auto file = dir / "gate.db";
  {
    const auto raw_db = raw_at_version(file, 20);
    SQLite::Database& raw = *raw_db;
    for (const char* sid : {"s1", "s2", "s3"}) {
      raw.exec(std::string("INSERT INTO sessions (session_id, token_id, token_expires_at, lane, shopper, group_size,"
                           " admitted_at, created_at_ms, offline, state, open_request) VALUES ('") +
               sid + "', 'jti-" + sid + "', 1000, 1, 'shp', 1, '', 1, 0, 'open', '')");
    }
    raw.exec(R"(INSERT INTO payment_ops (session_id, op, idempotency_key, amount_minor, currency, state, attempts,
                  first_attempt_at_ms, created_at_ms, next_attempt_at_ms) VALUES
      ('s1', 'charge', 's1:charge', 5000, 'USD', 'pending', 0, 0, 1, 1),
      ('s2', 'charge', 's2:charge', 5000, 'USD', 'pending', 1, 5, 1, 1),
      ('s3', 'charge', 's3:charge:remainder', 700, 'USD', 'dead', 0, 0, 1, 1))");
  }
  auto db = open_or_fail(file);
  CHECK(db->schema_version() == latest_schema_version());
  PaymentQueue queue(*db);
  std::vector<std::string> found;
  for (std::int64_t id = 1; id <= 3; ++id) {
    auto op = queue.find(id);
    REQUIRE(op.ok());
    REQUIRE(op->has_value());
    found.push_back((*op)->session_id + " " + ((*op)->op_key_sent ? "with" : "without"));
  }
  CHECK(found == std::vector<std::string>{"s1 with", "s2 without", "s3 with"});
  NewPaymentOp fresh;
  fresh.session_id = "s1";
  fresh.op = "charge";
  fresh.amount_minor = 100;
  fresh.currency = "USD";
  fresh.key_suffix = "capture";
  auto id = queue.enqueue(fresh, 10);
  REQUIRE(id.ok());
  auto op = queue.find(*id);
  REQUIRE(op.ok());
  CHECK((*op)->op_key_sent);
}
