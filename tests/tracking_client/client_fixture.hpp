// For the tracking client tests: a tracking simulator on loopback and the io_context both
// run on, a TrackingConfig pointing at it, session bodies as the gate builds them, and
// request-and-wait helpers.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/ids.hpp"
#include "common/time_format.hpp"
#include "controller/config/config.hpp"
#include "controller/tracking/messages.hpp"
#include "drivers/tracking_client.hpp"
#include "tests/support/run_until.hpp"
#include "tools/sim/tracking/server.hpp"

namespace passgate::test {

using passgate::HttpReply;
using namespace std::chrono_literals;

inline const controller::GateIdentity kGate{"store-0042", "gate-a"};

// A POST /v1/sessions body for a new session, as the gate builds it.
inline std::string session_body(const std::string& session_id, const std::string& shopper = "shp_8f2c") {
  return controller::session_open_body(
      kGate, {session_id, 1, shopper, "Qk9fQ2xZb3pQd3F3", 2, format_rfc3339_ms(std::chrono::system_clock::now())});
}

class ClientFixture {
 public:
  explicit ClientFixture(sim::TrackingServerOptions options = {}) {
    auto made = sim::TrackingServer::create(io, std::move(options));
    if (!made) FAIL(made.error().message);
    server = std::move(made.value());
  }

  // The simulator's API as base URL: http://127.0.0.1:P, or https://<host>:P.
  [[nodiscard]] drivers::TrackingClientOptions config(const std::string& scheme = "http",
                                                       const std::string& host = "127.0.0.1") const {
    drivers::TrackingClientOptions c;
    c.base_url = scheme + "://" + host + ":" + std::to_string(server->port());
    c.gate_id = kGate.gate_id;
    return c;
  }

  [[nodiscard]] std::unique_ptr<drivers::TrackingClient> client(const drivers::TrackingClientOptions& c) {
    auto made = drivers::TrackingClient::create(io, c);
    if (!made) FAIL(made.error().message);
    return std::move(made.value());
  }

  HttpReply post(passgate::TrackingPort& port, const std::string& target, const std::string& body,
                 std::chrono::milliseconds timeout = 5s) {
    auto reply = await_reply<HttpReply>(io, [&](auto done) { port.post_json(target, body, timeout, done); });
    REQUIRE(reply);
    return *reply;
  }

  HttpReply get(passgate::TrackingPort& port, const std::string& target, std::chrono::milliseconds timeout = 5s) {
    auto reply = await_reply<HttpReply>(io, [&](auto done) { port.get(target, timeout, done); });
    REQUIRE(reply);
    return *reply;
  }

  // Opens a new session through `port`: 201 expected.
  HttpReply open_session(passgate::TrackingPort& port) {
    return post(port, controller::kSessionsTarget, session_body(new_uuid_v4()));
  }

  boost::asio::io_context io;  // first member: destroyed last
  std::unique_ptr<sim::TrackingServer> server;
};

}  // namespace passgate::test
