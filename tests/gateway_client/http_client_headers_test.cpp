// HttpClient's per-request headers and content type, and the response headers it hands
// back (what GatewayClient builds on), against the scripted loopback server.
#include <catch2/catch.hpp>

#include "drivers/http_client.hpp"
#include "tests/gateway_client/gateway_fixture.hpp"

using namespace passgate;
using namespace passgate::test;
using passgate::HttpReply;

namespace {

std::unique_ptr<drivers::HttpClient> http_client(ScriptedGateway& server) {
  drivers::HttpClientOptions options;
  options.base_url = server.base_url();
  options.headers = {{"X-Gate-Id", "gate-a"}};
  auto made = drivers::HttpClient::create(server.io, options);
  REQUIRE(made);
  return std::move(made.value());
}

HttpReply send(ScriptedGateway& server, drivers::HttpClient& client, drivers::HttpRequestSpec spec) {
  auto reply = await_reply<HttpReply>(server.io, [&](auto done) { client.request(std::move(spec), 5s, done); });
  REQUIRE(reply);
  return *reply;
}

}  // namespace

TEST_CASE("a request spec's headers and content type are sent after the client's own headers") {
  ScriptedGateway server;
  server.will_answer(200, "{}");
  auto client = http_client(server);
  const HttpReply reply = send(server, *client,
                               {drivers::HttpMethod::post, "/v1/things", "a=1&b=2", "application/x-www-form-urlencoded",
                                {{"Idempotency-Key", "k-1"}, {"X-Other", "two"}}});
  CHECK(reply.status == 200);
  REQUIRE(server.calls.size() == 1);
  const auto& call = server.calls[0];
  CHECK(call.method == "POST");
  CHECK(call.target == "/v1/things");
  CHECK(call.body == "a=1&b=2");
  CHECK(call.header("content-type") == "application/x-www-form-urlencoded");
  CHECK(call.header("X-Gate-Id") == "gate-a");
  CHECK(call.header("Idempotency-Key") == "k-1");
  CHECK(call.header("X-Other") == "two");
}

TEST_CASE("the JSON form of request() still sends application/json, and a GET has no body or content type") {
  ScriptedGateway server;
  server.will_answer(201, "{}");
  server.will_answer(200, "{}");
  auto client = http_client(server);
  auto posted = await_reply<HttpReply>(server.io, [&](auto done) {
    client->request(drivers::HttpMethod::post, "/v1/sessions", R"({"x":1})", 5s, done);
  });
  REQUIRE(posted);
  CHECK(posted->status == 201);
  CHECK(send(server, *client, {drivers::HttpMethod::get, "/v1/carts?after=3", {}, {}, {}}).status == 200);
  REQUIRE(server.calls.size() == 2);
  CHECK(server.calls[0].header("Content-Type") == "application/json");
  CHECK(server.calls[1].method == "GET");
  CHECK(server.calls[1].target == "/v1/carts?after=3");
  CHECK_FALSE(server.calls[1].header("Content-Type"));
}

TEST_CASE("the reply carries the response headers, looked up without regard to case") {
  ScriptedGateway server;
  server.will_answer(answer_with_headers(429, "{}", {{"Retry-After", "3"}, {"Idempotent-Replayed", "true"}}));
  auto client = http_client(server);
  const HttpReply reply = send(server, *client, {drivers::HttpMethod::get, "/", {}, {}, {}});
  CHECK(reply.status == 429);
  CHECK(reply.header("Retry-After") == "3");
  CHECK(reply.header("retry-after") == "3");
  CHECK(reply.header("IDEMPOTENT-REPLAYED") == "true");
  CHECK(reply.header("content-type") == "application/json");
  CHECK(reply.header("Server") == "passgate-sim");
  CHECK_FALSE(reply.header("Retry"));
  CHECK_FALSE(reply.header("Retry-After-Extra"));
}
