// The simulators' port file: once a simulator listens (possibly on ports chosen by the
// system), it writes {"port":P,"control_port":C} for the script or test that started it.
// Used by `passgate-sim tracking --port-file` and `passgate-sim gateway --port-file`.
#pragma once

#include <cstdint>
#include <filesystem>

#include "common/result.hpp"

namespace passgate::sim {

// Written whole or not at all (a rename), so a script polling for the file never reads
// half of it. Error code "io_error".
[[nodiscard]] Status write_port_file(const std::filesystem::path& file, std::uint16_t port,
                                     std::uint16_t control_port);

}  // namespace passgate::sim
