// GatewayServer's control port: faults with their options and checks, forget_keys, the
// ledger JSON, and `passgate-sim gateway-ctl` against a running server.
#include <catch2/catch.hpp>

#include "tests/gateway_sim/gateway_fixture.hpp"
#include "tests/gateway_sim/sim_run.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

TEST_CASE("faults set over the control port, with delay, Retry-After and count") {
  ServerFixture f;
  const auto fault = [&f](const std::string& body) { return f.control("POST", "/control/fault", body); };

  auto reply = fault(R"({"mode":"rate_limit","retry_after_s":3,"count":2})");
  REQUIRE(reply.status == 200);
  CHECK(json::parse(reply.body) ==
        json{{"mode", "rate_limit"}, {"delay_ms", 0}, {"retry_after_s", 3}, {"lie", nullptr}, {"remaining", 2}});
  CHECK(f.get(search_target("s")).status == 429);
  CHECK(f.ledger()["fault"]["remaining"] == 1);

  reply = fault(R"({"mode":"slow","delay_ms":5})");
  REQUIRE(reply.status == 200);
  CHECK(json::parse(reply.body)["remaining"].is_null());
  CHECK(f.get(search_target("s")).status == 200);

  REQUIRE(fault(R"({"mode":"none","delay_ms":0})").status == 200);
  CHECK(f.server->fault().mode == sim::GatewayFaultMode::none);
}

TEST_CASE("a fault request that makes no sense is refused with 400") {
  ServerFixture f;
  for (const char* body :
       {R"({"mode":"slow"})", R"({"mode":"none","delay_ms":5})", R"({"mode":"error5xx","retry_after_s":1})",
        R"({"mode":"unreachable","count":3})", R"({"mode":"none","count":3})", R"({"mode":"error5xx","count":0})",
        R"({"mode":"sideways"})", R"({"mode":"slow","delay_ms":-1})", R"({"mode":"rate_limit","retry_after_s":-1})",
        R"({"mode":"lie"})", R"({"mode":"lie","lie":"everything"})", R"({"mode":"none","lie":"amount"})",
        "nonsense"}) {
    INFO(body);
    const auto reply = f.control("POST", "/control/fault", body);
    CHECK(reply.status == 400);
    CHECK_THAT(reply.body, Contains("\"error\""));
  }
  CHECK(f.server->fault().mode == sim::GatewayFaultMode::none);
  CHECK(f.control("GET", "/control/nothing").status == 404);
}

TEST_CASE("forget_keys over the control port, the ledger JSON has every part") {
  ServerFixture f;
  const std::string session = new_uuid_v4();
  REQUIRE(f.post(kCreate, intent_fields(session, "preauth", 5000), session + ":preauth").status == 200);
  const auto forgotten = f.control("POST", "/control/forget_keys");
  REQUIRE(forgotten.status == 200);
  CHECK(json::parse(forgotten.body) == json{{"forgotten", 1}});
  const auto second = f.post(kCreate, intent_fields(session, "preauth", 5000), session + ":preauth");
  REQUIRE(second.status == 200);
  CHECK_FALSE(second.header("Idempotent-Replayed"));

  const json ledger = f.ledger();
  CHECK(ledger["intents"].size() == 2);
  CHECK(ledger["sessions"][0]["held"] == 10000);
  CHECK(ledger["totals"]["usd"]["held"] == 10000);
  REQUIRE(ledger["duplicates"].size() == 1);
  CHECK(ledger["duplicates"][0]["session_id"] == session);
  CHECK(ledger["requests"] == json{{"total", 2}, {"replayed", 0}, {"conflicts", 0}, {"faulted", 0}, {"rate_limited", 0}, {"dropped", 0}, {"lied", 0}});
  CHECK(ledger["fault"]["mode"] == "none");
  CHECK(ledger["stored_keys"] == 1);
}

TEST_CASE("the server needs an API key, and reports a port that is taken") {
  boost::asio::io_context io;
  auto keyless = sim::GatewayServer::create(io, {});
  REQUIRE_FALSE(keyless);
  CHECK(keyless.error().code == "bad_options");

  ServerFixture first;
  sim::GatewayServerOptions options;
  options.api_key = kApiKey;
  options.port = first.server->port();
  auto taken = sim::GatewayServer::create(io, options);
  REQUIRE_FALSE(taken);
  CHECK(taken.error().code == "listen_failed");
}


TEST_CASE("gateway-ctl sets faults, forgets keys and prints the ledger of a running simulator") {
  ThreadedGateway g;
  const std::string ctl = g.ctl();
  const SimRun fault = run_sim(ctl + "fault rate_limit --retry-after-s 4 --count 3");
  const SimRun misfit = run_sim(ctl + "fault slow --delay-ms 10 --retry-after-s 4");
  const SimRun forget = run_sim(ctl + "forget-keys");
  const SimRun table = run_sim(ctl + "ledger");
  const SimRun raw = run_sim(ctl + "ledger --json");
  g.join();

  CHECK(fault.exit_code == 0);
  CHECK(json::parse(fault.out) ==
        json{{"mode", "rate_limit"}, {"delay_ms", 0}, {"retry_after_s", 4}, {"lie", nullptr}, {"remaining", 3}});
  CHECK(misfit.exit_code == 1);  // retry_after does not fit slow: refused, and the fault stays
  CHECK_THAT(misfit.err, Contains("retry_after applies only to fault rate_limit"));
  CHECK(g.server->fault().mode == sim::GatewayFaultMode::rate_limit);
  CHECK(forget.exit_code == 0);
  CHECK(json::parse(forget.out) == json{{"forgotten", 0}});
  CHECK(table.exit_code == 0);
  CHECK_THAT(table.out, Contains("duplicates: 0") && Contains("0 total"));
  CHECK(raw.exit_code == 0);
  CHECK(json::parse(raw.out)["fault"]["mode"] == "rate_limit");

  const std::uint16_t port = g.server->control_port();
  g.server.reset();  // closes the control port
  const SimRun down = run_sim("gateway-ctl --control-port " + std::to_string(port) + " ledger");
  CHECK(down.exit_code == 1);
  CHECK_THAT(down.err, Contains("is `passgate-sim gateway` running"));
}
