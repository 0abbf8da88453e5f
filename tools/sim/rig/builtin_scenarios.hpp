// The scenarios compiled into passgate-sim, played with `--scenario builtin:<name>`. Their
// text is generated at build time from tools/sim/scenarios/<name>.toml (see
// tools/sim/scenarios/embed_scenarios.cmake), so each file stays the only copy.
#pragma once

#include <span>
#include <string_view>

namespace passgate::sim {

struct BuiltinScenario {
  std::string_view name;  // the file name without ".toml"
  std::string_view text;
};

// Defined in the generated rig_builtin_scenarios.cpp, sorted by name.
[[nodiscard]] std::span<const BuiltinScenario> builtin_scenarios();

}  // namespace passgate::sim
