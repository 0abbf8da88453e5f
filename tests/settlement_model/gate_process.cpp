// GateProcess (gate_process.hpp): the wiring of one gate run and its entry lane's money steps.
#include "tests/settlement_model/gate_process.hpp"

#include <stdexcept>
#include <utility>

#include <SQLiteCpp/SQLiteCpp.h>

#include "common/time_format.hpp"
#include "controller/store/store_link.hpp"
#include "controller/tracking/messages.hpp"
#include "tests/db/card_attempt_support.hpp"
#include "tests/db/db_test_support.hpp"

namespace passgate::model {

namespace {

constexpr const char* kModelCustomer = "cus_model";
constexpr const char* kModelAccount = "acct_model";  // the account of kModelApiKey

// A call of the gate's own code that must work in this harness; a failure ends the day.
template <class R>
void must_work(const R& result, const std::string& what) {
  if (!result.ok()) throw std::runtime_error(what + ": " + result.error().code + ": " + result.error().message);
}

// The database on `file`. Without fsync (synchronous=OFF): a kill -9 keeps every committed
// transaction all the same (only a power cut would not), and the day runs much faster.
std::unique_ptr<db::Database> open_database(const std::filesystem::path& file) {
  auto opened = db::Database::open(file);
  if (!opened.ok()) throw std::runtime_error("cannot open the gate's database: " + opened.error().message);
  opened.value()->sql().exec("PRAGMA synchronous = OFF");
  return std::move(opened).value();
}

controller::DrainerSettings model_drainer_settings() {
  controller::DrainerSettings settings;
  settings.gate_id = kModelGateId;
  settings.max_in_flight = 4;
  // Paced, so that generated days also prove the pace delays sends and never loses or repeats one.
  settings.max_requests_per_second = 200;
  // A flat 1 ms backoff: RetryBackoff's jitter is 0 to half of a 1 ms base, i.e. none, so a
  // day replays exactly (faults are finite, so retries end).
  settings.retry = controller::RetryPolicy{Millis{1}, Millis{1}};
  settings.request_timeout = Millis{10000};
  settings.idle_poll = Millis{1000};
  settings.search_after = std::chrono::hours{23};
  return settings;
}

controller::EntryHoldSettings model_hold_settings(std::int64_t hold_minor) {
  controller::EntryHoldSettings settings;
  settings.amount_minor = hold_minor;
  settings.currency = "USD";
  settings.timeout = Millis{1500};
  settings.limits.max_session_minor = 100'000;
  settings.limits.max_outstanding_minor = 1'000'000;
  settings.limits.max_outstanding_operations = 500;
  return settings;
}

controller::CartsFeedSettings model_feed_settings() {
  return controller::CartsFeedSettings{{"store-model", kModelGateId}, Millis{2000}, 4, Millis{5000},
                                       controller::CartLimits{"USD", kMaxCartMinor}};
}

// The settings a reload applies: the drainer's pace, concurrency and time-out varied.
controller::SettlementSettings reload_settings(int pick) {
  controller::DrainerSettings drainer = model_drainer_settings();
  switch (pick % 3) {
    case 1:
      drainer.max_in_flight = 1;
      drainer.max_requests_per_second = 20;
      break;
    case 2:
      drainer.max_in_flight = 8;
      drainer.request_timeout = Millis{3000};
      break;
    default: break;
  }
  return controller::SettlementSettings{drainer, model_hold_settings(0), model_feed_settings()};
}

coordination::CoordinationSettings model_coordination(std::string instance_id) {
  coordination::CoordinationSettings settings;
  settings.store_id = kModelStoreId;
  settings.gate_id = kModelGateId;
  settings.instance_id = std::move(instance_id);
  return settings;
}

}  // namespace

GateProcess::GateProcess(const std::filesystem::path& db_file, WallTime wall, GatewaySide& gateway_side,
                         const ShopModel& shop, const crypto::PaymentSealer& sealer, const StoreWorld* store_world)
    : database(open_database(db_file)),
      sessions(*database),
      queue(*database),
      store(*database),
      status(*database),
      attempts(*database),
      blocklist(*database),
      gateway(gateway_side, vt),
      engine(shop, vt),
      settlement(controller::SettlementSettings{model_drainer_settings(), model_hold_settings(0), model_feed_settings()},
                 controller::SettlementStores{sessions, queue, store, status}, sealer, gateway, engine, vt, vt),
      owed(*database),
      sealer_(sealer) {
  vt.set_wall(wall);
  settlement.settle_card_sessions(*database);
  if (!store_world) return;
  store_kv = std::make_unique<test::FakeStoreKv>(vt);
  store_world->load_into(*store_kv);
  auto instance = owed.instance_id();
  must_work(instance, "read the database's instance id");
  coordinator = std::make_unique<coordination::StoreCoordinator>(
      *store_kv, vt, vt, model_coordination(std::move(instance).value()),
      [this](const std::string& session_id) { return controller::session_fate_here(owed, session_id); });
  reconciler = std::make_unique<controller::StoreReconciler>(*coordinator, owed, vt, vt);
}

void GateProcess::start() {
  // Before the sessions left opening are closed: their shoppers' releases are owed then.
  must_work(owed.set_coordinated(reconciler != nullptr, now_ms()), "record whether the gate coordinates");
  auto opening = sessions.in_state(db::SessionState::opening);
  must_work(opening, "list the sessions left opening");
  for (const db::SessionRecord& left : *opening) {
    const db::OutboxMessage open = controller::open_message(left.session_id, left.open_request);
    const db::OutboxMessage cancel = controller::cancel_message(left.session_id);
    must_work(sessions.abandon_opening(left.session_id, open, cancel, now_ms()), "abandon session " + left.session_id);
  }
  must_work(settlement.start(), "start settlement");
  if (reconciler) reconciler->start();
}

void GateProcess::on_event() { settlement.queue_changed(); }

void GateProcess::admit(const ModelSession& session, std::function<void(Fate)> decided) {
  db::SessionRecord record = session.unverified
                                 ? db::test::session(session.id, "jti-" + session.id, now_ms(), session.token_end_s)
                                 : db::test::session(session.id, "jti-" + session.id, now_ms());
  const char* method = session.card == Card::visa ? "pm_card_visa" : "pm_card_chargeDeclined";
  auto sealed = crypto::seal_payment_reference(sealer_, crypto::PaymentReference{kModelCustomer, method}, session.id);
  must_work(sealed, "seal the payment reference of " + session.id);
  record.pay_key_id = sealed->key_id;
  record.pay_sealed = sealed->blob;
  must_work(sessions.begin(record, controller::open_message(session.id, record.open_request)), "begin session " + session.id);
  if (session.hold_minor > 0) {
    settlement.entry_hold().reconfigure(model_hold_settings(session.hold_minor));
    settlement.entry_hold().place(session.id, [this, session, decided = std::move(decided)](controller::HoldVerdict verdict) {
      on_hold_verdict(session, verdict, decided);
    });
    return;
  }
  on_hold_verdict(session, controller::HoldVerdict::placed, decided);
}

void GateProcess::on_hold_verdict(const ModelSession& session, controller::HoldVerdict verdict,
                                  const std::function<void(Fate)>& decided) {
  using controller::HoldVerdict;
  const bool admitted = verdict == HoldVerdict::placed || verdict == HoldVerdict::placed_offline;
  if (admitted && session.engine == Engine::admits) {
    // Recorded as the admission does (a relaxed commit, synced later), owing what the store
    // did not confirm.
    const db::StoreUnclaimed unclaimed{session.unverified, session.unverified};
    must_work(sessions.database().relaxed([&] { return sessions.mark_open(session.id, unclaimed); }),
              "open session " + session.id);
    if (reconciler && unclaimed.any()) reconciler->kick();
    return decided(Fate::open);
  }
  const char* reason = admitted                          ? "shopper_blocked"
                       : verdict == HoldVerdict::declined ? "payment_declined"
                       : verdict == HoldVerdict::offline_limit ? "offline_limit"
                                                               : "lane_unavailable";
  const bool release_token = verdict == HoldVerdict::offline_limit || verdict == HoldVerdict::unavailable;
  must_work(sessions.mark_denied(session.id, reason, release_token, now_ms()), "deny session " + session.id);
  decided(Fate::denied);
}

db::SealedRef GateProcess::seal(const std::string& reference, const std::string& session_id) const {
  auto sealed = sealer_.seal(reference, session_id);
  must_work(sealed, "seal a card reference of " + session_id);
  return db::SealedRef{sealed->key_id, sealed->blob};
}

Fate GateProcess::admit_card(const ModelSession& session, const PlacedHold& hold) {
  const std::string& sid = session.id;
  const db::NewCardAttempt attempt{sid, 1, kModelReader, "usd", session.hold_minor, db::test::attempt_keys(sid)};
  must_work(attempts.arm(attempt, now_ms()), "arm the attempt of " + sid);
  must_work(attempts.record_customer(sid, seal(hold.customer, sid)), "record the customer of " + sid);
  must_work(attempts.record_intent(sid, seal(hold.intent_id, sid)), "record the hold of " + sid);
  if (!hold.not_believed.empty()) {
    // The runner's read of the hold was not believed: nothing of it is recorded, the card is
    // turned away as for a terminal that cannot be read.
    must_work(attempts.deny(sid, "terminal_unavailable", now_ms()), "deny the attempt of " + sid);
    return Fate::denied;
  }
  auto hasher = sealer_.card_fingerprint_hasher();
  must_work(hasher, "the card fingerprint hasher");
  auto digests = hasher->digests(hold.fingerprint);
  must_work(digests, "hash the card of " + sid);
  const std::string hash = digests->front();
  // The runner's check of the tapped card (anti-passback, then the blocklist), then the admission.
  auto open_session = attempts.open_session_of_card(*digests, sid);
  must_work(open_session, "look up the open session of the card of " + sid);
  auto listed = blocklist.find(*digests);
  must_work(listed, "read the blocklist for " + sid);
  const char* turned_away = open_session->has_value() ? "card_in_session"
                            : listed->has_value()     ? "shopper_blocked"
                                                      : nullptr;
  must_work(attempts.mark_tapped(sid, hash, now_ms()), "record the tap of " + sid);
  const db::SealedRef saved_card = hold.generated_card.empty() ? db::SealedRef{} : seal(hold.generated_card, sid);
  const db::HeldCard held{.fingerprint_hash = hash,
                          .generated_card = saved_card,
                          .brand = "visa",
                          .last4 = "4242",
                          .incremental_authorization_supported = hold.incremental,
                          .capture_before_s = hold.capture_before_s};
  must_work(attempts.mark_held(sid, held, now_ms()), "record the held card of " + sid);
  db::SessionRecord record = db::test::session(sid, "card:" + sid, now_ms(), now_ms() / 1000 + 120);
  record.lane = 1;
  record.shopper = db::card_shopper(hash);
  record.group_size = 1;
  const db::SessionStore::NewSession begun{record, controller::open_message(sid, record.open_request)};
  const Status admitted =
      turned_away ? Status(make_error(turned_away, "turned away")) : attempts.admit(sid, begun, now_ms());
  if (!admitted && (admitted.error().code == "card_in_session" || admitted.error().code == "shopper_blocked")) {
    must_work(attempts.deny(sid, admitted.error().code, now_ms()), "deny the attempt of " + sid);
    return Fate::denied;
  }
  must_work(admitted, "admit the attempt of " + sid);
  must_work(sessions.database().relaxed([&] { return sessions.mark_open(sid); }), "open session " + sid);
  return Fate::open;
}

void GateProcess::finish_abandon(const std::string& session_id) {
  must_work(attempts.mark_voided(session_id, now_ms()), "record the void of " + session_id);
}

bool GateProcess::reload(int pick, const crypto::PaymentSealer& staged) {
  const Status opens = settlement.check_sealing_keys(staged);
  if (!opens && opens.error().code == "seal_key_needed") return false;
  must_work(opens, "check the sealing keys at a reload");
  must_work(settlement.check_gateway_account(kModelAccount), "check the gateway account at a reload");
  must_work(settlement.record_gateway_account(kModelAccount), "record the gateway account at a reload");
  settlement.apply(reload_settings(pick));
  return true;
}

void GateProcess::cancel(const std::string& session_id) {
  const db::OutboxMessage message = controller::cancel_message(session_id);
  must_work(sessions.mark_cancelled(session_id, message, now_ms()), "cancel session " + session_id);
}

std::int64_t GateProcess::now_ms() const { return unix_millis(vt.wall_now()); }

void GateProcess::save_store(StoreWorld& world) const {
  if (store_kv) world.save_from(*store_kv);
}

}  // namespace passgate::model
