// load_scenario(): finds a scenario's text (a built-in one or a file) and parses it.
#include <cerrno>
#include <fstream>
#include <sstream>

#include "common/posix.hpp"
#include "tools/sim/rig/builtin_scenarios.hpp"
#include "tools/sim/rig/scenario.hpp"

namespace passgate::sim {
namespace {

constexpr std::string_view kBuiltinPrefix = "builtin:";

Result<Scenario> load_builtin(const std::string& spec) {
  const std::string_view name = std::string_view(spec).substr(kBuiltinPrefix.size());
  std::string known;
  for (const auto& builtin : builtin_scenarios()) {
    if (builtin.name == name) return parse_scenario(builtin.text, spec);
    known += (known.empty() ? "" : ", ") + ("builtin:" + std::string(builtin.name));
  }
  return make_error("not_found", "unknown built-in scenario \"" + spec + "\"; built-in scenarios: " + known);
}

}  // namespace

Result<Scenario> load_scenario(const std::string& spec) {
  if (spec.starts_with(kBuiltinPrefix)) return load_builtin(spec);
  std::ifstream in(spec, std::ios::binary);
  if (!in) return os_error("cannot read scenario file " + spec, errno);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return os_error("cannot read scenario file " + spec, errno);
  return parse_scenario(text.str(), spec);
}

}  // namespace passgate::sim
