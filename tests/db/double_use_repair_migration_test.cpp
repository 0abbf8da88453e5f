// Migration 27: what an older version left of a double use's cart is repaired as the gate
// now does when it finds a double use: a corrected cart an operator charged (of another
// reason) that still waits in `carts` goes back to the quarantine as double_use (its row
// reopened, its raw cart kept, the undone charge audited); a session's open row of another
// reason is relabelled; a double use's cart an operator charged as such, and the carts of
// other sessions, are left alone.
#include <catch2/catch.hpp>

#include <string>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/cart_quarantine.hpp"
#include "db/migrations.hpp"
#include "db/settlement_store.hpp"
#include "tests/db/db_test_support.hpp"
#include "tests/support/temp_dir.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

namespace {

void add_session(SQLite::Database& raw, const std::string& id, bool double_use) {
  raw.exec("INSERT INTO sessions (session_id, token_id, token_expires_at, lane, shopper, group_size, admitted_at,"
           " created_at_ms, offline, state, open_request, double_use) VALUES ('" +
           id + "', 'jti-" + id + "', 1000, 1, 'shp', 1, '', 1, 0, 'open', '', " + (double_use ? "1" : "0") + ")");
}

void add_cart(SQLite::Database& raw, const std::string& id, int total) {
  raw.exec("INSERT INTO carts (session_id, currency, total_minor, finalized_at, received_at_ms) VALUES ('" + id +
           "', 'EUR', " + std::to_string(total) + ", 't', 1)");
}

void add_row(SQLite::Database& raw, const std::string& id, const std::string& reason, const std::string& state) {
  raw.exec("INSERT INTO quarantined_carts (session_id, reason, detail, raw, finalized_at, received_at_ms, state,"
           " settled_at_ms, settled_by) VALUES ('" +
           id + "', '" + reason + "', 'above max_cart_minor', '{\"as\":\"sent\"}', 't', 1, '" + state + "', " +
           (state == "open" ? "0, ''" : "5, 'alice'") + ")");
}

}  // namespace

TEST_CASE("migration 27 holds the double-use carts an older version left chargeable") {
  passgate::test::TempDir dir;
  const auto file = dir / "gate.db";
  {
    SQLite::Database raw(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (std::size_t v = 0; v < 26; ++v) raw.exec(std::string(schema_migrations()[v]));
    raw.exec("PRAGMA user_version = 26");
    // s1: double use; an operator charged its over_limit row; the corrected cart waits in carts.
    add_session(raw, "s1", true);
    add_row(raw, "s1", "over_limit", "charged");
    add_cart(raw, "s1", 700);
    // s2: double use; its over_limit row still open.
    add_session(raw, "s2", true);
    add_row(raw, "s2", "over_limit", "open");
    // s3: double use whose cart an operator charged as a double use: left to be planned.
    add_session(raw, "s3", true);
    add_row(raw, "s3", "double_use", "charged");
    add_cart(raw, "s3", 300);
    // s4: no double use, a charged over_limit row and its corrected cart: left alone.
    add_session(raw, "s4", false);
    add_row(raw, "s4", "over_limit", "charged");
    add_cart(raw, "s4", 400);
  }
  auto db = open_or_fail(file);
  CHECK(db->schema_version() == latest_schema_version());
  SettlementStore settlement(*db);
  CHECK_FALSE(settlement.cart("s1").value());
  CHECK(settlement.cart("s3").value());
  CHECK(settlement.cart("s4").value());

  const auto state_of = [&](const std::string& id) {
    return db->sql()
        .execAndGet("SELECT reason || ' ' || state || ' ' || raw FROM quarantined_carts WHERE session_id = '" + id +
                    "'")
        .getString();
  };
  CHECK(state_of("s1") == "double_use open {\"as\":\"sent\"}");
  CHECK(state_of("s2") == "double_use open {\"as\":\"sent\"}");
  CHECK(state_of("s3") == "double_use charged {\"as\":\"sent\"}");
  CHECK(state_of("s4") == "over_limit charged {\"as\":\"sent\"}");
  const auto detail_of = [&](const std::string& id) {
    return db->sql().execAndGet("SELECT detail FROM quarantined_carts WHERE session_id = '" + id + "'").getString();
  };
  CHECK_THAT(detail_of("s1"), Catch::Matchers::StartsWith(std::string(kDoubleUseDetail)));
  CHECK_THAT(detail_of("s1"), Catch::Matchers::Contains("its cart of 700 EUR (minor units) is not charged"));
  CHECK_THAT(detail_of("s1"), Catch::Matchers::Contains("quarantined first as over_limit (charged by alice)"));
  CHECK_THAT(detail_of("s2"), Catch::Matchers::StartsWith(std::string(kDoubleUseDetail)));
  CHECK_THAT(detail_of("s2"), Catch::Matchers::Contains("quarantined first as over_limit: above max_cart_minor"));
  CHECK(db->sql()
            .execAndGet("SELECT count(*) || ' ' || group_concat(actor || ' ' || action, ',') FROM audit_log")
            .getString() == "1 passgated reopen_cart");

  // The planner plans only s3 (and s4) of these; s1 waits for an operator's decision.
  const auto planned = settlement.candidates(10).value();
  REQUIRE(planned.size() == 2);
  CHECK(planned[0].session_id == "s3");
  CHECK(planned[1].session_id == "s4");
}
