// DaemonReload: passgated's side of a config reload (controller/config/reload.hpp). It reads
// the key files a new config names (issuer key set, gateway API key, payment sealing keys)
// before anything changes, then hands every live setting to the component that holds it:
// log level, admission (token policy, offline policy, entry time-out, anti-passback), the
// entry hold (amount, currency, time-out, offline risk limits), the payment drainer, the
// outbox sender and carts feed (time-outs, poll interval), and the gate (lane settings, scan
// filter). Single-threaded, on the event loop.
#pragma once

#include "common/clock.hpp"
#include "db/gate_status.hpp"
#include "db/payment_queue.hpp"
#include "db/session_store.hpp"

#include <optional>
#include <string>
#include <vector>

#include "controller/admission/service.hpp"
#include "controller/settlement/carts_feed.hpp"
#include "controller/config/reload.hpp"
#include "controller/settlement/entry_hold.hpp"
#include "controller/lanes/gate.hpp"
#include "controller/admission/key_ring.hpp"
#include "controller/tracking/outbox_sender.hpp"
#include "controller/settlement/drainer.hpp"
#include "crypto/payment_sealer.hpp"
#include "passgated/gate_files.hpp"
#include "drivers/gateway_client.hpp"

namespace passgate::daemon {

// The running components a reload reconfigures.
struct ReloadTargets {
  controller::KeyRing& keys;
  crypto::PaymentSealer& sealer;
  drivers::GatewayClient& gateway;
  controller::AdmissionService& admission;
  controller::EntryHold& hold;
  controller::PaymentDrainer& drainer;
  controller::OutboxSender& sender;
  controller::CartsFeed& carts;
  controller::Gate& gate;
  db::SessionStore& sessions;  // whose sealed payment references the new keys must open
  db::PaymentQueue& queue;     // whose operations begun at the gateway keep it to its account
  db::GateStatus& status;      // where that account is recorded
  Clock& clock;
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
