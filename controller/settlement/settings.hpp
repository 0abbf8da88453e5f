// The settings of settlement's parts (payment drainer, entry hold, final-carts feed), built
// from a GateConfig: one place for the daemon's start and for a config reload
// (controller/config/reload.hpp), so both give a part the same settings for the same file.
// Settlement (settlement.hpp) takes them all at once as SettlementSettings.
// (admission_settings() is the admission service's own, in controller/admission/service.hpp.)
#pragma once

#include "controller/config/config.hpp"
#include "controller/settlement/carts_feed.hpp"
#include "controller/settlement/drainer.hpp"
#include "controller/settlement/entry_hold.hpp"

namespace passgate::controller {

// Every live setting of settlement, by part.
struct SettlementSettings {
  DrainerSettings drainer;
  EntryHoldSettings hold;
  CartsFeedSettings carts;
};

[[nodiscard]] DrainerSettings drainer_settings(const GateConfig& config);
[[nodiscard]] EntryHoldSettings entry_hold_settings(const GateConfig& config);
[[nodiscard]] CartsFeedSettings carts_feed_settings(const GateConfig& config);
// The three above.
[[nodiscard]] SettlementSettings settlement_settings(const GateConfig& config);

}  // namespace passgate::controller
