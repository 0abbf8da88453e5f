#include "controller/settlement/settlement.hpp"

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/time_format.hpp"
#include "controller/settlement/gateway_account_guard.hpp"
#include "controller/settlement/sealing_keys_in_use.hpp"
#include "controller/tracking/messages.hpp"

namespace passgate::controller {

namespace {

// The tracking engine refused the queued open request of a session admitted offline: the
// shopper is inside and will not be followed (no cart will come). Marked refused, so its
// hold is voided; loss prevention must know (passgatectl status).
void log_session_refused_by_tracking(const std::string& session_id) {
  spdlog::error("event=session_refused_by_tracking session={} next=void_hold "
                "detail=\"a shopper admitted offline is inside, and the tracking engine will not follow them; "
                "tell loss prevention\"",
                log_value(session_id));
}

}  // namespace

Settlement::Settlement(const SettlementSettings& settings, const SettlementStores& stores,
                       const crypto::PaymentSealer& sealer, PaymentGateway& gateway, TrackingPort& tracking,
                       TimerService& timers, Clock& clock)
    : stores_(stores),
      clock_(clock),
      drainer_(settings.drainer, stores.queue, stores.sessions, sealer, gateway, stores.status, timers, clock),
      planner_(stores.settlements, stores.queue, timers, clock, [this] { drainer_.kick(); }),
      carts_(settings.carts, tracking, stores.settlements, timers, clock, [this] { planner_.run(); }),
      hold_(settings.hold, stores.queue, drainer_, clock),
      sealer_(sealer) {
  // Every event that can make a session or an operation final asks for a planner run.
  drainer_.set_on_final([this](const db::PaymentOpRecord&) { planner_.request(); });
}

Settlement::Cards::Cards(db::Database& db, const SettlementStores& stores, const crypto::PaymentSealer& sealer,
                         Clock& clock, CardPlannerSettings settings)
    : attempts(db), store(db), planner(store, attempts, stores.settlements, stores.queue, sealer, clock, settings) {}

void Settlement::settle_card_sessions(db::Database& db, CardPlannerSettings settings) {
  if (cards_) return;
  cards_ = std::make_unique<Cards>(db, stores_, sealer_, clock_, settings);
  planner_.set_card_planner(&cards_->planner);
  drainer_.set_card_attempts(&cards_->attempts);
}

Status Settlement::start() {
  if (auto started = drainer_.start(); !started.ok()) return started;
  planner_.start();
  carts_.start();
  return {};
}

Result<int> Settlement::stop() { return drainer_.stop(); }

void Settlement::apply(const SettlementSettings& settings) {
  hold_.reconfigure(settings.hold);
  drainer_.reconfigure(settings.drainer);
  carts_.reconfigure(settings.carts);
}

void Settlement::session_may_be_final() { planner_.request(); }

void Settlement::queue_changed() {
  planner_.run();
  drainer_.kick();
}

Status Settlement::close_refused_open(std::int64_t message_id, const std::string& session_id) {
  auto refused = stores_.sessions.close_refused_open(message_id, session_id, cancel_target(session_id),
                                                     unix_millis(clock_.wall_now()));
  if (!refused.ok()) return Status(refused.error());
  if (*refused) log_session_refused_by_tracking(session_id);
  planner_.request();
  return {};
}

Status Settlement::check_sealing_keys(const crypto::PaymentSealer& sealer) {
  return controller::check_sealing_keys(stores_.sessions, sealer);
}

Status Settlement::check_gateway_account(const std::string& account) {
  return controller::check_gateway_account(stores_.status, stores_.queue, account);
}

Status Settlement::record_gateway_account(const std::string& account) {
  return controller::record_gateway_account(stores_.status, account, unix_millis(clock_.wall_now()));
}

}  // namespace passgate::controller
