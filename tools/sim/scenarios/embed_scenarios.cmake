# Run as a build step (cmake -P): writes OUTPUT, a C++ source defining
# passgate::sim::builtin_scenarios() (tools/sim/rig/builtin_scenarios.hpp) with the text of
# every SCENARIO_DIR/*.toml, so the .toml files stay the only copy of the built-in scenarios.
file(GLOB _files ${SCENARIO_DIR}/*.toml)
list(SORT _files)
set(_arrays "")
set(_entries "")
set(_n 0)
foreach(_file ${_files})
  get_filename_component(_name ${_file} NAME_WE)
  file(READ ${_file} _hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," _chars "${_hex}")
  string(APPEND _arrays "constexpr char kText${_n}[] = {${_chars}'\\0'};\n")
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
