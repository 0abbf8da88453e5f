// The running components a config reload hands its live settings to, and the one function
// that does it (log level, admission, entry hold, payment drainer, outbox sender, carts feed,
// gate and lanes). DaemonReload::apply calls it; the tests that prove each live setting in
// force by its behaviour (tests/*/reload_in_force_test.cpp) call it the same way, so they
// reconfigure a component exactly as a reload of the daemon does.
#pragma once

#include "controller/admission/service.hpp"
#include "controller/settlement/carts_feed.hpp"
#include "controller/config/config.hpp"
#include "controller/settlement/entry_hold.hpp"
#include "controller/lanes/gate.hpp"
#include "controller/tracking/outbox_sender.hpp"
#include "controller/settlement/drainer.hpp"

namespace passgate::controller {

// The daemon sets every one; a test leaves null those it does not run.
struct LiveComponents {
  AdmissionService* admission = nullptr;
  EntryHold* hold = nullptr;
  PaymentDrainer* drainer = nullptr;
  OutboxSender* sender = nullptr;
  CartsFeed* carts = nullptr;
  Gate* gate = nullptr;
};

// Puts every live setting of `config` (other than the key files) in force: the default
// logger's level, then each component's settings from component_settings.hpp.
void apply_live_settings(const LiveComponents& components, const GateConfig& config);

}  // namespace passgate::controller
