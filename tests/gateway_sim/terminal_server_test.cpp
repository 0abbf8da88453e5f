// The Terminal side over real loopback HTTP: readers from the options, the reader faults set
// while it runs through POST /_sim/readers/{reader} (API port), POST /control/readers/{reader}
// (control port) and `passgate-sim gateway-ctl reader`, and the API-wide faults set through a
// reader: drop_response (next POST only), delay_ms and api_down (until none).
#include <catch2/catch.hpp>

#include "tests/gateway_sim/sim_run.hpp"
#include "tests/gateway_sim/terminal_fixture.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

namespace {

sim::GatewayServerOptions with_readers() {
  sim::GatewayServerOptions options;
  options.readers = {kReader, kOtherReader};
  return options;
}

TestHttpReply sim_fault(ServerFixture& f, const std::string& reader, const FormFields& fields) {
  return f.api(TestHttpRequest{"POST", "/_sim/readers/" + reader, {}, form_encode(fields)});
}

// Steps 1 and 2 over HTTP; the intent's id.
std::string arm_over_http(ServerFixture& f, const std::string& session) {
  const auto customer = f.post("/v1/customers", {}, session + ":customer");
  REQUIRE(customer.status == 200);
  const auto intent = f.post(kCreate, hold_fields(session, json::parse(customer.body)["id"]), session + ":tpreauth");
  REQUIRE(intent.status == 200);
  return json::parse(intent.body)["id"];
}

}  // namespace

TEST_CASE("readers come from the options, a bad or repeated reader id is refused") {
  ServerFixture f(with_readers());
  CHECK(json::parse(f.get(reader_target(kOtherReader)).body)["status"] == "online");
  boost::asio::io_context io;
  for (const std::vector<std::string>& readers : {std::vector<std::string>{"lane1"}, {kReader, kReader}}) {
    sim::GatewayServerOptions options;
    options.api_key = kApiKey;
    options.readers = readers;
    const auto made = sim::GatewayServer::create(io, options);
    REQUIRE_FALSE(made);
    CHECK(made.error().code == "bad_options");
  }
}

TEST_CASE("POST /_sim/readers/{reader} sets a reader's fault on the API port, with the API key") {
  ServerFixture f(with_readers());
  const auto set = sim_fault(f, kReader, {{"fault", "offline"}});
  REQUIRE(set.status == 200);
  CHECK(json::parse(set.body)["faults"] == json::array({"offline"}));
  CHECK(json::parse(f.get(reader_target(kReader)).body)["status"] == "offline");

  CHECK(sim_fault(f, kReader, {{"fault", "sideways"}}).status == 400);
  CHECK(sim_fault(f, kReader, {}).status == 400);
  CHECK(sim_fault(f, kReader, {{"fault", "delay_ms"}}).status == 400);  // needs delay_ms
  CHECK(sim_fault(f, kReader, {{"fault", "busy"}, {"delay_ms", "5"}}).status == 400);
  CHECK(sim_fault(f, "tmr_nope", {{"fault", "busy"}}).status == 404);
  std::optional<TestHttpReply> keyless;
  send_test_request(f.io, f.server->port(), TestHttpRequest{"POST", "/_sim/readers/tmr_lane1", {}, "fault=none"},
                    [&keyless](TestHttpReply r) { keyless = std::move(r); });
  REQUIRE(run_until(f.io, [&keyless] { return keyless.has_value(); }));
  CHECK(keyless->status == 401);

  REQUIRE(sim_fault(f, kReader, {{"fault", "online"}}).status == 200);
  CHECK(json::parse(f.get(reader_target(kReader)).body)["status"] == "online");
}

TEST_CASE("POST /control/readers/{reader} sets the same faults on the control port") {
  ServerFixture f(with_readers());
  const auto set = f.control("POST", "/control/readers/tmr_lane2", R"({"fault":"busy"})");
  REQUIRE(set.status == 200);
  CHECK(json::parse(set.body)["faults"] == json::array({"busy"}));
  CHECK(json::parse(f.get(reader_target(kOtherReader)).body)["action"]["status"] == "in_progress");
  CHECK(f.control("POST", "/control/readers/tmr_lane2", R"({"fault":"nope"})").status == 400);
  CHECK(f.control("POST", "/control/readers/tmr_lane2", R"({"fault":"delay_ms","delay_ms":0})").status == 400);
  CHECK(f.control("POST", "/control/readers/tmr_nope", R"({"fault":"busy"})").status == 404);
  const json ledger = f.ledger();
  CHECK(ledger["readers"][1]["faults"] == json::array({"busy"}));
  CHECK(ledger["card_present"]["intents"] == 0);
}

TEST_CASE("drop_response: the next POST runs and its connection is reset, GETs before it are answered") {
  ServerFixture f(with_readers());
  const std::string id = arm_over_http(f, "s1");
  REQUIRE(sim_fault(f, kReader, {{"fault", "drop_response"}}).status == 200);
  CHECK(f.get(reader_target(kReader)).status == 200);  // a poll: not a POST
  const auto dropped = f.post(reader_target(kReader, "collect_payment_method"), {{"payment_intent", id}}, "s1:c0");
  CHECK(dropped.status == 0);
  CHECK(json::parse(f.get(reader_target(kReader)).body)["action"]["status"] == "in_progress");  // it ran
  const auto replayed = f.post(reader_target(kReader, "collect_payment_method"), {{"payment_intent", id}}, "s1:c0");
  CHECK(replayed.status == 200);  // next POST only
  CHECK(replayed.header("Idempotent-Replayed") == "true");
  CHECK(f.ledger()["requests"]["dropped"] == 1);
}

TEST_CASE("api_down answers 503 to every request until none, the tap and /_sim are never faulted") {
  ServerFixture f(with_readers());
  const std::string id = arm_over_http(f, "s1");
  REQUIRE(f.post(reader_target(kReader, "collect_payment_method"), {{"payment_intent", id}}, "s1:c0").status == 200);
  REQUIRE(sim_fault(f, kOtherReader, {{"fault", "api_down"}}).status == 200);
  CHECK(f.get(reader_target(kReader)).status == 503);
  CHECK(f.post(kCreate + std::string("/") + id + "/cancel", {}, "s1:void").status == 503);
  CHECK(f.post(present_target(kReader), {{"card_present[number]", kVisa}}, "tap").status == 200);
  CHECK(f.get(reader_target(kReader)).status == 503);  // still down
  REQUIRE(sim_fault(f, kOtherReader, {{"fault", "none"}}).status == 200);
  CHECK(json::parse(f.get(std::string(kCreate) + "/" + id).body)["status"] == "requires_confirmation");
}

TEST_CASE("delay_ms makes every answer late until none, set through any reader") {
  ServerFixture f(with_readers());
  const auto set = sim_fault(f, kReader, {{"fault", "delay_ms"}, {"delay_ms", "3"}});
  REQUIRE(set.status == 200);
  CHECK(json::parse(set.body)["api"]["mode"] == "slow");
  CHECK(json::parse(set.body)["api"]["delay_ms"] == 3);
  CHECK(f.get(reader_target(kReader)).status == 200);  // late, but answered
  CHECK(f.get(reader_target(kOtherReader)).status == 200);
  REQUIRE(f.control("POST", "/control/readers/tmr_lane2", R"({"fault":"none"})").status == 200);
  CHECK(f.server->fault().mode == sim::GatewayFaultMode::none);
}

TEST_CASE("none through a reader clears that reader's faults and the API-wide ones, not another reader's") {
  ServerFixture f(with_readers());
  REQUIRE(sim_fault(f, kReader, {{"fault", "offline"}}).status == 200);
  REQUIRE(sim_fault(f, kOtherReader, {{"fault", "no_increment"}}).status == 200);
  REQUIRE(sim_fault(f, kReader, {{"fault", "drop_response"}}).status == 200);
  REQUIRE(sim_fault(f, kReader, {{"fault", "delay_ms"}, {"delay_ms", "2"}}).status == 200);
  CHECK(f.server->drop_next_post());
  const auto cleared = sim_fault(f, kReader, {{"fault", "none"}});
  REQUIRE(cleared.status == 200);
  CHECK(json::parse(cleared.body)["faults"].empty());
  CHECK(json::parse(cleared.body)["api"]["mode"] == "none");
  CHECK_FALSE(f.server->drop_next_post());
  CHECK(f.server->ledger().terminal().readers()[1].faults.no_increment);
}

TEST_CASE("gateway-ctl reader sets a reader's fault on a running simulator") {
  ThreadedGateway g(with_readers());
  const std::string ctl = g.ctl() + "reader ";
  const SimRun offline = run_sim(ctl + "tmr_lane1 offline");
  const SimRun delay = run_sim(ctl + "tmr_lane2 delay_ms --delay-ms 4");
  const SimRun unknown = run_sim(ctl + "tmr_lane1 sideways");
  const SimRun missing = run_sim(ctl + "tmr_nope busy");
  g.join();

  CHECK(offline.exit_code == 0);
  CHECK(json::parse(offline.out)["faults"] == json::array({"offline"}));
  CHECK(delay.exit_code == 0);
  CHECK(g.server->fault().delay == std::chrono::milliseconds(4));
  CHECK(unknown.exit_code != 0);
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Contains("no reader tmr_nope"));
  CHECK(g.server->ledger().terminal().readers()[0].faults.offline);
}
