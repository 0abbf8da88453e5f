// run_rig(): one run of `passgate-sim rig`: loads the scenario and the issuer key, connects
// to the gate's rig socket, plays the scenario on one io_context in this thread, prints the
// events and the summary to `out` (problems to `err`) and optionally writes the summary as
// JSON. Returns the process exit code: 0 only if the scenario completed, every expectation
// was met and the connection stayed up; 1 otherwise.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "tools/sim/rig/scenario.hpp"

namespace passgate::sim {

struct RigOptions {
  std::filesystem::path socket;
  std::filesystem::path issuer_key;
  std::string kid;
  std::string issuer;
  std::string audience;
  std::string scenario;  // a file, or "builtin:<name>"
  double time_scale = 1.0;
  std::uint64_t seed = 1;
  std::optional<std::uint16_t> tracking_control_port;
  std::optional<std::uint16_t> gateway_control_port;
  std::filesystem::path summary_json;  // empty: none
  ScanSuffix scanner_suffix = ScanSuffix::none;
};

[[nodiscard]] int run_rig(const RigOptions& options, std::ostream& out, std::ostream& err);

}  // namespace passgate::sim
