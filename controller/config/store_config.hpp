// [store]: the store-wide coordination with the store's other gate arrays over its etcd
// cluster (docs/store-coordination.md). Absent: the gate runs alone, no etcd anywhere.
// The keys are namespaced by the gate's top-level store_id; holders name its gate_id.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace passgate::controller {

// What a lane does when etcd does not answer within coordination_timeout: admit on this
// gate's own checks (claimed store-wide later, a double use found then reported), or deny.
enum class StoreFallback { local, deny };

// The most the wall clocks of a store's gate arrays may differ (docs/store-coordination.md).
inline constexpr std::chrono::seconds kArrayClockDifference{60};

struct StoreConfig {
  bool enabled = false;                    // the [store] section is present
  std::vector<std::string> endpoints;      // https://host:port of each etcd member
  std::filesystem::path ca_file;           // the store CA the members' certificates chain to
  std::filesystem::path cert_file;         // this box's client certificate (the store CA's)
  std::filesystem::path key_file;
  std::chrono::milliseconds coordination_timeout{300};
  StoreFallback fallback = StoreFallback::local;
  // A token's claim outlives its exp by this: at least [tokens] clock_skew_s (how long after
  // exp an array still accepts it) + kArrayClockDifference (how far the arrays' clocks may differ).
  std::chrono::seconds lease_skew{120};
  std::chrono::seconds session_backstop{std::chrono::hours(12)};  // an open session's key ends by then
  bool operator==(const StoreConfig&) const = default;
};

}  // namespace passgate::controller
