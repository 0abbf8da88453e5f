// Log set-up for passgated: level and destination from the config's [logging] section.
// Lines go to standard error (journald under systemd) or to the configured file.
#pragma once

#include "common/result.hpp"
#include "controller/config.hpp"

namespace passgate::daemon {

[[nodiscard]] Status setup_logging(const controller::LoggingConfig& config);

}  // namespace passgate::daemon
