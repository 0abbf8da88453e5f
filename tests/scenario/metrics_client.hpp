// MetricsClient: GET on a scenario's passgated metrics listener (listen = "127.0.0.1:0"),
// found by the port it logged, on the harness's loop. Test code: failures are REQUIREs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <regex>
#include <string>

#include <catch2/catch.hpp>

#include "drivers/http_client.hpp"
#include "tests/scenario/gate_harness.hpp"
#include "tests/support/run_until.hpp"

namespace passgate::scenario {

// The port passgated logged for its metrics listener (listen = "127.0.0.1:0").
inline std::uint16_t metrics_port(GateHarness& gate) {
  std::smatch found;
  const std::string log = gate.gated().output();
  const std::regex listening("event=metrics_listening address=127\\.0\\.0\\.1 port=([0-9]+)");
  REQUIRE(std::regex_search(log, found, listening));
  return static_cast<std::uint16_t>(std::stoi(found[1].str()));
}

struct MetricsClient {
  explicit MetricsClient(GateHarness& gate) : gate_(gate) {
    drivers::HttpClientOptions options;
    options.base_url = "http://127.0.0.1:" + std::to_string(metrics_port(gate));
    auto created = drivers::HttpClient::create(gate.io(), std::move(options));
    REQUIRE(created.ok());
    client_ = std::move(*created);
  }
  HttpReply get(const std::string& target) {
    auto reply = test::await_reply<HttpReply>(gate_.io(), [&](std::function<void(HttpReply)> done) {
      client_->request(drivers::HttpMethod::get, target, {}, kReactLimit, std::move(done));
    });
    REQUIRE(reply.has_value());
    INFO(target << " answered " << reply->status << ": " << reply->body << reply->error);
    return *reply;
  }

 private:
  GateHarness& gate_;
  std::unique_ptr<drivers::HttpClient> client_;
};

}  // namespace passgate::scenario
