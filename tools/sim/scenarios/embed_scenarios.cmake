# Run as a build step (cmake -P): writes OUTPUT, a C++ source defining
# passgate::sim::builtin_scenarios() (tools/sim/rig/builtin_scenarios.hpp) with the text of
# every SCENARIO_DIR/*.toml, so the .toml files stay the only copy of the built-in scenarios.
include(${CMAKE_CURRENT_LIST_DIR}/../../../cmake/EmbedBytes.cmake)
file(GLOB _files ${SCENARIO_DIR}/*.toml)
list(SORT _files)
set(_arrays "")
set(_entries "")
set(_n 0)
foreach(_file ${_files})
  get_filename_component(_name ${_file} NAME_WE)
  passgate_char_array(${_file} kText${_n} _array)
  string(APPEND _arrays "${_array}")
  string(APPEND _entries "    {\"${_name}\", {kText${_n}, sizeof kText${_n} - 1}},\n")
  math(EXPR _n "${_n} + 1")
endforeach()
file(WRITE ${OUTPUT}.tmp
"// Generated from ${SCENARIO_DIR}/*.toml by embed_scenarios.cmake. Do not edit.
#include \"tools/sim/rig/builtin_scenarios.hpp\"

namespace passgate::sim {
namespace {
${_arrays}
constexpr BuiltinScenario kScenarios[] = {
${_entries}};
}  // namespace

std::span<const BuiltinScenario> builtin_scenarios() { return kScenarios; }

}  // namespace passgate::sim
")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
