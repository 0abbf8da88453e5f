// DaemonReload: passgated's side of a config reload (controller/config/reload.hpp). It reads
// the key files a new config names (issuer key set, gateway API key, payment sealing keys)
// and has settlement check them (the sealing keys still in use, the gateway account) before
// anything changes, then hands every live setting to the component that holds it
// (controller/live_components.hpp): log level, admission (token policy, offline policy, entry
// time-out, anti-passback), card entry (the fingerprint hashes of new sealing keys), settlement (the entry hold's amount, currency, time-out and
// offline risk limits; the payment drainer's bounds; the carts feed's poll), the outbox
// sender (time-out), the gate (lane settings, scan filter) and retention (its ages).
// Single-threaded, on the event loop.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "controller/admission/key_ring.hpp"
#include "controller/admission/service.hpp"
#include "controller/card_entry/card_lanes.hpp"
#include "controller/config/reload.hpp"
#include "controller/lanes/gate.hpp"
#include "controller/settlement/settlement.hpp"
#include "controller/storage/retention_sweeper.hpp"
#include "controller/tracking/outbox_sender.hpp"
#include "crypto/payment_sealer.hpp"
#include "drivers/gateway_client.hpp"
#include "passgated/gate_files.hpp"

namespace passgate::daemon {

// The running components a reload reconfigures.
struct ReloadTargets {
  controller::KeyRing& keys;
  crypto::PaymentSealer& sealer;
  drivers::GatewayClient& gateway;
  controller::AdmissionService& admission;
  controller::Settlement& settlement;  // also checks the new keys against what is still owed
  controller::OutboxSender& sender;
  controller::Gate& gate;
  controller::RetentionSweeper& retention;
  controller::CardLanes& cards;  // card fingerprints hashed under the new sealing keys
};

class DaemonReload final : public controller::LiveSettings {
 public:
  explicit DaemonReload(ReloadTargets targets) : targets_(targets) {}

  [[nodiscard]] Status stage_key_files(const controller::GateConfig& config) override;
  std::vector<std::string> apply(const controller::GateConfig& config) override;

 private:
  ReloadTargets targets_;
  std::optional<drivers::GateKeyFiles> staged_;
};

}  // namespace passgate::daemon
