// The store scenarios' gate arrays: GateOptions for a passgated array of one store whose
// [store] section names a real etcd cluster (tests/coordination/etcd_cluster.hpp), directly
// or through a proxy in front of its members, and what its passgatectl status says of the
// store. Test code: failures are Catch2 REQUIREs.
#pragma once

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "drivers/etcd_client.hpp"
#include "tests/scenario/gate_harness.hpp"

namespace passgate::scenario {

struct StoreArray {
  std::string gate;                     // its gate_id
  std::filesystem::path keyset{};       // the JWK Set it trusts (empty: its own)
  std::vector<std::string> endpoints;   // empty: the members' own (from `etcd`)
  int coordination_timeout_ms = 2000;
  std::string fallback = "deny";
};

// The options of array `array`, with the client certificate `etcd` names (EtcdCluster::client_options).
inline GateOptions store_array_options(const drivers::EtcdClientOptions& etcd, const StoreArray& array) {
  std::string endpoints;
  for (const auto& e : array.endpoints.empty() ? etcd.endpoints : array.endpoints) {
    endpoints += (endpoints.empty() ? "\"" : ", \"") + e + "\"";
  }
  GateOptions options;
  options.gate_id = array.gate;
  options.keyset = array.keyset;
  options.store_section = "endpoints = [" + endpoints + "]\n" + "ca_file = \"" + etcd.tls.ca_bundle.string() +
                          "\"\ncert_file = \"" + etcd.tls.client_cert.string() + "\"\nkey_file = \"" +
                          etcd.tls.client_key.string() + "\"\ncoordination_timeout_ms = " +
                          std::to_string(array.coordination_timeout_ms) + "\nfallback = \"" + array.fallback + "\"\n";
  return options;
}

// `passgatectl status --json`'s "store" object.
inline nlohmann::json store_status(GateHarness& gate) {
  const auto status = gate.ctl({"status", "--json"});
  REQUIRE(status.status == 0);
  return nlohmann::json::parse(status.output).at("store");
}

// `passgatectl status --json`'s "attention" lines, joined.
inline std::string attention_text(GateHarness& gate) {
  const auto status = gate.ctl({"status", "--json"});
  REQUIRE(status.status == 0);
  return nlohmann::json::parse(status.output).at("attention").dump();
}

// Waits until the array's status shows the store's occupancy as `entered` in and `exited`
// out over `arrays` arrays (the occupancy rounds run every 10 s).
inline bool occupancy_is(GateHarness& gate, std::int64_t entered, std::int64_t exited, std::int64_t arrays = 2) {
  return gate.poll_until(
      [&] {
        const auto occupancy = store_status(gate).at("occupancy");
        return !occupancy.is_null() && occupancy.at("entered") == entered && occupancy.at("exited") == exited &&
               occupancy.at("arrays") == arrays;
      },
      std::chrono::seconds(40));
}

}  // namespace passgate::scenario
