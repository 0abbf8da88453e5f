// The settlement fixture with a SettlementPlanner on it, for the planner's tests: counts the
// planner's kicks, reads a session's settlement and the operations that settle it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "controller/settlement/planner.hpp"
#include "tests/settlement/settlement_fixture.hpp"

namespace passgate::test {

struct PlannerFixture : SettlementFixture {
  int kicks = 0;
  controller::SettlementPlanner planner{store, queue, vt, vt, [this] { ++kicks; }};

  std::optional<db::SettlementRecord> settlement(const std::string& session_id) {
    auto found = store.settlement(session_id);
    REQUIRE(db::test::describe(found) == "ok");
    return *found;
  }
  // The operations settling `session_id` (all but its preauth).
  std::vector<db::PaymentOpRecord> settling_ops(const std::string& session_id) {
    std::vector<db::PaymentOpRecord> ops;
    for (db::PaymentOpRecord& op : ops_of(session_id))
      if (op.op != "preauth") ops.push_back(std::move(op));
    return ops;
  }
  // Sends operation `id` and records `state` as its outcome, as the drainer would.
  void conclude(std::int64_t id, db::PaymentOpState state, const std::string& intent_id = "pi_done") {
    REQUIRE(queue.mark_in_flight(id, now_ms()).ok());
    Status done;
    switch (state) {
      case db::PaymentOpState::succeeded: done = queue.mark_succeeded(id, intent_id, now_ms()); break;
      case db::PaymentOpState::declined: done = queue.mark_declined(id, "declined: card_declined", now_ms()); break;
      case db::PaymentOpState::dead: done = queue.mark_dead(id, "HTTP 400: invalid_request_error", now_ms()); break;
      default: FAIL("conclude() takes succeeded, declined or dead");
    }
    REQUIRE(db::test::describe(done) == "ok");
  }
};

}  // namespace passgate::test
