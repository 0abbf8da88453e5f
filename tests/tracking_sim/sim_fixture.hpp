// For the tracking simulator tests: a TrackingServer on loopback, HttpClients for its API
// (with a chosen X-Gate-Id, or none) and its control port, and the gate's own request
// bodies (controller/tracking/messages.hpp) so the simulator is tested against what the
// gate really sends.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "common/ids.hpp"
#include "controller/tracking/messages.hpp"
#include "drivers/http_client.hpp"
#include "tests/support/run_until.hpp"
#include "tools/sim/tracking/server.hpp"

namespace passgate::test {

using passgate::HttpReply;
using drivers::HttpMethod;
using nlohmann::json;
using namespace std::chrono_literals;

inline const controller::GateIdentity kGateA{"store-0042", "gate-a"};
inline const controller::GateIdentity kGateB{"store-0042", "gate-b"};
inline constexpr const char* kAdmittedAt = "2026-11-21T18:04:05.123Z";

inline std::string session_body(const std::string& session_id, const std::string& shopper = "shp_8f2c",
                                int group_size = 2, const controller::GateIdentity& gate = kGateA) {
  return controller::session_open_body(gate, {session_id, 1, shopper, "Qk9fQ2xZb3pQd3F3", group_size, kAdmittedAt});
}

inline std::string passage_body(const std::string& passage_id, const std::optional<std::string>& session_id,
                                controller::PassageKind kind = controller::PassageKind::admitted) {
  return controller::passage_body(kGateA, passage_id, 1, controller::Direction::in, kind, session_id,
                                  "2026-11-21T18:04:06.480Z");
}

class SimFixture {
 public:
  explicit SimFixture(sim::TrackingServerOptions options = {}) {
    auto made = sim::TrackingServer::create(io, std::move(options));
    if (!made) FAIL(made.error().message);
    server = std::move(made.value());
  }

  // A request to the API with `X-Gate-Id: gate` (none when empty).
  HttpReply api(HttpMethod method, const std::string& target, const std::string& body = {},
                const std::string& gate = "gate-a") {
    return call(client(std::to_string(server->port()), gate), method, target, body);
  }
  HttpReply post(const std::string& target, const std::string& body) { return api(HttpMethod::post, target, body); }
  HttpReply get(const std::string& target) { return api(HttpMethod::get, target); }
  HttpReply control(HttpMethod method, const std::string& target, const std::string& body = {}) {
    return call(client(std::to_string(server->control_port()), {}), method, target, body);
  }
  json state() {
    const HttpReply reply = control(HttpMethod::get, "/control/state");
    REQUIRE(reply.status == 200);
    return json::parse(reply.body);
  }
  // Opens a new session for `shopper` and returns its id.
  std::string open_session(const std::string& shopper = "shp_8f2c") {
    const std::string id = new_uuid_v4();
    REQUIRE(post("/v1/sessions", session_body(id, shopper)).status == 201);
    return id;
  }

  boost::asio::io_context io;  // first member: destroyed last
  std::unique_ptr<sim::TrackingServer> server;

 private:
  drivers::HttpClient& client(const std::string& port, const std::string& gate) {
    auto& slot = clients_[port + "/" + gate];
    if (!slot) {
      drivers::HttpClientOptions options;
      options.base_url = "http://127.0.0.1:" + port;
      if (!gate.empty()) options.headers = {{"X-Gate-Id", gate}};
      auto made = drivers::HttpClient::create(io, options);
      REQUIRE(made);
      slot = std::move(made.value());
    }
    return *slot;
  }

  HttpReply call(drivers::HttpClient& client, HttpMethod method, const std::string& target, const std::string& body) {
    auto reply = await_reply<HttpReply>(io, [&](auto done) { client.request(method, target, body, 5s, done); });
    REQUIRE(reply);
    return *reply;
  }

  std::map<std::string, std::unique_ptr<drivers::HttpClient>> clients_;
};

}  // namespace passgate::test
