#include "controller/live_components.hpp"

#include <spdlog/spdlog.h>

#include "controller/settlement/settings.hpp"

namespace passgate::controller {

void apply_live_settings(const LiveComponents& to, const GateConfig& config) {
  spdlog::default_logger()->set_level(spdlog::level::from_str(config.logging.level));
  if (to.admission != nullptr) to.admission->reconfigure(admission_settings(config));
  if (to.settlement != nullptr) to.settlement->apply(settlement_settings(config));
  if (to.sender != nullptr) to.sender->set_request_timeout(config.tracking.request_timeout);
  if (to.gate != nullptr) to.gate->reconfigure(config);
  if (to.retention != nullptr) to.retention->reconfigure(config.retention);
}

}  // namespace passgate::controller
