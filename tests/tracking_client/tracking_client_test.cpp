// TrackingClient over plain HTTP against the in-process tracking simulator: round trips
// with X-Gate-Id, failures that must read as unreachable (refused, timeout, 5xx),
// keep-alive reuse and the one retry after a server closed an idle connection, and the
// loopback-only rule for plain http.
#include <catch2/catch.hpp>

#include <boost/asio/ip/tcp.hpp>

#include "drivers/http_client.hpp"
#include "tests/tracking_client/client_fixture.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

namespace {

// A config for a loopback port nothing listens on (bound, read, closed again).
drivers::TrackingClientOptions closed_port_config(boost::asio::io_context& io) {
  boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::address_v4::loopback(), 0});
  drivers::TrackingClientOptions config;
  config.gate_id = "gate-a";
  config.base_url = "http://127.0.0.1:" + std::to_string(probe.local_endpoint().port());
  return config;
}

}  // namespace

TEST_CASE("POST and GET round trip to the engine, with the gate's X-Gate-Id") {
  ClientFixture f;
  auto client = f.client(f.config());
  const std::string id = new_uuid_v4();

  const HttpReply opened = f.post(*client, "/v1/sessions", session_body(id));
  CHECK(opened.status == 201);
  CHECK_THAT(opened.body, Contains("\"state\":\"open\""));
  REQUIRE(f.server->sessions().size() == 1);
  CHECK(f.server->sessions()[0].gate_id == "gate-a");

  const HttpReply cart = f.get(*client, "/v1/sessions/" + id + "/cart");
  CHECK(cart.status == 200);
  CHECK_THAT(cart.body, Contains(id));
  CHECK_FALSE(cart.unreachable());
}

TEST_CASE("a base URL path prefix is put in front of every target") {
  ClientFixture f;
  auto config = f.config();
  config.base_url += "/v1/";
  auto client = f.client(config);
  CHECK(f.post(*client, "/sessions", session_body(new_uuid_v4())).status == 201);
}

TEST_CASE("a server that accepts and never answers in time gives status 0, reported as a timeout") {
  ClientFixture f;
  REQUIRE(f.server->set_fault({sim::TrackingFaultMode::slow, std::chrono::minutes(1)}));
  auto client = f.client(f.config());
  const HttpReply reply = f.post(*client, "/v1/sessions", session_body(new_uuid_v4()), 300ms);
  CHECK(reply.status == 0);
  CHECK(reply.unreachable());
  CHECK_THAT(reply.error, Contains("timeout after 300 ms"));
}

TEST_CASE("a refused connection gives status 0 with the reason") {
  ClientFixture f;
  auto client = f.client(closed_port_config(f.io));
  const HttpReply reply = f.get(*client, "/v1/sessions/x/cart");
  CHECK(reply.status == 0);
  CHECK(reply.unreachable());
  CHECK_THAT(reply.error, Contains("cannot connect to 127.0.0.1:") && Contains("refused"));
}

TEST_CASE("a 5xx answer is unreachable but keeps its status and body") {
  ClientFixture f;
  REQUIRE(f.server->set_fault({sim::TrackingFaultMode::error5xx, {}}));
  auto client = f.client(f.config());
  const HttpReply reply = f.open_session(*client);
  CHECK(reply.status == 503);
  CHECK(reply.unreachable());
  CHECK_THAT(reply.body, Contains("unavailable"));
}

TEST_CASE("the callback never runs inside the call, even when the outcome is already known") {
  ClientFixture f;
  auto client = f.client(closed_port_config(f.io));
  int calls = 0;
  client->get("/v1/carts", 1s, [&calls](const HttpReply&) { ++calls; });
  CHECK(calls == 0);
  REQUIRE(run_until(f.io, [&calls] { return calls > 0; }));
  f.io.restart();
  f.io.poll();
  CHECK(calls == 1);
}

TEST_CASE("sequential requests reuse one kept-alive connection") {
  ClientFixture f;
  auto client = f.client(f.config());
  CHECK(f.open_session(*client).status == 201);
  CHECK(f.open_session(*client).status == 201);
  CHECK(f.get(*client, "/v1/sessions/" + f.server->sessions()[0].session_id + "/cart").status == 200);
  CHECK(f.server->connections_accepted() == 1);
}

TEST_CASE("when the server closed the idle connection, the next request is sent again on a fresh one") {
  ClientFixture f;
  auto client = f.client(f.config());
  CHECK(f.open_session(*client).status == 201);
  f.server->drop_connections();
  const HttpReply reply = f.open_session(*client);
  CHECK(reply.status == 201);
  CHECK(f.server->connections_accepted() == 2);
  CHECK(f.server->sessions().size() == 2);
}

TEST_CASE("concurrent requests use separate connections, which are then kept for reuse") {
  ClientFixture f;
  drivers::HttpClientOptions options;
  options.base_url = f.config().base_url;
  options.headers = {{"X-Gate-Id", "gate-a"}};
  auto made = drivers::HttpClient::create(f.io, options);
  REQUIRE(made);
  auto& client = *made.value();
  int answered = 0;
  for (int i = 0; i < 2; ++i) {
    client.request(drivers::HttpMethod::post, "/v1/sessions", session_body(new_uuid_v4()), 5s,
                   [&answered](const HttpReply& r) { answered += r.status == 201 ? 1 : 100; });
  }
  REQUIRE(run_until(f.io, [&answered] { return answered >= 2; }));
  CHECK(answered == 2);
  CHECK(f.server->connections_accepted() == 2);
  CHECK(client.idle_connections() == 2);
}

TEST_CASE("a response larger than the body limit is an error, not a truncated body") {
  ClientFixture f;
  drivers::HttpClientOptions options;
  options.base_url = f.config().base_url;
  options.headers = {{"X-Gate-Id", "gate-a"}};
  options.max_body_bytes = 16;
  auto made = drivers::HttpClient::create(f.io, options);
  REQUIRE(made);
  auto reply = await_reply<HttpReply>(f.io, [&](auto done) {
    made.value()->request(drivers::HttpMethod::get, "/v1/sessions/unknown/cart", {}, 5s, done);
  });
  REQUIRE(reply);
  CHECK(reply->status == 0);
  CHECK_THAT(reply->error, Contains("larger than 16 bytes"));
}

TEST_CASE("destroying the client with a request in flight drops its callback") {
  ClientFixture f;
  REQUIRE(f.server->set_fault({sim::TrackingFaultMode::slow, std::chrono::minutes(1)}));
  auto client = f.client(f.config());
  bool called = false;
  client->post_json("/v1/sessions", session_body(new_uuid_v4()), 30s, [&called](const HttpReply&) { called = true; });
  REQUIRE(run_until(f.io, [&] { return f.server->sessions().size() == 1; }));  // the request is at the server
  client.reset();
  f.io.restart();
  f.io.poll();
  CHECK_FALSE(called);
}

TEST_CASE("plain http is refused for a host that is not loopback") {
  boost::asio::io_context io;
  drivers::TrackingClientOptions config;
  config.gate_id = "gate-a";
  config.base_url = "http://10.20.30.40:8080";
  auto refused = drivers::TrackingClient::create(io, config);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "insecure_url");
  CHECK_THAT(refused.error().message, Contains("loopback") && Contains("https://"));

  for (const char* loopback : {"http://127.0.0.1:8080", "http://127.3.2.1:8080", "http://localhost:8080",
                               "http://[::1]:8080"}) {
    INFO(loopback);
    config.base_url = loopback;
    CHECK(drivers::TrackingClient::create(io, config));
  }
}

TEST_CASE("a malformed base URL is refused with what is wrong") {
  boost::asio::io_context io;
  drivers::TrackingClientOptions config;
  config.gate_id = "gate-a";
  config.base_url = "ftp://tracking.store.local";
  auto refused = drivers::TrackingClient::create(io, config);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "bad_url");
  CHECK_THAT(refused.error().message, Contains("ftp://tracking.store.local"));
}
