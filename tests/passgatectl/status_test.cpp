// passgatectl status: gateway reachability since when, the payment queue (outstanding
// operations, amount owed by currency, the oldest one's age, dead letters) and settled
// sessions, in words and in JSON, next to the keys it has always printed.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "common/time_format.hpp"
#include "tests/passgatectl/ctl_fixture.hpp"

using Catch::Matchers::Contains;
using nlohmann::json;
using passgate::test::CtlFixture;
using passgate::test::kHour;
using passgate::test::kMinute;
using passgate::test::StoreDay;

TEST_CASE("status shows the gateway, the payment queue and settlements") {
  StoreDay day;
  const auto run = day.ctl({"status"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const std::string since = passgate::format_rfc3339_ms(
      passgate::WallTime{std::chrono::milliseconds{day.now_ms() - 2 * kHour - 31 * kMinute}});
  CHECK_THAT(run.output, Contains("payment gateway: unreachable since " + since + " (2h 31m ago)"));
  CHECK_THAT(run.output, Contains("payment queue: 2 operation(s) outstanding, owed 500 JPY, 20.00 USD, oldest 2h 30m"));
  CHECK_THAT(run.output, Contains("dead letters: 2 (passgatectl queue lists them"));
  CHECK_THAT(run.output, Contains("settlements: 2 session(s) settled of 6 decided"));
  // What it showed before payments.
  CHECK_THAT(run.output, Contains("gate gate-a of store store-0042") && Contains("sessions: 7 in all") &&
                             Contains("tracking-engine outbox: 0 message(s) waiting"));
  CHECK_THAT(run.output, !Contains("pi_"));
}

TEST_CASE("status --json adds the payments objects and keeps its earlier keys") {
  StoreDay day;
  const auto run = day.ctl({"status", "--json", "--sessions"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const json status = json::parse(run.output);
  for (const char* key : {"store_id", "gate_id", "sessions_by_state", "sessions_total", "outbox", "outbox_oldest_age_s",
                          "sessions"})
    CHECK(status.contains(key));
  CHECK(status.at("sessions_total") == 7);

  const json& gateway = status.at("gateway");
  CHECK(gateway.at("state") == "unreachable");
  CHECK(gateway.at("since_ms") == day.now_ms() - 2 * kHour - 31 * kMinute);
  const json& queue = status.at("payment_queue");
  CHECK(queue.at("outstanding") == 2);
  CHECK(queue.at("owed_minor") == json{{"JPY", 500}, {"USD", 2000}});
  CHECK(queue.at("oldest_age_s").get<std::int64_t>() >= (2 * kHour + 30 * kMinute) / 1000);
  CHECK(queue.at("dead_letters") == 2);
  CHECK(status.at("settlements") == json{{"decided", 6}, {"settled", 2}});
  CHECK_THAT(run.output, !Contains("pi_"));
}

TEST_CASE("a retried dead letter is outstanding again and a written-off one settles its session") {
  StoreDay day;
  REQUIRE(day.ctl({"queue", "retry", std::to_string(day.dead)}).exit_code == 0);
  REQUIRE(day.ctl({"queue", "write-off", std::to_string(day.declined), "--reason", "goodwill"}).exit_code == 0);
  const json status = json::parse(day.ctl({"status", "--json"}).output);
  CHECK(status.at("payment_queue").at("outstanding") == 3);
  CHECK(status.at("payment_queue").at("owed_minor") == json{{"JPY", 500}, {"USD", 2800}});
  CHECK(status.at("payment_queue").at("dead_letters") == 0);
  CHECK(status.at("settlements") == json{{"decided", 6}, {"settled", 3}});
}

TEST_CASE("before passgated reports on the gateway, status says it is unknown") {
  CtlFixture gate;
  const auto run = gate.ctl({"status"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Contains("payment gateway: unknown") &&
                             Contains("payment queue: 0 operation(s) outstanding, owed none\n") &&
                             Contains("dead letters: 0\n") &&
                             Contains("settlements: 0 session(s) settled of 0 decided"));
  const json status = json::parse(gate.ctl({"status", "--json"}).output);
  CHECK(status.at("gateway") == json{{"state", "unknown"}});
  CHECK(status.at("payment_queue").at("oldest_age_s").is_null());
  CHECK(status.at("payment_queue").at("owed_minor") == json::object());
}
