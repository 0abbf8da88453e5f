// summarize_config: one paragraph saying what a valid config sets up (store, gate, lanes,
// I/O backend, tracking engine, offline policy), for `passgatectl check-config` and the
// daemon's startup log. Holds no secrets.
#pragma once

#include <string>

#include "controller/config/config.hpp"

namespace passgate::controller {

[[nodiscard]] std::string summarize_config(const GateConfig& config);

}  // namespace passgate::controller
