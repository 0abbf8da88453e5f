// Keys left out take their documented defaults.
#include <catch2/catch.hpp>

#include "tests/config/config_fixture.hpp"

using namespace passgate::controller;
using namespace std::chrono_literals;
using passgate::test::ConfigFixture;
using passgate::test::kMinimalConfig;

TEST_CASE("a minimal config gets every default") {
  ConfigFixture fx;
  const auto load = fx.parse(kMinimalConfig);
  REQUIRE(load.problems.empty());
  REQUIRE(load.config);
  const GateConfig& c = *load.config;
  CHECK(c.source == fx.file());
  CHECK(c.store_id == "store-0042");
  CHECK(c.gate_id == "gate-a");
  CHECK(c.issuer == "https://app.example-retail.com");
  CHECK(c.keyset == fx.dir() / "keys.jwks.json");
  CHECK(c.clock_skew == 5s);
  CHECK(c.freshness == 90s);
  REQUIRE(c.lanes.size() == 2);
  CHECK(c.lanes[0].group_limit == 4);
  CHECK(c.lanes[0].grant_timeout == 8000ms);
  CHECK(c.io.backend == IoBackendKind::sim);
  CHECK(c.io.sim_debounce == 10ms);
  CHECK(c.io.gpiod_lines.empty());
  CHECK(c.tracking.base_url == "http://127.0.0.1:8080");
  CHECK(c.tracking.ca_bundle.empty());
  CHECK(c.tracking.client_cert.empty());
  CHECK(c.tracking.client_key.empty());
  CHECK(c.tracking.entry_timeout == 800ms);
  CHECK(c.tracking.request_timeout == 5000ms);
  CHECK(c.offline.policy == OfflinePolicy::deny);
  CHECK(c.offline.max_admissions_per_hour == 60);
  const PaymentsConfig& p = c.payments;
  CHECK(p.gateway_url == "https://api.stripe.com");
  CHECK(p.api_key_file == fx.dir() / "gateway.key");
  CHECK(p.ca_bundle.empty());
  CHECK(p.request_timeout == 10000ms);
  CHECK(p.entry_timeout == 1500ms);
  CHECK(p.seal_key_file == fx.dir() / "seal.key");
  CHECK(p.previous_seal_key_files.empty());
  CHECK(p.currency == "USD");
  CHECK(p.hold_amount_minor == 0);
  CHECK(p.max_in_flight == 4);
  CHECK(p.retry_initial == 1000ms);
  CHECK(p.retry_max == 300000ms);
  CHECK(p.carts_poll_interval == 2000ms);
  CHECK(p.carts_page_limit == 100);
  CHECK(p.max_cart_minor == 10000000);
  CHECK(p.offline_limits.max_session_minor == 5000);
  CHECK(p.offline_limits.max_outstanding_minor == 100000);
  CHECK(p.offline_limits.max_outstanding_operations == 500);
  CHECK(p.offline_limits.max_age == 86400s);
  CHECK(c.retention.retention_days == 90);
  CHECK(c.retention.audit_retention_days == 365);
  CHECK(c.logging.level == "info");
  CHECK(c.logging.file.empty());
}

TEST_CASE("offline admission settings are read") {
  ConfigFixture fx;
  const auto load = fx.parse(std::string(kMinimalConfig) + "\n[offline]\npolicy = \"admit\"\nmax_admissions_per_hour = 0\n");
  REQUIRE(load.config);
  CHECK(load.config->offline.policy == OfflinePolicy::admit);
  CHECK(load.config->offline.max_admissions_per_hour == 0);
}
