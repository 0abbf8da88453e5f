// [io] and [io.sim]: which I/O backend drives the lanes, the simulated rig's socket, and the
// scan repeat window (io.scan_repeat_window_ms).
// A section for the backend not in use is still checked, so switching is safe.
#include <array>

#include "controller/config/paths.hpp"
#include "controller/config/sections.hpp"

namespace passgate::controller {
namespace {

constexpr std::array<Choice<IoBackendKind>, 2> kBackends{{{"sim", IoBackendKind::sim}, {"gpiod", IoBackendKind::gpiod}}};

Presence required_if(bool condition) { return condition ? Presence::required : Presence::optional; }

}  // namespace

void read_io(TableReader& root, const std::vector<LaneConfig>& lanes, const std::filesystem::path& config_dir,
             IoConfig& io) {
  auto section = root.section("io", Presence::required, "an [io] table with backend = \"sim\" or \"gpiod\"");
  if (!section) return;
  const auto backend = section->choice<IoBackendKind>("backend", kBackends, Presence::required);
  if (backend) io.backend = *backend;

  const bool sim = backend == IoBackendKind::sim;
  if (auto rig = section->section("sim", required_if(sim), "an [io.sim] table with socket")) {
    if (auto socket = read_path(*rig, "socket", {required_if(sim), PathCheck::none}, config_dir)) {
      io.sim_socket = std::move(*socket);
    }
    if (auto debounce = rig->integer("debounce_ms", {0, 1000}, Presence::optional)) {
      io.sim_debounce = std::chrono::milliseconds(*debounce);
    }
    rig->report_unknown_keys();
  }

  const bool gpiod = backend == IoBackendKind::gpiod;
  if (auto lines = section->section("gpiod", required_if(gpiod), "an [io.gpiod] table with lines")) {
    read_gpiod(*lines, gpiod, lanes, io);
    lines->report_unknown_keys();
  }
  // The gpiod driver debounces each line with its own debounce_ms: the Gate must not add more.
  if (gpiod) io.sim_debounce = std::chrono::milliseconds(0);
  read_scanners(*section, gpiod, sim, lanes, io);
  if (auto window = section->integer("scan_repeat_window_ms", {0, 60000}, Presence::optional)) {
    io.scan_repeat_window = std::chrono::milliseconds(*window);
  }
  section->report_unknown_keys();
}

}  // namespace passgate::controller
