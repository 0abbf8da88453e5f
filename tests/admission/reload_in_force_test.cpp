// Each live setting of the entry path is in force after a reload, by what the running
// components then do: started from a config with value A, reloaded as the daemon does
// (controller::apply_live_settings with the config changed in that one key), and probed for
// value B (and, where cheap, that A no longer holds). Admission (token policy, anti-passback,
// entry time-out, offline policy and cap), the entry hold (amount, currency, time-out,
// offline risk limits) and the outbox sender's time-out. tests/config/
// config_live_settings_test.cpp names these tests for their keys.
#include <catch2/catch.hpp>

#include <functional>

#include "common/time_format.hpp"
#include "controller/live_components.hpp"
#include "tests/admission/admission_fixture.hpp"

using namespace passgate;
using namespace passgate::test;
using namespace std::chrono_literals;
using controller::GateConfig;
using passgate::PaymentOutcomeKind;

namespace {

// Puts `config`'s live settings in force in the fixture's running components, as a reload
// of the daemon does.
void reload_entry_path(AdmissionFixture& f, const GateConfig& config) {
  controller::apply_live_settings(f.live_components(), config);
}

// A flawless token of a shopper of its own (so anti-passback never stands in the way), from
// the fixture's issuer key, `adjust`ed (e.g. minted for another time or issuer).
std::string entry_token_for_reload(AdmissionFixture& f, const std::function<void(sim::TokenSpec&)>& adjust = {}) {
  static int shoppers = 0;
  sim::TokenSpec spec;
  spec.issuer = kIssuer;
  spec.audience = kStore;
  spec.subject = "shp_reload_" + std::to_string(++shoppers);
  spec.now = unix_seconds(f.vt.wall_now());
  if (adjust) adjust(spec);
  return sim::mint_token(f.issuer, spec);
}

// Runs an admission whose hold the gateway answers with an unknown outcome (the offline risk
// limits decide), the tracking engine taking the session if it is asked.
controller::AdmissionResult admit_with_unknown_hold(AdmissionFixture& f) {
  std::optional<controller::AdmissionResult> result;
  f.admission->request(1, 4, entry_token_for_reload(f), [&](controller::AdmissionResult r) { result = std::move(r); });
  f.vt.run_ready();
  REQUIRE(f.gateway.calls.size() == 1);
  f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::unknown, 0, "timeout"));
  f.vt.run_ready();
  if (!result) {
    REQUIRE(f.tracking.calls.size() == 1);
    f.tracking.reply(201);
    f.vt.run_ready();
  }
  REQUIRE(result.has_value());
  return *result;
}

// Runs an admission whose hold the gateway approves; returns the preauth request it got.
passgate::PaymentRequest admit_with_approved_hold(AdmissionFixture& f) {
  std::optional<controller::AdmissionResult> result;
  f.admission->request(1, 4, entry_token_for_reload(f), [&](controller::AdmissionResult r) { result = std::move(r); });
  f.vt.run_ready();
  REQUIRE(f.gateway.calls.size() == 1);
  const passgate::PaymentRequest preauth = f.gateway.calls.front().request;
  f.gateway.approve_oldest();
  f.vt.run_ready();
  REQUIRE(f.tracking.calls.size() == 1);
  f.tracking.reply(201);
  f.vt.run_ready();
  REQUIRE(result.has_value());
  CHECK(result->admitted);
  return preauth;
}

// Runs an admission against FakeTracking::slow until it is decided.
controller::AdmissionResult admit_against_slow_engine(AdmissionFixture& f) {
  std::optional<controller::AdmissionResult> result;
  f.admission->request(1, 4, entry_token_for_reload(f), [&](controller::AdmissionResult r) { result = std::move(r); });
  for (int i = 0; i < 100 && !result; ++i) f.vt.advance(100ms);
  REQUIRE(result.has_value());
  return *result;
}

}  // namespace

TEST_CASE("after a reload, tokens.issuer is the only issuer whose tokens are admitted") {
  AdmissionFixture f;
  GateConfig config = AdmissionFixture::gate_config();
  f.start_as_daemon(config);
  CHECK(f.admit(entry_token_for_reload(f), 201).admitted);

  config.issuer = "https://other.example";
  reload_entry_path(f, config);
  const auto old_issuer = f.admit(entry_token_for_reload(f), std::nullopt);
  CHECK_FALSE(old_issuer.admitted);
  CHECK(old_issuer.reason == DenialReason::wrong_issuer);
  CHECK(f.admit(entry_token_for_reload(f, [](sim::TokenSpec& s) { s.issuer = "https://other.example"; }), 201)
            .admitted);
}

TEST_CASE("after a reload, tokens.clock_skew_s admits a token issued within the new allowance") {
  AdmissionFixture f;
  GateConfig config = AdmissionFixture::gate_config();
  config.clock_skew = 2s;
  f.start_as_daemon(config);
  const auto from_the_future = [&f](sim::TokenSpec& s) { s.now = unix_seconds(f.vt.wall_now()) + 5; };
  const auto early = f.admit(entry_token_for_reload(f, from_the_future), std::nullopt);
  CHECK_FALSE(early.admitted);
  CHECK(early.reason == DenialReason::not_yet_valid);

  config.clock_skew = 7s;
  reload_entry_path(f, config);
  CHECK(f.admit(entry_token_for_reload(f, from_the_future), 201).admitted);
}

TEST_CASE("after a reload, tokens.freshness_s refuses a token older than the new window") {
  AdmissionFixture f;
  GateConfig config = AdmissionFixture::gate_config();
  config.freshness = 90s;
  f.start_as_daemon(config);
  const auto a_minute_old = [&f](sim::TokenSpec& s) { s.now = unix_seconds(f.vt.wall_now()) - 60; };
  CHECK(f.admit(entry_token_for_reload(f, a_minute_old), 201).admitted);

  config.freshness = 30s;
  reload_entry_path(f, config);
  const auto stale = f.admit(entry_token_for_reload(f, a_minute_old), std::nullopt);
  CHECK_FALSE(stale.admitted);
  CHECK(stale.reason == DenialReason::stale);
}

TEST_CASE("after a reload, entry.anti_passback soft admits a shopper whose session is still open") {
  AdmissionFixture f;
  GateConfig config = AdmissionFixture::gate_config();
  config.entry.anti_passback = controller::AntiPassback::hard;
  f.start_as_daemon(config);
  REQUIRE(f.admit(f.token_of("shp_inside"), 201).admitted);
  const auto again = f.admit(f.token_of("shp_inside"), std::nullopt);
  CHECK_FALSE(again.admitted);
  CHECK(again.reason == DenialReason::already_inside);

  config.entry.anti_passback = controller::AntiPassback::soft;
  reload_entry_path(f, config);
  CHECK(f.admit(f.token_of("shp_inside"), 201).admitted);
}

TEST_CASE("after a reload, tracking.entry_timeout_ms waits long enough for an engine that answers in 500 ms") {
  AdmissionFixture f;  // offline policy deny: an engine not answering in time denies
  GateConfig config = AdmissionFixture::gate_config();
  config.tracking.entry_timeout = 400ms;
  f.start_as_daemon(config);
  f.tracking.slow = FakeTracking::Slow{500ms, 201};
  const auto timed_out = admit_against_slow_engine(f);
  CHECK_FALSE(timed_out.admitted);
  CHECK(timed_out.reason == DenialReason::lane_unavailable);
  CHECK(f.tracking.timeouts.front() == 400ms);

  config.tracking.entry_timeout = 600ms;
  reload_entry_path(f, config);
  const std::size_t before = f.tracking.timeouts.size();
  const auto answered = admit_against_slow_engine(f);
  CHECK(answered.admitted);
  CHECK_FALSE(answered.offline);
  REQUIRE(f.tracking.timeouts.size() > before);
  CHECK(f.tracking.timeouts.at(before) == 600ms);
}

TEST_CASE("after a reload, tracking.request_timeout_ms lets the outbox wait long enough for a slow engine") {
  AdmissionFixture f;
  GateConfig config = AdmissionFixture::gate_config();
  config.offline.policy = controller::OfflinePolicy::admit;
  config.tracking.entry_timeout = 800ms;
  config.tracking.request_timeout = 1000ms;
  f.start_as_daemon(config);
  f.tracking.slow = FakeTracking::Slow{1500ms, 201};
  // The entry request times out: admitted offline, the open request queued and sent by the
  // outbox at once (within 1000 ms: no answer in time).
  const auto offline = admit_against_slow_engine(f);
  REQUIRE(offline.admitted);
  REQUIRE(offline.offline);
  f.vt.advance(1000ms);
  REQUIRE(f.tracking.timeouts.size() == 2);
  CHECK(f.tracking.timeouts.at(1) == 1000ms);
  CHECK(f.sender->failed_attempts() == 1);
  CHECK(f.sender->delivered() == 0);

  config.tracking.request_timeout = 2000ms;
  reload_entry_path(f, config);
  f.sender->kick();
  for (int i = 0; i < 100 && f.sender->delivered() == 0; ++i) f.vt.advance(100ms);
  CHECK(f.sender->delivered() == 1);
  CHECK(f.sender->failed_attempts() == 1);
  CHECK(f.tracking.timeouts.back() == 2000ms);
  CHECK(f.outbox_size() == 0);
}

TEST_CASE("after a reload, offline.policy admit admits while the tracking engine is unreachable") {
  AdmissionFixture f;
  GateConfig config = AdmissionFixture::gate_config();
  config.offline.policy = controller::OfflinePolicy::deny;
  f.start_as_daemon(config);
  const auto denied = f.admit(entry_token_for_reload(f), 0);
  CHECK_FALSE(denied.admitted);
  CHECK(denied.reason == DenialReason::lane_unavailable);

  config.offline.policy = controller::OfflinePolicy::admit;
  reload_entry_path(f, config);
  const auto admitted = f.admit(entry_token_for_reload(f), 0);
  CHECK(admitted.admitted);
  CHECK(admitted.offline);
}

TEST_CASE("after a reload, offline.max_admissions_per_hour is the new cap on offline admissions") {
  AdmissionFixture f;
  GateConfig config = AdmissionFixture::gate_config();
  config.offline.policy = controller::OfflinePolicy::admit;
  config.offline.max_admissions_per_hour = 1;
  f.start_as_daemon(config);
  CHECK(f.admit(entry_token_for_reload(f), 0).offline);
  const auto capped = f.admit(entry_token_for_reload(f), 0);
  CHECK_FALSE(capped.admitted);
  CHECK(capped.reason == DenialReason::offline_limit);

  config.offline.max_admissions_per_hour = 2;
  reload_entry_path(f, config);
  CHECK(f.admit(entry_token_for_reload(f), 0).offline);
  const auto capped_again = f.admit(entry_token_for_reload(f), 0);
  CHECK_FALSE(capped_again.admitted);
  CHECK(capped_again.reason == DenialReason::offline_limit);
}

TEST_CASE("after a reload, payments.entry_timeout_ms bounds the next preauth at entry") {
  AdmissionFixture f;
  GateConfig config = AdmissionFixture::gate_config();
  config.payments.hold_amount_minor = 5000;
  config.payments.entry_timeout = 1500ms;
  f.start_as_daemon(config);
  admit_with_approved_hold(f);
  REQUIRE(f.gateway.timeouts.size() == 1);
  CHECK(f.gateway.timeouts.at(0) == 1500ms);

  config.payments.entry_timeout = 700ms;
  reload_entry_path(f, config);
  admit_with_approved_hold(f);
  REQUIRE(f.gateway.timeouts.size() == 2);
  CHECK(f.gateway.timeouts.at(1) == 700ms);
}

TEST_CASE("after a reload, payments.currency is the currency of the next hold") {
  AdmissionFixture f;
  GateConfig config = AdmissionFixture::gate_config();
  config.payments.hold_amount_minor = 5000;
  config.payments.currency = "USD";
  f.start_as_daemon(config);
  CHECK(admit_with_approved_hold(f).currency == "USD");

  config.payments.currency = "EUR";
  reload_entry_path(f, config);
  const passgate::PaymentRequest preauth = admit_with_approved_hold(f);
  CHECK(preauth.currency == "EUR");
  CHECK(preauth.amount_minor == 5000);
}

TEST_CASE("after a reload, payments.hold_amount_minor places a hold of the new amount at entry") {
  AdmissionFixture f;
  GateConfig config = AdmissionFixture::gate_config();
  config.payments.hold_amount_minor = 0;
  f.start_as_daemon(config);
  CHECK(f.admit(entry_token_for_reload(f), 201).admitted);
  CHECK(f.gateway.sent.empty());  // no hold

  config.payments.hold_amount_minor = 2500;
  reload_entry_path(f, config);
  const passgate::PaymentRequest preauth = admit_with_approved_hold(f);
  CHECK(preauth.op == passgate::PaymentOpKind::preauth);
  CHECK(preauth.amount_minor == 2500);
}

namespace {

// A 5000 hold of unknown outcome is refused offline_limit under `limit_a`'s limit, and
// admitted once a reload put `limit_b`'s in force.
void expect_offline_limit_raised_by_reload(const std::function<void(GateConfig&)>& limit_a,
                                           const std::function<void(GateConfig&)>& limit_b) {
  AdmissionFixture f;
  GateConfig config = AdmissionFixture::gate_config();
  config.payments.hold_amount_minor = 5000;
  limit_a(config);
  f.start_as_daemon(config);
  const auto denied = admit_with_unknown_hold(f);
  CHECK_FALSE(denied.admitted);
  CHECK(denied.reason == DenialReason::offline_limit);

  limit_b(config);
  reload_entry_path(f, config);
  CHECK(admit_with_unknown_hold(f).admitted);
}

}  // namespace

TEST_CASE("after a reload, payments.offline_limits.max_session_minor admits a hold it no longer exceeds") {
  expect_offline_limit_raised_by_reload([](GateConfig& c) { c.payments.offline_limits.max_session_minor = 1000; },
                                        [](GateConfig& c) { c.payments.offline_limits.max_session_minor = 10000; });
}

TEST_CASE("after a reload, payments.offline_limits.max_outstanding_minor admits up to the new total") {
  expect_offline_limit_raised_by_reload(
      [](GateConfig& c) { c.payments.offline_limits.max_outstanding_minor = 4000; },
      [](GateConfig& c) { c.payments.offline_limits.max_outstanding_minor = 100000; });  // 10000 owed with this one
}

TEST_CASE("after a reload, payments.offline_limits.max_outstanding_operations admits up to the new count") {
  AdmissionFixture f;
  GateConfig config = AdmissionFixture::gate_config();
  config.payments.hold_amount_minor = 5000;
  config.payments.offline_limits.max_outstanding_operations = 1;
  f.start_as_daemon(config);
  CHECK(admit_with_unknown_hold(f).admitted);  // 1 operation outstanding
  const auto denied = admit_with_unknown_hold(f);  // 2
  CHECK_FALSE(denied.admitted);
  CHECK(denied.reason == DenialReason::offline_limit);

  config.payments.offline_limits.max_outstanding_operations = 10;
  reload_entry_path(f, config);
  CHECK(admit_with_unknown_hold(f).admitted);  // 3
}

TEST_CASE("after a reload, payments.offline_limits.max_age_s admits while the oldest operation is younger") {
  AdmissionFixture f;
  GateConfig config = AdmissionFixture::gate_config();
  config.payments.hold_amount_minor = 5000;
  config.payments.offline_limits.max_age = 60s;
  f.start_as_daemon(config);
  CHECK(admit_with_unknown_hold(f).admitted);
  f.vt.advance(120s);  // that hold is now 120 s outstanding
  const auto denied = admit_with_unknown_hold(f);
  CHECK_FALSE(denied.admitted);
  CHECK(denied.reason == DenialReason::offline_limit);

  config.payments.offline_limits.max_age = 3600s;
  reload_entry_path(f, config);
  CHECK(admit_with_unknown_hold(f).admitted);
}

TEST_CASE("after a reload, tokens.keyset: tokens of a key only the new set has are admitted, of a dropped key not") {
  // DaemonReload reads the key set in stage_key_files and puts it in force with KeyRing::install.
  AdmissionFixture f;
  f.start_as_daemon(AdmissionFixture::gate_config());
  CHECK(f.admit(entry_token_for_reload(f), 201).admitted);

  auto rotated = sim::IssuerKey::generate(sim::IssuerAlg::es256, "app-rotated");
  REQUIRE(rotated.ok());
  const auto file = f.dir / "rotated.jwks.json";
  REQUIRE(sim::save_jwks(file, {&*rotated}).ok());
  auto loaded = controller::KeyRing::read(file);
  REQUIRE(loaded.ok());
  CHECK(f.keys.install(std::move(*loaded)));

  const auto dropped = f.admit(entry_token_for_reload(f), std::nullopt);
  CHECK_FALSE(dropped.admitted);
  CHECK(dropped.reason == DenialReason::unknown_key);
  sim::TokenSpec spec;
  spec.issuer = kIssuer;
  spec.audience = kStore;
  spec.subject = "shp_rotated";
  spec.now = unix_seconds(f.vt.wall_now());
  CHECK(f.admit(sim::mint_token(*rotated, spec), 201).admitted);
}

TEST_CASE("after a reload, payments.seal_key_file seals new references, previous_seal_key_files opens the old ones") {
  // DaemonReload reads the keys in stage_key_files and puts them in force by assigning the
  // one PaymentSealer every component refers to.
  AdmissionFixture f;
  GateConfig config = AdmissionFixture::gate_config();
  config.payments.hold_amount_minor = 5000;
  f.start_as_daemon(config);
  const auto before = admit_with_unknown_hold(f);  // its hold stays queued, sealed with the old key
  REQUIRE(before.admitted);
  const std::string old_key_id = f.sealer.current_key_id();

  auto rotated = crypto::PaymentSealer::from_keys({std::string(32, 'n'), std::string(32, 'k')});
  REQUIRE(rotated.ok());
  f.sealer = std::move(*rotated);
  REQUIRE(f.sealer.current_key_id() != old_key_id);

  const passgate::PaymentRequest preauth = admit_with_approved_hold(f);
  auto all = f.sessions->all();
  REQUIRE(all.ok());
  for (const db::SessionRecord& s : *all) {
    if (s.session_id == preauth.session_id) CHECK(s.pay_key_id == f.sealer.current_key_id());
    if (s.session_id == before.session_id) CHECK(s.pay_key_id == old_key_id);
  }
  // The hold queued before the rotation is resent with its reference opened by the old key.
  REQUIRE(f.settlement->start().ok());
  for (int i = 0; i < 100 && f.gateway.calls.empty(); ++i) f.vt.advance(100ms);
  REQUIRE(f.gateway.calls.size() == 1);
  CHECK(f.gateway.calls.front().request.session_id == before.session_id);
  CHECK(f.gateway.calls.front().request.customer == "cus_test");
  CHECK(f.gateway.calls.front().request.payment_method == "pm_card_visa");
}
