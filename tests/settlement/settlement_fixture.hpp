// The settlement pipeline in virtual time, for the tests in this folder: a real SQLite
// database whose sessions carry a sealed payment reference, the payment queue and the
// settlement store on it, a FakeGateway the test answers, and a payment drainer built with
// the test's settings. Single-threaded, like the code under test.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/virtual_time.hpp"
#include "controller/settlement/drainer.hpp"
#include "crypto/payment_sealer.hpp"
#include "db/gate_status.hpp"
#include "db/payment_queue.hpp"
#include "db/session_store.hpp"
#include "db/settlement_store.hpp"
#include "tests/db/db_test_support.hpp"
#include "tests/support/fake_gateway.hpp"

namespace passgate::test {

inline constexpr const char* kCustomer = "cus_settle";
inline constexpr const char* kPaymentMethod = "pm_card_visa";
inline constexpr const char* kGateId = "gate-a";

struct SettlementFixture {
  SettlementFixture();

  // Begins session `id` (state opening) with the fixture's payment reference sealed to it,
  // or with none.
  void add_session(const std::string& id, bool with_payment_reference = true);
  // opening -> open -> cancelled.
  void cancel_session(const std::string& id);
  // opening -> denied.
  void deny_session(const std::string& id);

  // Queues a pending operation due now; returns its id.
  std::int64_t enqueue(const std::string& session_id, const std::string& op, std::int64_t amount_minor,
                       const std::string& intent_id = {});
  // A preauth of `amount_minor` USD for `session_id`, answered by the gateway with
  // PaymentIntent `intent_id` (empty: declined).
  std::int64_t resolved_preauth(const std::string& session_id, std::int64_t amount_minor, const std::string& intent_id);
  // Records `carts` from the feed as if the tracking engine had sent them.
  void record_carts(const std::vector<db::FinalCart>& carts);

  db::PaymentOpRecord op(std::int64_t id);
  std::vector<db::PaymentOpRecord> ops_of(const std::string& session_id);
  [[nodiscard]] std::int64_t now_ms() const;

  // Settings for the drainer: gate_id kGateId, retries from 1 s up to 300 s.
  static controller::DrainerSettings drainer_settings(int max_in_flight = 4);
  // Builds (or rebuilds) the drainer on the fixture's gateway, queue and clock.
  controller::PaymentDrainer& make_drainer(const controller::DrainerSettings& settings = drainer_settings());
  // Builds the drainer and starts it.
  controller::PaymentDrainer& start_drainer(const controller::DrainerSettings& settings = drainer_settings());

  VirtualTime vt;
  db::test::TestDatabase t;
  db::SessionStore sessions{*t.db};
  db::PaymentQueue queue{*t.db};
  db::SettlementStore store{*t.db};
  db::GateStatus gate_status{*t.db};
  crypto::PaymentSealer sealer;
  FakeGateway gateway{vt};
  std::unique_ptr<controller::PaymentDrainer> drainer;
  int pages_recorded = 0;
};

// A final cart of `total_minor` USD.
[[nodiscard]] db::FinalCart final_cart(const std::string& session_id, std::int64_t total_minor,
                                       const std::string& currency = "USD");

}  // namespace passgate::test
