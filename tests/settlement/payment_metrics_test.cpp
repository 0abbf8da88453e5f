// PaymentMetrics at a scrape: what the queue owes stays on the page even with the largest
// amounts in it (it used to drop out when SQLite's sum overflowed), and the quarantined carts
// are counted by reason.
#include <catch2/catch.hpp>

#include <limits>

#include <SQLiteCpp/SQLiteCpp.h>

#include "controller/metrics/payments.hpp"
#include "controller/metrics/registry.hpp"
#include "tests/settlement/settlement_fixture.hpp"

using namespace passgate;
using namespace passgate::test;
using Catch::Matchers::Contains;

TEST_CASE("the amount owed stays on the metrics page with the largest amounts in the queue") {
  SettlementFixture f;
  f.add_session("s1");
  f.add_session("s2");
  (void)f.enqueue("s1", "charge", 99'999'999);
  // Two rows from before amounts were bounded, whose sum passes 64 bits.
  for (const char* key : {"old-1", "old-2"}) {
    SQLite::Statement insert(f.t.db->sql(),
                             "INSERT INTO payment_ops (session_id, op, idempotency_key, amount_minor, currency, state,"
                             " created_at_ms, next_attempt_at_ms) VALUES ('s2', 'charge', ?1, ?2, 'XXX', 'pending', 0, 0)");
    insert.bind(1, key);
    insert.bind(2, std::numeric_limits<std::int64_t>::max());
    insert.exec();
  }
  REQUIRE(f.store.record_carts("final_carts", {}, {db::QuarantinedCart{"s1", db::QuarantineReason::over_limit, "too big",
                                                                       "{}", "t"}},
                               "c1", f.now_ms())
              .ok());
  controller::metrics::Registry registry;
  controller::PaymentMetrics payments(registry, f.queue, f.make_drainer(), f.vt);
  const std::string page = registry.render();
  INFO(page);
  CHECK_THAT(page, Contains("passgate_payment_queue_amount_minor{currency=\"USD\"} 99999999\n") &&
                       Contains("passgate_payment_queue_amount_minor{currency=\"XXX\"} ") &&
                       Contains("passgate_payment_queue_length 3\n"));
  CHECK_THAT(page, Contains("passgate_quarantined_carts{reason=\"over_limit\"} 1\n") &&
                       Contains("passgate_quarantined_carts{reason=\"currency\"} 0\n") &&
                       Contains("passgate_quarantined_carts{reason=\"unreadable\"} 0\n"));
}
