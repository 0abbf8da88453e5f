// A 408 (Request Timeout) on a reused connection: a proxy or server in front timed the idle
// connection out just as the request was written, and did not process it. The request is
// sent once more, the same bytes, on a new connection, and the caller gets that answer; a 408
// on a fresh connection is the answer, passed up as it came; and nothing is sent again once
// the server answered 429 to another request since this one started, not even by a resend
// whose new connection was being made when the 429 came.
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "drivers/http_client.hpp"
#include "tests/http_client/pool_fixture.hpp"
#include "tests/support/run_until.hpp"

namespace passgate::test {
namespace {

const std::string kKey = "7f3e9a52-1c1d-4b8e-9d5e-0a1b2c3d4e5f:charge";

// A POST such as the payment gateway's: a form body and an Idempotency-Key.
drivers::HttpRequestSpec charge() {
  return {drivers::HttpMethod::post, "/v1/payment_intents", "amount=1500&currency=usd",
          "application/x-www-form-urlencoded", {{"Idempotency-Key", kKey}}};
}

// A proxy's 408: with the header `fields`, and the connection ended after it or not.
ScriptedAnswer request_timeout(const std::string& fields, bool close_after, const std::string& body = "") {
  return ScriptedAnswer{{http_response("408 Request Timeout", body, fields)}, close_after};
}

}  // namespace

TEST_CASE("a 408 on a reused connection sends the same request again on a new connection, and the caller gets that answer") {
  Pool p;
  REQUIRE(p.get().body == "connection 1 request 1");
  REQUIRE(p.client->idle_connections() == 1);
  const bool connection_close = GENERATE(true, false);
  INFO("408 with Connection: close and the connection ended: " << connection_close);
  p.server.script(1, 2, request_timeout(connection_close ? "Connection: close\r\n" : "", connection_close));

  const HttpReply reply = p.send(charge());
  CHECK(reply.status == 200);
  CHECK(reply.body == "connection 2 request 1");
  CHECK(reply.sends == 2);
  const auto& received = p.server.received();
  REQUIRE(received.size() == 3);
  CHECK(received[1].connection == 1);  // the reused connection, answered 408
  CHECK(received[2].connection == 2);  // the resend, alone on a new one
  CHECK(received[2].number == 1);
  CHECK(received[2].header("Idempotency-Key") == kKey);
  CHECK(received[2].body == "amount=1500&currency=usd");
  CHECK(received[2].head == received[1].head);  // the same bytes
  CHECK(received[2].body == received[1].body);
  CHECK(p.client->idle_connections() == 1);  // the new one; the one that answered 408 is closed
  CHECK(p.get().body == "connection 2 request 2");
}

TEST_CASE("a 408 on a fresh connection is the answer, passed up unchanged and not sent again") {
  Pool p;
  p.server.script(1, 1, request_timeout("Connection: close\r\nX-Proxy: edge\r\n", true, "idle too long"));
  const HttpReply reply = p.send(charge());
  CHECK(reply.status == 408);
  CHECK(reply.body == "idle too long");
  CHECK(reply.header("X-Proxy") == "edge");
  CHECK(reply.error.empty());
  CHECK(reply.sends == 1);
  CHECK(p.server.received().size() == 1);
  CHECK(p.server.connections_accepted() == 1);
  CHECK(p.client->idle_connections() == 0);
}

TEST_CASE("a 408 on a reused connection after the server answered another request 429 is the answer") {
  Pool p;
  REQUIRE(p.get().body == "connection 1 request 1");
  ScriptedAnswer held = request_timeout("Connection: close\r\n", true);
  held.held = true;
  p.server.script(1, 2, held);
  p.server.script(2, 1, ScriptedAnswer{{http_response("429 Too Many Requests", "{}", "Retry-After: 30\r\n")}});

  std::optional<HttpReply> charged;
  std::optional<HttpReply> limited;
  p.start(charge(), charged);  // on the pooled connection: its answer waits
  p.start({drivers::HttpMethod::get, "/", {}, {}, {}}, limited);  // on a new one: 429
  REQUIRE(run_until(p.io, [&] { return limited.has_value() && p.server.received().size() == 3; }));
  REQUIRE(limited->status == 429);
  p.server.release();  // the 408, after the 429
  REQUIRE(run_until(p.io, [&] { return charged.has_value(); }));
  CHECK(charged->status == 408);
  CHECK(charged->sends == 1);
  CHECK(p.server.received().size() == 3);  // nothing sent after the 429
  CHECK(p.server.connections_accepted() == 2);
}

TEST_CASE("a resend after a 408 is not written if the server answered 429 while its new connection was being made") {
  TestServerTls tls;
  Pool p(&tls.files, tls.ca.ca_file());
  REQUIRE(p.get().body == "connection 1 request 1");
  p.server.script(1, 2, request_timeout("Connection: close\r\n", true));
  p.server.hold_handshake(2);  // the resend's connection waits in its TLS handshake
  p.server.script(3, 1, ScriptedAnswer{{http_response("429 Too Many Requests", "{}", "Retry-After: 30\r\n")}});

  std::optional<HttpReply> charged;
  p.start(charge(), charged);  // on the pooled connection: 408, so sent again on connection 2
  REQUIRE(run_until(p.io, [&] { return p.server.connections_accepted() == 2; }));
  const HttpReply limited = p.get();  // on connection 3, meanwhile
  REQUIRE(limited.status == 429);
  p.server.release_handshake();
  REQUIRE(run_until(p.io, [&] { return charged.has_value(); }));
  CHECK(charged->status == 0);
  CHECK(charged->error.find("not sent again: the server answered 429") != std::string::npos);
  CHECK(charged->sends == 1);
  const auto& received = p.server.received();
  CHECK(received.size() == 3);  // the first get, the charge answered 408 and the get answered 429
  for (const auto& request : received) CHECK(request.connection != 2);
}

}  // namespace passgate::test
