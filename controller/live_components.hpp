// The running components a config reload hands its live settings to, and the one function
// that does it (log level, admission, settlement: entry hold, payment drainer and carts feed,
// outbox sender, gate and lanes, retention). DaemonReload::apply calls it; the tests that
// prove each live setting in force by its behaviour (tests/*/reload_in_force_test.cpp and
// tests/storage) call it the same way, so they reconfigure a component exactly as a reload
// of the daemon does.
#pragma once

#include "controller/admission/service.hpp"
#include "controller/config/config.hpp"
#include "controller/lanes/gate.hpp"
#include "controller/settlement/settlement.hpp"
#include "controller/storage/retention_sweeper.hpp"
#include "controller/tracking/outbox_sender.hpp"

namespace passgate::controller {

// The daemon sets every one; a test leaves null those it does not run.
struct LiveComponents {
  AdmissionService* admission = nullptr;
  Settlement* settlement = nullptr;
  OutboxSender* sender = nullptr;
  Gate* gate = nullptr;
  RetentionSweeper* retention = nullptr;
};

// Puts every live setting of `config` (other than the key files) in force: the default
// logger's level, then each component's settings (admission_settings(),
// settlement_settings() in controller/settlement/settings.hpp, ...).
void apply_live_settings(const LiveComponents& components, const GateConfig& config);

}  // namespace passgate::controller
