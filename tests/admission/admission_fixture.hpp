// A complete entry path in virtual time for tests: a real SQLite database, a real issuer
// key set and verifier, the outbox sender, and a FakeTracking engine the test answers;
// settlement (its entry hold and payment drainer on a FakeGateway) as the daemon builds it.
#pragma once

#include <optional>

#include "controller/admission/key_ring.hpp"
#include "controller/admission/write_later.hpp"
#include "controller/admission/service.hpp"
#include "controller/config/config.hpp"
#include "controller/live_components.hpp"
#include "controller/settlement/settlement.hpp"
#include "controller/tracking/outbox_sender.hpp"
#include "db/database.hpp"
#include "db/gate_status.hpp"
#include "db/outbox.hpp"
#include "db/payment_queue.hpp"
#include "db/session_store.hpp"
#include "db/settlement_store.hpp"
#include "tests/admission/fake_tracking.hpp"
#include "tests/support/fake_gateway.hpp"
#include "tests/support/temp_dir.hpp"
#include "tools/sim/token/minter.hpp"

namespace passgate::test {

inline constexpr const char* kIssuer = "https://app.example-retail.com";
inline constexpr const char* kStore = "store-0042";

struct AdmissionFixture {
  explicit AdmissionFixture(controller::OfflinePolicy policy = controller::OfflinePolicy::deny, int offline_cap = 2);
  // Places a hold of `amount_minor` USD at entry through `gateway` from now on.
  void require_hold(std::int64_t amount_minor, controller::OfflineRiskLimits limits = {});
  // A config the fixture's tokens pass (its store, gate and issuer), every other setting the
  // default: for starting the components as the daemon does.
  [[nodiscard]] static controller::GateConfig gate_config();
  // Rebuilds the components as the daemon starts them from `config` (admission, settlement
  // and outbox sender settings; controller/settlement/settings.hpp); settlement is not
  // started.
  void start_as_daemon(const controller::GateConfig& config);
  // The running components, for controller::apply_live_settings (a config reload).
  [[nodiscard]] controller::LiveComponents live_components();

  // Mints a token for "now" with the fixture's issuer key.
  std::string token(sim::TokenFlaw flaw = sim::TokenFlaw::none, std::optional<int> group = std::nullopt,
                    std::string token_id = {});
  // A flawless token of `shopper` (token() is for "shp_test").
  std::string token_of(const std::string& shopper);
  // Runs one admission request to its end (the tracking engine answering `status`, or not
  // asked at all) and returns the result.
  controller::AdmissionResult admit(const std::string& token, std::optional<int> engine_status, int group_limit = 4);
  // Simulates a restart of the daemon: the database is closed and opened again.
  void restart();
  // What passgated hands writes the database refused to: the admission service's write_later.
  [[nodiscard]] controller::WriteLater write_later();
  // Closes the sessions left opening, as passgated does at start (recover_interrupted_sessions).
  void recover_interrupted();
  // The outbox sender has exactly one request open, with `body`; the engine takes it (202).
  void deliver(const std::string& body);
  [[nodiscard]] std::int64_t outbox_size();

  VirtualTime vt;
  TempDir dir;
  std::unique_ptr<db::Database> database;
  std::unique_ptr<db::SessionStore> sessions;
  std::unique_ptr<db::Outbox> outbox;
  sim::IssuerKey issuer;
  controller::KeyRing keys{dir / "issuer.jwks.json"};
  FakeTracking tracking{vt};
  controller::AdmissionSettings settings;
  std::unique_ptr<controller::OutboxSender> sender;
  crypto::PaymentSealer sealer;
  FakeGateway gateway{vt};
  std::unique_ptr<db::PaymentQueue> queue;
  std::unique_ptr<db::SettlementStore> settlements;
  std::unique_ptr<db::GateStatus> status;
  // No hold unless require_hold() or start_as_daemon() sets one (amount 0: none required).
  controller::SettlementSettings settlement_settings{};
  std::chrono::milliseconds sender_timeout{5000};
  // The engine settlement's carts feed polls once started: apart from `tracking`, so a test
  // sees only the entry path's requests there. Never answered.
  FakeTracking carts_engine{vt};
  // Its entry hold and payment drainer; start() it to drain (and plan, and poll carts).
  std::unique_ptr<controller::Settlement> settlement;
  std::unique_ptr<controller::AdmissionService> admission;

 private:
  void wire();
};

}  // namespace passgate::test
