#include "tests/settlement/settlement_fixture.hpp"

#include <catch2/catch.hpp>

#include <utility>

#include "common/time_format.hpp"

namespace passgate::test {

namespace {

crypto::PaymentSealer make_sealer() {
  auto sealer = crypto::PaymentSealer::from_keys({std::string(32, 's')});
  REQUIRE(sealer.ok());
  return std::move(sealer).value();
}

db::OutboxMessage cancel_message(const std::string& id) {
  return db::OutboxMessage{"cancel", "/v1/sessions/" + id + "/cancel", R"({"reason":"expired"})", id};
}

}  // namespace

SettlementFixture::SettlementFixture() : sealer(make_sealer()) {}

void SettlementFixture::add_session(const std::string& id, bool with_payment_reference) {
  db::SessionRecord record = db::test::session(id, "jti-" + id, now_ms());
  if (with_payment_reference) {
    auto sealed = crypto::seal_payment_reference(sealer, crypto::PaymentReference{kCustomer, kPaymentMethod}, id);
    REQUIRE(db::test::describe(sealed) == "ok");
    record.pay_key_id = sealed->key_id;
    record.pay_sealed = sealed->blob;
  }
  REQUIRE(db::test::describe(db::test::begin_session(sessions, record)) == "ok");
}

void SettlementFixture::cancel_session(const std::string& id) {
  REQUIRE(db::test::describe(sessions.mark_open(id)) == "ok");
  REQUIRE(db::test::describe(sessions.mark_cancelled(id, cancel_message(id), now_ms())) == "ok");
}

void SettlementFixture::deny_session(const std::string& id) {
  REQUIRE(db::test::describe(sessions.mark_denied(id, "offline_limit", false, now_ms())) == "ok");
}

std::int64_t SettlementFixture::enqueue(const std::string& session_id, const std::string& op, std::int64_t amount_minor,
                                        const std::string& intent_id) {
  db::NewPaymentOp new_op;
  new_op.session_id = session_id;
  new_op.op = op;
  new_op.amount_minor = amount_minor;
  new_op.currency = "USD";
  new_op.intent_id = intent_id;
  auto id = queue.enqueue(new_op, now_ms());
  REQUIRE(db::test::describe(id) == "ok");
  return *id;
}

std::int64_t SettlementFixture::resolved_preauth(const std::string& session_id, std::int64_t amount_minor,
                                                 const std::string& intent_id) {
  const std::int64_t id = enqueue(session_id, "preauth", amount_minor);
  REQUIRE(queue.mark_in_flight(id, now_ms()).ok());
  const Status resolved =
      intent_id.empty() ? queue.mark_declined(id, "declined: card_declined", now_ms()) : queue.mark_succeeded(id, intent_id, now_ms());
  REQUIRE(db::test::describe(resolved) == "ok");
  return id;
}

void SettlementFixture::record_carts(const std::vector<db::FinalCart>& carts) {
  auto recorded = store.record_carts("final_carts", carts, {}, "cursor-" + std::to_string(++pages_recorded), now_ms());
  REQUIRE(db::test::describe(recorded) == "ok");
}

db::PaymentOpRecord SettlementFixture::op(std::int64_t id) {
  auto found = queue.find(id);
  REQUIRE(db::test::describe(found) == "ok");
  REQUIRE(found->has_value());
  return **found;
}

std::vector<db::PaymentOpRecord> SettlementFixture::ops_of(const std::string& session_id) {
  auto ops = queue.for_session(session_id);
  REQUIRE(db::test::describe(ops) == "ok");
  return *ops;
}

std::int64_t SettlementFixture::now_ms() const { return unix_millis(vt.wall_now()); }

controller::DrainerSettings SettlementFixture::drainer_settings(int max_in_flight) {
  controller::DrainerSettings settings;
  settings.gate_id = kGateId;
  settings.max_in_flight = max_in_flight;
  settings.retry = controller::RetryPolicy{Millis{1000}, Millis{300000}};
  return settings;
}

controller::PaymentDrainer& SettlementFixture::make_drainer(const controller::DrainerSettings& settings) {
  drainer = std::make_unique<controller::PaymentDrainer>(settings, queue, sessions, sealer, gateway, gate_status, vt, vt);
  return *drainer;
}

controller::PaymentDrainer& SettlementFixture::start_drainer(const controller::DrainerSettings& settings) {
  make_drainer(settings);
  REQUIRE(db::test::describe(drainer->start()) == "ok");
  return *drainer;
}

db::FinalCart final_cart(const std::string& session_id, std::int64_t total_minor, const std::string& currency) {
  return db::FinalCart{session_id, currency, total_minor, "2026-11-21T18:21:40.002Z"};
}

}  // namespace passgate::test
