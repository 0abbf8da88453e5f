// Every setting a reload reports as applied reaches the component that uses it: for each live
// key of the reload table, a config changing only that key makes different settings for at
// least one running component (admission, entry hold, drainer, carts feed, outbox sender,
// gate and lanes, log level) or is a key file the daemon stages itself. A live key that no
// component takes would be reported as applied and change nothing.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <string>

#include "controller/admission_service.hpp"
#include "controller/component_settings.hpp"
#include "controller/config_reload.hpp"
#include "tests/config/config_fixture.hpp"

using passgate::controller::GateConfig;
using passgate::controller::Reload;
using passgate::test::ConfigFixture;
using passgate::test::kMinimalConfig;

namespace {

using namespace std::chrono_literals;

// What the daemon hands to each component on a reload (controller/main/daemon_reload.cpp),
// flattened to text so two configs can be compared.
std::string components_of(const GateConfig& c) {
  const auto admission = passgate::controller::admission_settings(c);
  const auto hold = passgate::controller::entry_hold_settings(c);
  const auto drainer = passgate::controller::drainer_settings(c);
  const auto carts = passgate::controller::carts_feed_settings(c);
  std::string out;
  const auto add = [&out](const auto& v) { out += std::to_string(v) + "|"; };
  add(admission.policy.clock_skew.count());
  add(admission.policy.freshness.count());
  out += admission.policy.issuer + "|" + admission.policy.audience + "|";
  add(static_cast<int>(admission.offline.policy));
  add(admission.offline.max_admissions_per_hour);
  add(admission.entry_timeout.count());
  add(static_cast<int>(admission.anti_passback));
  add(hold.amount_minor);
  out += hold.currency + "|";
  add(hold.timeout.count());
  add(hold.limits.max_session_minor);
  add(hold.limits.max_outstanding_minor);
  add(hold.limits.max_outstanding_operations);
  add(hold.limits.max_age.count());
  add(drainer.max_in_flight);
  add(drainer.retry.first.count());
  add(drainer.retry.cap.count());
  add(drainer.request_timeout.count());
  add(carts.poll_interval.count());
  add(carts.page_limit);
  add(carts.request_timeout.count());
  add(c.tracking.request_timeout.count());  // the outbox sender's
  add(c.io.scan_repeat_window.count());     // the gate's scan filter
  out += c.logging.level + "|";
  return out;
}

}  // namespace

TEST_CASE("every live setting reaches a running component") {
  ConfigFixture fx;
  const auto base = fx.parse(kMinimalConfig);
  REQUIRE(base.config);
  const GateConfig& a = *base.config;

  // One change per live key of the reload table (other than lanes and key files).
  const std::vector<std::pair<std::string, std::function<void(GateConfig&)>>> changes{
      {"tokens.issuer", [](GateConfig& c) { c.issuer = "https://other.example"; }},
      {"tokens.clock_skew_s", [](GateConfig& c) { c.clock_skew = 7s; }},
      {"tokens.freshness_s", [](GateConfig& c) { c.freshness = 60s; }},
      {"entry.anti_passback", [](GateConfig& c) { c.entry.anti_passback = passgate::controller::AntiPassback::soft; }},
      {"io.scan_repeat_window_ms", [](GateConfig& c) { c.io.scan_repeat_window = 500ms; }},
      {"tracking.entry_timeout_ms", [](GateConfig& c) { c.tracking.entry_timeout = 400ms; }},
      {"tracking.request_timeout_ms", [](GateConfig& c) { c.tracking.request_timeout = 900ms; }},
      {"offline.policy", [](GateConfig& c) { c.offline.policy = passgate::controller::OfflinePolicy::admit; }},
      {"offline.max_admissions_per_hour", [](GateConfig& c) { c.offline.max_admissions_per_hour = 3; }},
      {"payments.request_timeout_ms", [](GateConfig& c) { c.payments.request_timeout = 999ms; }},
      {"payments.entry_timeout_ms", [](GateConfig& c) { c.payments.entry_timeout = 999ms; }},
      {"payments.currency", [](GateConfig& c) { c.payments.currency = "EUR"; }},
      {"payments.hold_amount_minor", [](GateConfig& c) { c.payments.hold_amount_minor = 100; }},
      {"payments.max_in_flight", [](GateConfig& c) { c.payments.max_in_flight = 9; }},
      {"payments.retry_initial_ms", [](GateConfig& c) { c.payments.retry_initial = 999ms; }},
      {"payments.retry_max_ms", [](GateConfig& c) { c.payments.retry_max = 99999ms; }},
      {"payments.carts_poll_interval_ms", [](GateConfig& c) { c.payments.carts_poll_interval = 999ms; }},
      {"payments.carts_page_limit", [](GateConfig& c) { c.payments.carts_page_limit = 9; }},
      {"payments.offline_limits.max_session_minor", [](GateConfig& c) { c.payments.offline_limits.max_session_minor = 1; }},
      {"payments.offline_limits.max_outstanding_minor",
       [](GateConfig& c) { c.payments.offline_limits.max_outstanding_minor = 1; }},
      {"payments.offline_limits.max_outstanding_operations",
       [](GateConfig& c) { c.payments.offline_limits.max_outstanding_operations = 1; }},
      {"payments.offline_limits.max_age_s", [](GateConfig& c) { c.payments.offline_limits.max_age = 1s; }},
      {"logging.level", [](GateConfig& c) { c.logging.level = "debug"; }},
  };
  std::vector<std::string> covered;
  for (const auto& [key, change] : changes) {
    INFO(key);
    GateConfig b = a;
    change(b);
    const auto found = passgate::controller::compare_configs(a, b);
    REQUIRE(found.size() == 1);
    CHECK(found.front().key == key);
    CHECK(found.front().reload == Reload::live);
    CHECK(components_of(a) != components_of(b));
    covered.push_back(key);
  }
  // Every other live key of the table is covered above (the key files the daemon stages itself,
  // the lanes' settings Lane::reconfigure takes: tested in tests/controller).
  GateConfig everything = a;
  for (const auto& [key, change] : changes) change(everything);
  everything.io.scan_max_length = 8192;
  for (const auto& c : passgate::controller::compare_configs(a, everything)) {
    INFO(c.key);
    if (c.reload == Reload::live) CHECK(std::find(covered.begin(), covered.end(), c.key) != covered.end());
    if (c.key == "io.scan_max_length") CHECK(c.reload == Reload::restart);
  }
}
