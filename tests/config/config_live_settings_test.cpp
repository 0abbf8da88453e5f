// Every setting a reload reports as applied reaches the component that uses it: for each live
// key of the reload table, a config changing only that key makes different settings for at
// least one running component (admission, entry hold, drainer, carts feed, outbox sender,
// gate and lanes, retention sweeper, log level) or is a key file the daemon stages itself. A
// live key that no component takes would be reported as applied and change nothing. And each
// live key of the reload table names the test that proves it in force by the running
// component's behaviour after a reload; a new live key without one fails here.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <set>
#include <string>

#include "controller/admission/service.hpp"
#include "controller/settlement/settings.hpp"
#include "controller/config/reload.hpp"
#include "tests/config/config_fixture.hpp"

using passgate::controller::GateConfig;
using passgate::controller::Reload;
using passgate::test::ConfigFixture;
using passgate::test::kMinimalConfig;

namespace {

using namespace std::chrono_literals;

// What the daemon hands to each component on a reload (passgated/daemon_reload.cpp),
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
  add(drainer.max_requests_per_second);
  add(drainer.retry.first.count());
  add(drainer.retry.cap.count());
  add(drainer.request_timeout.count());
  add(carts.poll_interval.count());
  add(carts.page_limit);
  add(carts.request_timeout.count());
  add(c.tracking.request_timeout.count());  // the outbox sender's
  add(c.io.scan_repeat_window.count());     // the gate's scan filter
  add(c.retention.retention_days);          // the retention sweeper's
  add(c.retention.audit_retention_days);
  out += c.logging.level + "|";
  return out;
}

// Every live key of the reload table (controller::reload_table) -> the test that proves it in
// force by the behaviour of the running component after a reload as the daemon does it
// (tests/admission, settlement and controller: reload_in_force_test.cpp; the gateway's API
// key and the outbox alert age in the tests of the component that takes them).
const std::vector<std::pair<std::string, std::string>> kLiveKeyInForceTests{
    {"tokens.issuer", "after a reload, tokens.issuer is the only issuer whose tokens are admitted"},
    {"tokens.keyset",
     "after a reload, tokens.keyset: tokens of a key only the new set has are admitted, of a dropped key not"},
    {"tokens.clock_skew_s", "after a reload, tokens.clock_skew_s admits a token issued within the new allowance"},
    {"tokens.freshness_s", "after a reload, tokens.freshness_s refuses a token older than the new window"},
    {"lanes.*.group_limit", "a reload changes a lane's settings from their next use"},
    {"lanes.*.grant_timeout_ms", "a reload changes a lane's settings from their next use"},
    {"lanes.*.close_retry_ms",
     "after a reload, lanes.*.close_retry_ms is the wait between tries to close a blocked barrier"},
    {"lanes.*.close_retries",
     "after a reload, lanes.*.close_retries is how many tries close a blocked barrier before the fault"},
    {"lanes.*.beam_blocked_alarm_ms",
     "after a reload, lanes.*.beam_blocked_alarm_ms is how long a beam may stay blocked"},
    {"lanes.*.out_of_service", "a reload applies out_of_service only when the file changed it"},
    {"entry.anti_passback", "after a reload, entry.anti_passback soft admits a shopper whose session is still open"},
    {"io.scan_repeat_window_ms",
     "after a reload, io.scan_repeat_window_ms is the window in which a code read again counts once"},
    {"tracking.entry_timeout_ms",
     "after a reload, tracking.entry_timeout_ms waits long enough for an engine that answers in 500 ms"},
    {"tracking.request_timeout_ms",
     "after a reload, tracking.request_timeout_ms lets the outbox wait long enough for a slow engine"},
    {"tracking.outbox_alert_after_s", "an outbox whose oldest message is older than outbox_alert_after_s is unhealthy"},
    {"offline.policy", "after a reload, offline.policy admit admits while the tracking engine is unreachable"},
    {"offline.max_admissions_per_hour",
     "after a reload, offline.max_admissions_per_hour is the new cap on offline admissions"},
    {"payments.api_key_file", "a new API key is sent from the next request on"},
    {"payments.request_timeout_ms", "after a reload, payments.request_timeout_ms bounds the next operation sent"},
    {"payments.entry_timeout_ms", "after a reload, payments.entry_timeout_ms bounds the next preauth at entry"},
    {"payments.seal_key_file",
     "after a reload, payments.seal_key_file seals new references, previous_seal_key_files opens the old ones"},
    {"payments.previous_seal_key_files",
     "after a reload, payments.seal_key_file seals new references, previous_seal_key_files opens the old ones"},
    {"payments.currency", "after a reload, payments.currency is the currency of the next hold"},
    {"payments.hold_amount_minor",
     "after a reload, payments.hold_amount_minor places a hold of the new amount at entry"},
    {"payments.max_in_flight", "after a reload, payments.max_in_flight is the new bound on requests open at once"},
    {"payments.max_requests_per_second", "after a reload, payments.max_requests_per_second is the drain's new pace"},
    {"payments.retry_initial_ms",
     "after a reload, payments.retry_initial_ms is the first wait after an unknown outcome"},
    {"payments.retry_max_ms", "after a reload, payments.retry_max_ms caps the wait after repeated unknown outcomes"},
    {"payments.carts_poll_interval_ms", "after a reload, payments.carts_poll_interval_ms is the wait between polls"},
    {"payments.carts_page_limit", "after a reload, payments.carts_page_limit is the limit of the next carts request"},
    {"payments.max_cart_minor", "after a reload, payments.max_cart_minor quarantines a cart above the new maximum"},
    {"payments.offline_limits.max_session_minor",
     "after a reload, payments.offline_limits.max_session_minor admits a hold it no longer exceeds"},
    {"payments.offline_limits.max_outstanding_minor",
     "after a reload, payments.offline_limits.max_outstanding_minor admits up to the new total"},
    {"payments.offline_limits.max_outstanding_operations",
     "after a reload, payments.offline_limits.max_outstanding_operations admits up to the new count"},
    {"payments.offline_limits.max_age_s",
     "after a reload, payments.offline_limits.max_age_s admits while the oldest operation is younger"},
    {"database.retention_days", "after a reload, database.retention_days is the age final records are deleted at"},
    {"database.audit_retention_days",
     "after a reload, database.audit_retention_days is the age audit entries are deleted at"},
    {"logging.level", "after a reload, logging.level debug logs the debug lines it did not before"},
};

// The text of every test source (tests/**/*.cpp), to find the test cases named above.
std::string all_test_sources_for_live_keys() {
  std::string text;
  const std::filesystem::path tests = std::filesystem::path(PASSGATE_SOURCE_DIR) / "tests";
  for (const auto& entry : std::filesystem::recursive_directory_iterator(tests)) {
    if (entry.path().extension() != ".cpp") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    text.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return text;
}

}  // namespace

TEST_CASE("every live key of the reload table names a test that proves it in force after a reload") {
  std::set<std::string> live_keys;
  for (const auto& c : passgate::controller::reload_table()) {
    if (c.reload == Reload::live) live_keys.insert(c.key);
  }
  REQUIRE(live_keys.size() > 30);  // the table was read
  std::set<std::string> named;
  for (const auto& [key, test] : kLiveKeyInForceTests) {
    INFO(key);
    CHECK(named.insert(key).second);  // once each
  }
  CHECK(named == live_keys);
  for (const std::string& key : live_keys) {
    INFO("live key without a test of its behaviour after a reload: " << key);
    CHECK(named.contains(key));
  }
  for (const std::string& key : named) {
    INFO("not a live key of the reload table: " << key);
    CHECK(live_keys.contains(key));
  }
  // Each name is a test case in tests/ (TEST_CASE("...") or TEST_CASE_METHOD(Fixture, "...")).
  const std::string sources = all_test_sources_for_live_keys();
  for (const auto& [key, test] : kLiveKeyInForceTests) {
    INFO(key << " -> " << test);
    CHECK(sources.find("\"" + test + "\")") != std::string::npos);
  }
}

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
      {"payments.max_requests_per_second", [](GateConfig& c) { c.payments.max_requests_per_second = 9; }},
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
      {"database.retention_days", [](GateConfig& c) { c.retention.retention_days = 30; }},
      {"database.audit_retention_days", [](GateConfig& c) { c.retention.audit_retention_days = 400; }},
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
    // Clang 14 cannot capture a structured binding (C++20 allows it): name it first.
    const std::string& changed_key = key;
    CHECK(std::any_of(kLiveKeyInForceTests.begin(), kLiveKeyInForceTests.end(),
                      [&changed_key](const auto& named) { return named.first == changed_key; }));
  }
  // Every other live key of the table is covered above (the key files the daemon stages itself,
  // the lanes' settings Lane::reconfigure takes: tested in tests/lanes).
  GateConfig everything = a;
  for (const auto& [key, change] : changes) change(everything);
  everything.io.scan_max_length = 8192;
  for (const auto& c : passgate::controller::compare_configs(a, everything)) {
    INFO(c.key);
    if (c.reload == Reload::live) CHECK(std::find(covered.begin(), covered.end(), c.key) != covered.end());
    if (c.key == "io.scan_max_length") CHECK(c.reload == Reload::restart);
  }
}
