// Each live setting of the payment drainer and the final-carts feed is in force after a
// reload, by what the running component then does: settlement started from a config with
// value A, reloaded as the daemon does (controller::apply_live_settings with the config
// changed in that one key), and probed for value B (and, where cheap, that A no longer
// holds).
// tests/config/config_live_settings_test.cpp names these tests for their keys.
#include <catch2/catch.hpp>

#include <algorithm>

#include "controller/live_components.hpp"
#include "controller/settlement/settings.hpp"
#include "controller/settlement/settlement.hpp"
#include "tests/admission/fake_tracking.hpp"
#include "tests/settlement/settlement_fixture.hpp"

using namespace passgate;
using namespace passgate::test;
using namespace std::chrono_literals;
using controller::GateConfig;
using passgate::PaymentOutcomeKind;

namespace {

// The config the settlement fixture's components start from: its gate, defaults otherwise.
GateConfig settlement_reload_config() {
  GateConfig config;
  config.store_id = "store-0042";
  config.gate_id = kGateId;
  config.payments.max_requests_per_second = 0;  // unpaced: each test counts sends without waiting for the pace
  return config;
}

// Settlement built and started as the daemon builds and starts it from `config` (on the
// fixture's stores and FakeGateway, its carts feed polling `tracking`), reloaded as the
// daemon does.
struct SettlementReloadFixture : SettlementFixture {
  explicit SettlementReloadFixture(const GateConfig& config)
      : settlement(controller::settlement_settings(config),
                   controller::SettlementStores{sessions, queue, store, gate_status}, sealer, gateway, tracking, vt,
                   vt) {}
  void start() {
    REQUIRE(db::test::describe(settlement.start()) == "ok");
    vt.run_ready();
  }
  void reload(const GateConfig& config) {
    controller::LiveComponents live;
    live.settlement = &settlement;
    controller::apply_live_settings(live, config);
    vt.run_ready();
  }

  FakeTracking tracking{vt};
  controller::Settlement settlement;
};

// The drainer's settings: settlement started, its carts feed's first request left
// unanswered (the feed then asks nothing more).
struct DrainerReloadFixture : SettlementReloadFixture {
  explicit DrainerReloadFixture(const GateConfig& config) : SettlementReloadFixture(config) { start(); }
  // Queues `n` charges of sessions of their own and lets the drainer see them.
  void queue_charges(int n) {
    for (int i = 0; i < n; ++i) {
      const std::string id = "s-reload-" + std::to_string(queued_++);
      add_session(id);
      enqueue(id, "charge", 100 + i);
    }
    settlement.queue_changed();
    vt.run_ready();
  }
  // Waits up to `limit` (in virtual time) for the drainer to send something new.
  bool sent_within(Millis limit) {
    const std::size_t before = gateway.sent.size();
    for (Millis waited{0}; waited < limit && gateway.sent.size() == before; waited += 100ms) vt.advance(100ms);
    return gateway.sent.size() > before;
  }
  int queued_ = 0;
};

// The carts feed's settings: three sessions begun, settlement started (the feed asks for
// its first page).
struct FeedReloadFixture : SettlementReloadFixture {
  explicit FeedReloadFixture(const GateConfig& config) : SettlementReloadFixture(config) {
    add_session("s1");
    add_session("s2");
    add_session("s3");
    start();
  }
  // The target of the one open request.
  std::string asked() {
    REQUIRE(tracking.calls.size() == 1);
    return tracking.calls.front().target;
  }
  void answer_page(const std::string& body) {
    REQUIRE(tracking.calls.size() == 1);
    tracking.reply(200, body);
    vt.run_ready();
  }
  // Nothing is asked for `interval` less 1 ms after the page just answered, then something is.
  void asks_again_after(Millis interval) {
    vt.advance(interval - 1ms);
    CHECK(tracking.calls.empty());
    vt.advance(1ms);
    CHECK(tracking.calls.size() == 1);
  }
  [[nodiscard]] std::int64_t carts_quarantined() const { return settlement.carts_feed().carts_quarantined(); }
};

const std::string kReloadEmptyPage = R"({"carts":[],"next_cursor":null})";

// A page of one final cart.
std::string reload_cart_page(const std::string& session_id, std::int64_t total_minor, const std::string& currency,
                             const std::string& cursor) {
  return R"({"carts":[{"session_id":")" + session_id + R"(","state":"final","currency":")" + currency +
         R"(","total_minor":)" + std::to_string(total_minor) +
         R"(,"items":[],"finalized_at":"2026-11-21T18:21:40.002Z"}],"next_cursor":")" + cursor + R"("})";
}

}  // namespace

TEST_CASE("after a reload, payments.max_in_flight is the new bound on requests open at once") {
  GateConfig config = settlement_reload_config();
  config.payments.max_in_flight = 3;
  DrainerReloadFixture f(config);
  f.queue_charges(10);
  CHECK(f.gateway.calls.size() == 3);

  config.payments.max_in_flight = 1;  // lowered while three are open
  f.reload(config);
  std::size_t most_open = 0;
  for (int i = 0; i < 3; ++i) {
    REQUIRE_FALSE(f.gateway.calls.empty());
    f.gateway.approve_oldest();
    f.vt.run_ready();
    most_open = std::max(most_open, f.gateway.calls.size());
  }
  CHECK(most_open <= 2);  // the two older ones still open, nothing new beside them
  CHECK(f.gateway.calls.size() == 1);
  CHECK(f.gateway.sent.size() == 4);
  f.gateway.approve_oldest();
  f.vt.run_ready();
  CHECK(f.gateway.calls.size() == 1);
  CHECK(f.gateway.sent.size() == 5);

  config.payments.max_in_flight = 4;  // raised: sent at once
  f.reload(config);
  CHECK(f.gateway.calls.size() == 4);
  CHECK(f.gateway.sent.size() == 8);
}

TEST_CASE("after a reload, payments.max_requests_per_second is the drain's new pace") {
  GateConfig config = settlement_reload_config();
  config.payments.max_in_flight = 32;
  config.payments.max_requests_per_second = 0;  // unpaced: every due one at once
  DrainerReloadFixture f(config);
  f.queue_charges(4);
  CHECK(f.gateway.calls.size() == 4);
  while (!f.gateway.calls.empty()) f.gateway.approve_oldest();
  f.vt.run_ready();

  config.payments.max_requests_per_second = 2;  // one every 500 ms
  f.reload(config);
  f.queue_charges(4);
  CHECK(f.gateway.sent.size() == 5);
  f.vt.advance(499ms);
  CHECK(f.gateway.sent.size() == 5);
  f.vt.advance(1ms);
  CHECK(f.gateway.sent.size() == 6);
  f.vt.advance(1000ms);
  CHECK(f.gateway.sent.size() == 8);
}

TEST_CASE("after a reload, payments.retry_initial_ms is the first wait after an unknown outcome") {
  GateConfig config = settlement_reload_config();
  config.payments.retry_initial = 1000ms;
  DrainerReloadFixture f(config);

  config.payments.retry_initial = 10000ms;
  f.reload(config);
  f.queue_charges(1);
  REQUIRE(f.gateway.calls.size() == 1);
  f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::unknown, 0, "timeout"));
  f.vt.run_ready();
  // 1000 ms would have resent it within 1.5 s (and the next idle look).
  CHECK_FALSE(f.sent_within(9900ms));
  CHECK(f.sent_within(7000ms));  // by 15 s plus the idle look
}

TEST_CASE("after a reload, payments.retry_max_ms caps the wait after repeated unknown outcomes") {
  GateConfig config = settlement_reload_config();
  config.payments.retry_initial = 1000ms;
  config.payments.retry_max = 300000ms;
  DrainerReloadFixture f(config);

  config.payments.retry_max = 1000ms;
  f.reload(config);
  f.queue_charges(1);
  // 1 s, 2 s, 4 s, 8 s, 16 s under the old cap; never more than 1.5 s (and the drainer's next
  // idle look, within 1 s) under the new one.
  for (int failure = 1; failure <= 5; ++failure) {
    INFO("failure " << failure);
    REQUIRE(f.gateway.calls.size() == 1);
    f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::unknown, 0, "timeout"));
    f.vt.run_ready();
    REQUIRE(f.sent_within(2600ms));
  }
}

TEST_CASE("after a reload, payments.request_timeout_ms bounds the next operation sent") {
  GateConfig config = settlement_reload_config();
  config.payments.request_timeout = 10000ms;
  DrainerReloadFixture f(config);
  f.queue_charges(1);
  REQUIRE(f.gateway.timeouts.size() == 1);
  CHECK(f.gateway.timeouts.at(0) == 10000ms);
  f.gateway.approve_oldest();
  f.vt.run_ready();

  config.payments.request_timeout = 3000ms;
  f.reload(config);
  f.queue_charges(1);
  REQUIRE(f.gateway.timeouts.size() == 2);
  CHECK(f.gateway.timeouts.at(1) == 3000ms);
}

TEST_CASE("after a reload, payments.carts_poll_interval_ms is the wait between polls") {
  GateConfig config = settlement_reload_config();
  config.payments.carts_poll_interval = 2000ms;
  FeedReloadFixture f(config);
  f.answer_page(kReloadEmptyPage);
  f.asks_again_after(2000ms);

  config.payments.carts_poll_interval = 500ms;
  f.reload(config);
  f.answer_page(kReloadEmptyPage);
  f.asks_again_after(500ms);
}

TEST_CASE("after a reload, payments.carts_page_limit is the limit of the next carts request") {
  GateConfig config = settlement_reload_config();
  config.payments.carts_page_limit = 2;
  FeedReloadFixture f(config);
  CHECK(f.asked().ends_with("&limit=2"));

  config.payments.carts_page_limit = 7;
  f.reload(config);
  f.answer_page(kReloadEmptyPage);
  f.vt.advance(config.payments.carts_poll_interval);
  CHECK(f.asked().ends_with("&limit=7"));
}

TEST_CASE("after a reload, tracking.request_timeout_ms bounds the next carts request") {
  GateConfig config = settlement_reload_config();
  config.tracking.request_timeout = 5000ms;
  FeedReloadFixture f(config);
  REQUIRE(f.tracking.timeouts.size() == 1);
  CHECK(f.tracking.timeouts.at(0) == 5000ms);

  config.tracking.request_timeout = 900ms;
  f.reload(config);
  f.answer_page(kReloadEmptyPage);
  f.vt.advance(config.payments.carts_poll_interval);
  REQUIRE(f.tracking.timeouts.size() == 2);
  CHECK(f.tracking.timeouts.at(1) == 900ms);
}

TEST_CASE("after a reload, payments.currency is the only currency the carts feed records") {
  GateConfig config = settlement_reload_config();
  config.payments.currency = "USD";
  FeedReloadFixture f(config);
  f.answer_page(reload_cart_page("s1", 1234, "USD", "c1"));
  CHECK(f.store.cart("s1")->has_value());
  CHECK(f.carts_quarantined() == 0);

  config.payments.currency = "EUR";
  f.reload(config);
  f.vt.advance(config.payments.carts_poll_interval);
  f.answer_page(reload_cart_page("s2", 1234, "USD", "c2"));
  CHECK_FALSE(f.store.cart("s2")->has_value());
  CHECK(f.carts_quarantined() == 1);
  f.vt.advance(config.payments.carts_poll_interval);
  f.answer_page(reload_cart_page("s3", 1234, "EUR", "c3"));
  CHECK(f.store.cart("s3")->has_value());
  CHECK(f.carts_quarantined() == 1);
}

TEST_CASE("after a reload, payments.max_cart_minor quarantines a cart above the new maximum") {
  GateConfig config = settlement_reload_config();
  FeedReloadFixture f(config);  // 10,000,000 at most
  f.answer_page(reload_cart_page("s1", 5000, "USD", "c1"));
  CHECK(f.store.cart("s1")->has_value());

  config.payments.max_cart_minor = 1000;
  f.reload(config);
  f.vt.advance(config.payments.carts_poll_interval);
  f.answer_page(reload_cart_page("s2", 5000, "USD", "c2"));
  CHECK_FALSE(f.store.cart("s2")->has_value());
  CHECK(f.carts_quarantined() == 1);
}
