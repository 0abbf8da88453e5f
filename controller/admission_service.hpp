// AdmissionService: the entry path from a scanned token to a committed session.
//   1. verify the token offline (crypto/), checks 1-7 of spec/qr-token.md;
//   2. commit the session and its token id in one transaction (a used jti → replayed);
//   3. POST /v1/sessions within the entry timeout: created → admit; 403 → shopper_blocked;
//      unreachable → the offline policy (deny, or admit within the hourly cap with the
//      open request queued in the outbox).
// Any database failure denies with lane_unavailable. Answers always arrive later on the
// loop, never inside request().
#pragma once

#include "common/clock.hpp"
#include "controller/config.hpp"
#include "controller/key_ring.hpp"
#include "controller/lane_ports.hpp"
#include "controller/outbox_sender.hpp"
#include "controller/tracking_messages.hpp"
#include "controller/tracking_port.hpp"
#include "crypto/entry_token.hpp"
#include "db/session_store.hpp"

namespace passgate::controller {

struct AdmissionSettings {
  GateIdentity gate;
  crypto::VerifyPolicy policy;
  OfflineConfig offline;
  Millis entry_timeout{800};
};

[[nodiscard]] AdmissionSettings admission_settings(const GateConfig& config);

class AdmissionService final : public AdmissionPort {
 public:
  AdmissionService(AdmissionSettings settings, const KeyRing& keys, db::SessionStore& sessions,
                   TrackingPort& tracking, OutboxSender& outbox, TimerService& timers, Clock& clock);

  void request(int lane, int group_limit, std::string token, Done done) override;

 private:
  struct Pending;
  void on_open_reply(const std::shared_ptr<Pending>& p, const HttpReply& reply);
  void apply_offline_policy(const std::shared_ptr<Pending>& p);
  void deny(const std::shared_ptr<Pending>& p, DenialReason reason, const std::string& why, bool release_token);
  void finish(Done done, AdmissionResult result);

  AdmissionSettings settings_;
  const KeyRing& keys_;
  db::SessionStore& sessions_;
  TrackingPort& tracking_;
  OutboxSender& outbox_;
  TimerService& timers_;
  Clock& clock_;
};

}  // namespace passgate::controller
