// GatewayClient when the network fails: no response at all (time-out, a dropped
// connection, a refused one) is `unknown`, because the gateway may have executed the
// operation; the one resend on a stale pooled connection (or one answered 408) carries the
// same Idempotency-Key, and is not made once the gateway answered 429 (nothing is sent during
// its pause); callbacks never run inside the call nor after the client is gone.
#include <catch2/catch.hpp>

#include <optional>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "tests/gateway_client/gateway_fixture.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

namespace {

sim::HttpAnswer dropped_after_executing() {
  sim::HttpAnswer answer = sim::make_answer(200, intent_json("pi_1", "succeeded"));
  answer.drop = true;
  return answer;
}

}  // namespace

TEST_CASE("a gateway that does not answer within the time-out gives unknown") {
  ScriptedGateway gateway;
  gateway.will_answer(sim::make_answer(200, intent_json("pi_1", "succeeded"), std::chrono::minutes(1)));
  auto client = gateway.client();
  const PaymentOutcome outcome = gateway.execute(*client, payment_request(PaymentOpKind::charge), 300ms);
  CHECK(outcome.kind == PaymentOutcomeKind::unknown);
  CHECK(outcome.http_status == 0);
  CHECK_THAT(outcome.error, Contains("may have executed") && Contains("timeout after 300 ms"));
  CHECK(gateway.calls.size() == 1);
}

TEST_CASE("a gateway that executes, then drops the connection without answering, gives unknown") {
  ScriptedGateway gateway;
  gateway.will_answer(dropped_after_executing());
  auto client = gateway.client();
  const PaymentOutcome outcome = gateway.execute(*client, payment_request(PaymentOpKind::charge));
  CHECK(outcome.kind == PaymentOutcomeKind::unknown);
  CHECK(outcome.http_status == 0);
  CHECK_THAT(outcome.error, Contains("no complete response"));
  CHECK(gateway.calls.size() == 1);  // a fresh connection's failure is not resent
}

TEST_CASE("a reused connection dropped before the answer or answered 408 resends once with the same Idempotency-Key") {
  // A 408 (Request Timeout) there: a proxy timed the connection out as the request was
  // written; nothing was executed, so the resend's answer is not a replay.
  const bool timed_out = GENERATE(false, true);
  INFO((timed_out ? "408" : "dropped"));
  ScriptedGateway gateway;
  gateway.will_answer(200, honest_intent_json(PaymentOpKind::preauth));
  gateway.will_answer(timed_out ? sim::make_answer(408, "") : dropped_after_executing());
  sim::HttpAnswer replay = sim::make_answer(200, intent_json("pi_1", "succeeded"));
  if (!timed_out) replay.headers = {{"Idempotent-Replayed", "true"}};
  gateway.will_answer(replay);
  auto client = gateway.client();
  CHECK(gateway.execute(*client, payment_request(PaymentOpKind::preauth)).kind == PaymentOutcomeKind::succeeded);

  const PaymentOutcome outcome = gateway.execute(*client, payment_request(PaymentOpKind::charge));
  CHECK(outcome.kind == PaymentOutcomeKind::succeeded);
  CHECK(outcome.replayed == !timed_out);
  CHECK(outcome.sends == 2);  // both count as attempts (the drainer's queue, log and metrics)
  REQUIRE(gateway.calls.size() == 3);
  CHECK(gateway.calls[1].header("Idempotency-Key") == kSessionId + ":charge");
  CHECK(gateway.calls[2].header("Idempotency-Key") == kSessionId + ":charge");
  CHECK(gateway.calls[2].body == gateway.calls[1].body);
  CHECK(gateway.server->connections_accepted() == 2);
  CHECK(gateway.script_used_up());
}

TEST_CASE("a request whose reused connection fails after the gateway answered another with 429 is not sent again") {
  boost::asio::io_context io;
  std::vector<sim::HttpCall> calls;
  int charges = 0;
  auto made = sim::HttpListener::create(io, 0, nullptr, [&](const sim::HttpCall& call) {
    calls.push_back(call);
    const std::string key = call.header("Idempotency-Key").value_or("");
    if (key == kSessionId + ":preauth") return sim::make_answer(200, honest_intent_json(PaymentOpKind::preauth));
    // The charge's answer is held back until the connection is dropped; a resend is answered.
    if (key == kSessionId + ":charge") return sim::make_answer(200, intent_json("pi_1", "succeeded"), ++charges == 1 ? 1h : 0s);
    return answer_with_headers(429, error_json("rate_limit_error", "", "", "Too many requests."), {{"Retry-After", "30"}});
  });
  REQUIRE(made);
  auto server = std::move(made.value());
  auto client = drivers::GatewayClient::create(
      io, drivers::GatewayClientOptions{"http://127.0.0.1:" + std::to_string(server->port()), kApiKey, {}});
  REQUIRE(client);
  const auto execute = [&](PaymentOpKind op, std::optional<PaymentOutcome>& into) {
    (*client)->execute(payment_request(op), 30s, [&into](PaymentOutcome o) { into = std::move(o); });
  };
  std::optional<PaymentOutcome> preauth;
  execute(PaymentOpKind::preauth, preauth);
  REQUIRE(run_until(io, [&] { return preauth.has_value(); }));  // its connection is pooled

  std::optional<PaymentOutcome> charge;
  std::optional<PaymentOutcome> capture;
  execute(PaymentOpKind::charge, charge);    // on the pooled connection
  execute(PaymentOpKind::capture, capture);  // on a new one: 429
  REQUIRE(run_until(io, [&] { return capture.has_value() && calls.size() == 3; }));
  CHECK(capture->http_status == 429);
  server->drop_connections();  // the charge's connection fails before a byte of its answer
  REQUIRE(run_until(io, [&] { return charge.has_value(); }));
  CHECK(charge->kind == PaymentOutcomeKind::unknown);
  CHECK(charge->sends == 1);
  CHECK_THAT(charge->error, Contains("429"));
  CHECK(calls.size() == 3);  // nothing sent after the 429
}

TEST_CASE("a refused connection gives unknown with the reason") {
  ScriptedGateway gateway;
  boost::asio::ip::tcp::acceptor probe(gateway.io, {boost::asio::ip::address_v4::loopback(), 0});
  const auto port = probe.local_endpoint().port();
  probe.close();  // nothing listens there any more
  auto client = gateway.client(drivers::GatewayClientOptions{"http://127.0.0.1:" + std::to_string(port), kApiKey, {}});
  const PaymentOutcome outcome = gateway.execute(*client, payment_request(PaymentOpKind::capture));
  CHECK(outcome.kind == PaymentOutcomeKind::unknown);
  CHECK(outcome.http_status == 0);
  CHECK_THAT(outcome.error, Contains("cannot connect") && Contains("refused"));
}

TEST_CASE("the callback runs once, on the loop, never inside execute()") {
  ScriptedGateway gateway;
  gateway.will_answer(200, intent_json("pi_1", "succeeded"));
  auto client = gateway.client();
  int calls = 0;
  client->execute(payment_request(PaymentOpKind::charge), 5s, [&calls](const PaymentOutcome&) { ++calls; });
  CHECK(calls == 0);
  REQUIRE(run_until(gateway.io, [&calls] { return calls > 0; }));
  gateway.io.restart();
  gateway.io.poll();
  CHECK(calls == 1);
}

TEST_CASE("destroying the client drops the callbacks of requests in flight and of pending rejections") {
  ScriptedGateway gateway;
  gateway.will_answer(sim::make_answer(200, intent_json("pi_1", "succeeded"), std::chrono::minutes(1)));
  auto client = gateway.client();
  bool called = false;
  client->execute(payment_request(PaymentOpKind::charge), 30s, [&called](const PaymentOutcome&) { called = true; });
  REQUIRE(run_until(gateway.io, [&] { return gateway.calls.size() == 1; }));  // at the gateway
  auto incomplete = payment_request(PaymentOpKind::capture);
  incomplete.intent_id.clear();
  client->execute(incomplete, 30s, [&called](const PaymentOutcome&) { called = true; });
  client.reset();
  gateway.io.restart();
  gateway.io.poll();
  CHECK_FALSE(called);
}
