// The settings each payment and tracking component takes, built from a GateConfig: one place
// for the daemon's start and for a config reload (controller/config/reload.hpp), so both
// give a component the same settings for the same file. (admission_settings() is the
// admission service's own, in admission_service.hpp.)
#pragma once

#include "controller/settlement/carts_feed.hpp"
#include "controller/config/config.hpp"
#include "controller/settlement/entry_hold.hpp"
#include "controller/settlement/drainer.hpp"

namespace passgate::controller {

[[nodiscard]] DrainerSettings drainer_settings(const GateConfig& config);
[[nodiscard]] EntryHoldSettings entry_hold_settings(const GateConfig& config);
[[nodiscard]] CartsFeedSettings carts_feed_settings(const GateConfig& config);

}  // namespace passgate::controller
