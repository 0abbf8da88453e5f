// GatewayServer over real loopback HTTP: the API with its headers, and the faults switched
// while it runs (rate_limit with Retry-After and a count, error5xx, drop_response, slow with
// a concurrent request on the same key, unreachable and back, lie).
#include <catch2/catch.hpp>

#include "tests/gateway_sim/gateway_fixture.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

TEST_CASE("over HTTP: a form-encoded create, then a replay with Idempotent-Replayed: true") {
  ServerFixture f;
  const std::string session = new_uuid_v4();
  const auto first = f.post(kCreate, intent_fields(session), session + ":charge");
  REQUIRE(first.status == 200);
  CHECK_FALSE(first.header("Idempotent-Replayed"));
  CHECK(first.header("Content-Type") == "application/json");
  CHECK(json::parse(first.body)["status"] == "succeeded");

  const auto again = f.post(kCreate, intent_fields(session), session + ":charge");
  CHECK(again.status == 200);
  CHECK(again.header("Idempotent-Replayed") == "true");
  CHECK(again.body == first.body);

  const auto found = f.get(search_target(session));
  REQUIRE(found.status == 200);
  CHECK(json::parse(found.body)["data"].size() == 1);
  CHECK(f.api(TestHttpRequest{"POST", kCreate, {}, form_encode(intent_fields(session))}).status == 400);  // no key

  const json ledger = f.ledger();
  CHECK(ledger["requests"]["total"] == 4);
  CHECK(ledger["requests"]["replayed"] == 1);
  CHECK(ledger["stored_keys"] == 1);
}

TEST_CASE("rate_limit answers 429 with Retry-After for the next N requests, nothing takes effect, then none") {
  ServerFixture f;
  REQUIRE(f.server->set_fault({sim::GatewayFaultMode::rate_limit, {}, std::chrono::seconds(7), 2}));
  const std::string session = new_uuid_v4();
  for (int i = 0; i < 2; ++i) {
    const auto limited = f.post(kCreate, intent_fields(session), session + ":charge");
    CHECK(limited.status == 429);
    CHECK(limited.header("Retry-After") == "7");
    CHECK(json::parse(limited.body)["error"]["code"] == "rate_limit");
  }
  CHECK(f.server->ledger().intents().empty());
  CHECK(f.server->fault().mode == sim::GatewayFaultMode::none);

  const auto through = f.post(kCreate, intent_fields(session), session + ":charge");
  CHECK(through.status == 200);
  CHECK_FALSE(through.header("Idempotent-Replayed"));  // the 429s stored nothing

  REQUIRE(f.server->set_fault({sim::GatewayFaultMode::rate_limit, {}, std::nullopt, std::nullopt}));
  CHECK_FALSE(f.get(search_target(session)).header("Retry-After"));
  CHECK(f.ledger()["requests"]["faulted"] == 3);
}

TEST_CASE("a rate limit answers 429 with Retry-After: 1 beyond N requests in the last second, as a live account") {
  auto now = std::chrono::steady_clock::time_point{std::chrono::hours(1)};
  sim::GatewayServerOptions options;
  options.rate_limit_per_second = 3;
  options.now = [&now] { return now; };
  ServerFixture f(std::move(options));
  const std::string session = new_uuid_v4();
  for (int i = 0; i < 3; ++i) CHECK(f.get(search_target(session)).status == 200);
  const auto limited = f.post(kCreate, intent_fields(session), session + ":charge");
  CHECK(limited.status == 429);
  CHECK(limited.header("Retry-After") == "1");
  CHECK(json::parse(limited.body)["error"]["code"] == "rate_limit");
  CHECK(f.server->ledger().intents().empty());  // nothing was done

  now += std::chrono::milliseconds(999);
  CHECK(f.get(search_target(session)).status == 429);  // the first three are still within the second
  now += std::chrono::milliseconds(1);
  CHECK(f.post(kCreate, intent_fields(session), session + ":charge").status == 200);
  CHECK(f.ledger()["requests"]["rate_limited"] == 2);
  CHECK(f.ledger()["requests"]["faulted"] == 0);
}

TEST_CASE("error5xx answers 503 and nothing takes effect") {
  ServerFixture f;
  REQUIRE(f.server->set_fault({sim::GatewayFaultMode::error5xx, {}, std::nullopt, std::nullopt}));
  const std::string session = new_uuid_v4();
  const auto failed = f.post(kCreate, intent_fields(session), session + ":charge");
  CHECK(failed.status == 503);
  CHECK(json::parse(failed.body)["error"]["type"] == "api_error");
  CHECK(f.server->ledger().intents().empty());
  CHECK(f.server->ledger().stored_keys() == 0);

  REQUIRE(f.server->set_fault({}));
  CHECK(f.post(kCreate, intent_fields(session), session + ":charge").status == 200);
}

TEST_CASE("drop_response executes the request, then closes without answering, the retry is replayed") {
  ServerFixture f;
  REQUIRE(f.server->set_fault({sim::GatewayFaultMode::drop_response, {}, std::nullopt, 1}));
  const std::string session = new_uuid_v4();
  const auto lost = f.post(kCreate, intent_fields(session), session + ":charge");
  CHECK(lost.status == 0);
  CHECK_FALSE(lost.error.empty());
  REQUIRE(f.server->ledger().intents().size() == 1);  // it did happen
  CHECK(f.server->ledger().intents()[0].amount_received == 1250);

  const auto retry = f.post(kCreate, intent_fields(session), session + ":charge");
  REQUIRE(retry.status == 200);
  CHECK(retry.header("Idempotent-Replayed") == "true");
  CHECK(json::parse(retry.body)["id"] == f.server->ledger().intents()[0].id);

  const json ledger = f.ledger();
  CHECK(ledger["intents"].size() == 1);
  CHECK(ledger["duplicates"].empty());
  CHECK(ledger["requests"]["dropped"] == 1);
  CHECK(ledger["fault"]["mode"] == "none");
}

TEST_CASE("lie executes the request, then misstates one thing in its 200 PaymentIntent answer") {
  const auto [lie, field, told] = GENERATE(table<sim::GatewayLie, std::string, json>({
      {sim::GatewayLie::amount, "amount", 1},
      {sim::GatewayLie::currency, "currency", "jpy"},
      {sim::GatewayLie::intent_id, "id", "pi_00000000000000000000000000000000"},
  }));
  INFO(field);
  ServerFixture f;
  REQUIRE(f.server->set_fault({sim::GatewayFaultMode::lie, {}, std::nullopt, 1, lie}));
  const std::string session = new_uuid_v4();
  const auto lied = f.post(kCreate, intent_fields(session), session + ":charge");
  REQUIRE(lied.status == 200);
  CHECK(json::parse(lied.body)[field] == told);
  REQUIRE(f.server->ledger().intents().size() == 1);  // it did happen, as asked
  CHECK(f.server->ledger().intents()[0].amount_received == 1250);
  CHECK(f.ledger()["requests"]["lied"] == 1);
  CHECK(f.ledger()["fault"]["mode"] == "none");  // the count is used up
}

TEST_CASE("lie status_299 answers 299 with the true PaymentIntent, errors are never misstated") {
  ServerFixture f;
  REQUIRE(f.server->set_fault({sim::GatewayFaultMode::lie, {}, std::nullopt, 2, sim::GatewayLie::status_299}));
  const std::string session = new_uuid_v4();
  const auto lied = f.post(kCreate, intent_fields(session), session + ":charge");
  CHECK(lied.status == 299);
  CHECK(json::parse(lied.body)["amount_received"] == 1250);
  const auto refused = f.api(TestHttpRequest{"POST", kCreate, {}, form_encode(intent_fields(session))});  // no key
  CHECK(refused.status == 400);
  CHECK(f.ledger()["requests"]["lied"] == 1);
}

TEST_CASE("slow: the request takes effect at once, a concurrent one with the same key gets 409") {
  ServerFixture f;
  // The delay only has to outlast the second request's round trip on loopback.
  REQUIRE(f.server->set_fault({sim::GatewayFaultMode::slow, 2000ms, std::nullopt, 1}));
  const std::string session = new_uuid_v4();
  const std::string key = session + ":charge";
  std::optional<TestHttpReply> first;
  f.start(ServerFixture::post_request(kCreate, intent_fields(session), key), first);
  REQUIRE(run_until(f.io, [&f] { return f.server->counts().total == 1; }));
  CHECK(f.server->ledger().intents().size() == 1);  // executed before the answer

  const auto concurrent = f.post(kCreate, intent_fields(session), key);
  CHECK(concurrent.status == 409);
  CHECK_FALSE(first.has_value());  // still waiting for the first answer

  REQUIRE(run_until(f.io, [&first] { return first.has_value(); }));
  CHECK(first->status == 200);
  const auto later = f.post(kCreate, intent_fields(session), key);
  CHECK(later.status == 200);
  CHECK(later.header("Idempotent-Replayed") == "true");
  CHECK(f.server->ledger().intents().size() == 1);
  CHECK(f.ledger()["requests"]["conflicts"] == 1);
}

TEST_CASE("a slow answer lost with its connection does not leave its key in progress") {
  ServerFixture f;
  REQUIRE(f.server->set_fault({sim::GatewayFaultMode::slow, 600'000ms, std::nullopt, 1}));
  const std::string session = new_uuid_v4();
  std::optional<TestHttpReply> first;
  f.start(ServerFixture::post_request(kCreate, intent_fields(session), session + ":charge"), first);
  REQUIRE(run_until(f.io, [&f] { return f.server->counts().total == 1; }));
  f.server->drop_connections();
  REQUIRE(run_until(f.io, [&first] { return first.has_value(); }));
  CHECK(first->status == 0);
  const auto retry = f.post(kCreate, intent_fields(session), session + ":charge");
  CHECK(retry.status == 200);
  CHECK(retry.header("Idempotent-Replayed") == "true");
}

TEST_CASE("unreachable refuses connections while the control port stays up, back to none it works") {
  ServerFixture f;
  const std::string session = new_uuid_v4();
  REQUIRE(f.control("POST", "/control/fault", R"({"mode":"unreachable"})").status == 200);
  const auto refused = f.post(kCreate, intent_fields(session), session + ":charge");
  CHECK(refused.status == 0);
  CHECK(f.server->ledger().intents().empty());
  CHECK(f.ledger()["fault"]["mode"] == "unreachable");

  REQUIRE(f.control("POST", "/control/fault", R"({"mode":"none"})").status == 200);
  CHECK(f.post(kCreate, intent_fields(session), session + ":charge").status == 200);
}
