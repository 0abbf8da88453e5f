// RetentionMetrics: the rows retention deleted, by table, and the sessions it passed over,
// from 0 at start, and the database's size and free pages, read at every scrape.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "common/virtual_time.hpp"
#include "controller/metrics/retention.hpp"
#include "tests/db/db_test_support.hpp"
#include "tests/db/retention_support.hpp"

using namespace std::chrono_literals;
using namespace passgate;
using namespace passgate::db::test;

namespace {

bool has_line(const std::string& page, const std::string& line) { return page.find(line + "\n") != std::string::npos; }

// The value of the series `name` on `page` (its first line starting with it).
double value_of(const std::string& page, const std::string& name) {
  const auto at = page.find("\n" + name + " ");
  REQUIRE(at != std::string::npos);
  return std::stod(page.substr(at + name.size() + 2));
}

}  // namespace

TEST_CASE("retention's metrics count the rows deleted by table and show the database's size") {
  VirtualTime vt;
  vt.set_wall(WallTime(std::chrono::milliseconds(kNow)));
  TestDatabase t;
  ShopRecords r(*t.db);
  r.open(r.admit(kNow - kMinuteMs));
  (void)r.settled_session(kNow - 100 * kDayMs);
  r.purge_tokens(kNow);
  controller::RetentionSweeper sweeper(*t.db, r.sessions, vt, vt, {}, controller::SweepPace{});
  controller::metrics::Registry registry;
  controller::RetentionMetrics metrics(registry, sweeper, *t.db);

  const std::string before = registry.render();
  CHECK(has_line(before, "passgate_retention_deleted_rows_total{table=\"sessions\"} 0"));
  CHECK(has_line(before, "passgate_retention_deleted_rows_total{table=\"audit_log\"} 0"));
  CHECK(has_line(before, "passgate_retention_skipped_sessions_total 0"));
  CHECK(value_of(before, "passgate_database_size_bytes") > 0);
  CHECK(value_of(before, "passgate_database_free_bytes") >= 0);

  vt.advance(2min);
  REQUIRE(sweeper.sweeps() == 1);
  const std::string after = registry.render();
  CHECK(has_line(after, "passgate_retention_deleted_rows_total{table=\"sessions\"} 1"));
  CHECK(has_line(after, "passgate_retention_deleted_rows_total{table=\"payment_ops\"} 1"));
  CHECK(has_line(after, "passgate_retention_deleted_rows_total{table=\"carts\"} 1"));
  CHECK(has_line(after, "passgate_retention_deleted_rows_total{table=\"settlements\"} 1"));
  CHECK(has_line(after, "passgate_retention_deleted_rows_total{table=\"quarantined_carts\"} 0"));
}
