// passgate_card_holds_near_lapse counts the card holds within the card planner's lapse_warning
// of their capture_before, not a fixed hour, and stops counting a hold more than a day past
// it (the planner logs that once), so a card session whose cart never comes does not keep the
// gauge above 0 for good.
#include <catch2/catch.hpp>

#include "controller/metrics/payments.hpp"
#include "controller/metrics/registry.hpp"
#include "tests/settlement/card_settlement_fixture.hpp"
#include "tests/support/captured_log.hpp"

using namespace passgate;
using namespace passgate::test;
using Catch::Matchers::Contains;

TEST_CASE("the card holds near lapse gauge uses the planner's lapse warning and drops holds a day past their deadline") {
  CapturedLog log;
  controller::CardPlannerSettings settings;
  settings.lapse_warning = std::chrono::hours(3);
  CardSettlementFixture f(settings);
  const std::int64_t now_s = f.now_ms() / 1000;
  f.admit_card("c-2h", "fp-1", TestCard::with(true, now_s + 2 * 3600));
  f.admit_card("c-past", "fp-2", TestCard::with(true, now_s - 3600), 2);
  f.admit_card("c-old", "fp-3", TestCard::with(true, now_s - 25 * 3600), 3);
  f.admit_card("c-week", "fp-4", TestCard{}, 4);
  (void)f.planner.run();
  (void)f.planner.run();
  CHECK(f.card_planner.holds_near_lapse() == 2);  // two hours away (within three) and one past by an hour
  CHECK(log.count("event=card_hold_near_lapse session=c-2h") == 1);
  CHECK(log.count("event=card_hold_near_lapse session=c-past") == 1);
  CHECK(log.count("event=card_hold_near_lapse session=c-old") == 0);
  CHECK(log.count("event=card_hold_unwatched session=c-old") == 1);  // once, over two runs

  controller::metrics::Registry registry;
  controller::PaymentMetrics payments(registry, f.queue, f.make_drainer(), f.vt,
                                      [&f] { return f.card_planner.lapse_warning(); });
  CHECK_THAT(registry.render(), Contains("passgate_card_holds_near_lapse 2\n"));
  controller::metrics::Registry default_registry;
  controller::PaymentMetrics by_default(default_registry, f.queue, *f.drainer, f.vt);
  CHECK_THAT(default_registry.render(), Contains("passgate_card_holds_near_lapse 1\n"));  // the hour: c-past only
}
