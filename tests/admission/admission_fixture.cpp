#include "tests/admission/admission_fixture.hpp"

#include <catch2/catch.hpp>

#include "common/time_format.hpp"
#include "controller/admission/interrupted_sessions.hpp"
#include "controller/settlement/settings.hpp"

namespace passgate::test {

namespace {

sim::IssuerKey make_issuer() {
  auto key = sim::IssuerKey::generate(sim::IssuerAlg::es256, "app-test");
  REQUIRE(key.ok());
  return std::move(key).value();
}

crypto::PaymentSealer make_sealer() {
  auto sealer = crypto::PaymentSealer::from_keys({std::string(32, 'k')});
  REQUIRE(sealer.ok());
  return std::move(sealer).value();
}

}  // namespace

AdmissionFixture::AdmissionFixture(controller::OfflinePolicy policy, int offline_cap)
    : issuer(make_issuer()), sealer(make_sealer()) {
  REQUIRE(sim::save_jwks(keys.file(), {&issuer}).ok());
  REQUIRE(keys.reload().ok());
  settings.gate = {kStore, "gate-a"};
  settings.policy = crypto::VerifyPolicy{kIssuer, kStore, std::chrono::seconds(5), std::chrono::seconds(90)};
  settings.offline = controller::OfflineConfig{policy, offline_cap};
  wire();
}

void AdmissionFixture::require_hold(std::int64_t amount_minor, controller::OfflineRiskLimits limits) {
  settlement_settings.hold =
      controller::EntryHoldSettings{amount_minor, "USD", std::chrono::milliseconds(1500), limits};
  wire();
}

controller::GateConfig AdmissionFixture::gate_config() {
  controller::GateConfig config;
  config.store_id = kStore;
  config.gate_id = "gate-a";
  config.issuer = kIssuer;
  return config;
}

void AdmissionFixture::start_as_daemon(const controller::GateConfig& config) {
  settings = controller::admission_settings(config);
  settlement_settings = controller::settlement_settings(config);
  sender_timeout = config.tracking.request_timeout;
  wire();
}

controller::LiveComponents AdmissionFixture::live_components() {
  return controller::LiveComponents{admission.get(), settlement.get(), sender.get(), nullptr};
}

void AdmissionFixture::wire() {
  admission.reset();
  settlement.reset();
  status.reset();
  settlements.reset();
  queue.reset();
  sender.reset();
  outbox.reset();
  sessions.reset();
  database.reset();
  auto opened = db::Database::open(dir / "gate.db");
  REQUIRE(opened.ok());
  database = std::move(opened).value();
  sessions = std::make_unique<db::SessionStore>(*database);
  outbox = std::make_unique<db::Outbox>(*database);
  sender = std::make_unique<controller::OutboxSender>(*outbox, tracking, vt, vt, sender_timeout);
  queue = std::make_unique<db::PaymentQueue>(*database);
  settlements = std::make_unique<db::SettlementStore>(*database);
  status = std::make_unique<db::GateStatus>(*database);
  settlement = std::make_unique<controller::Settlement>(
      settlement_settings, controller::SettlementStores{*sessions, *queue, *settlements, *status}, sealer, gateway,
      carts_engine, vt, vt);
  admission = std::make_unique<controller::AdmissionService>(settings, keys, sealer, *sessions, tracking, *sender,
                                                             &settlement->entry_hold(), vt, vt);
  settlement->hold_back_entries_of([this](const std::string& id) { return admission && admission->denial_unrecorded(id); });
}

void AdmissionFixture::restart() { wire(); }

controller::WriteLater AdmissionFixture::write_later() {
  return [this](const std::string& id, std::string what, std::function<Status()> write) {
    admission->write_later(id, std::move(what), std::move(write));
  };
}

void AdmissionFixture::recover_interrupted() {
  REQUIRE(controller::recover_interrupted_sessions(*sessions, vt, write_later()).ok());
}

void AdmissionFixture::deliver(const std::string& body) {
  REQUIRE(tracking.calls.size() == 1);
  CHECK(tracking.calls.front().body == body);
  tracking.reply(202);
  vt.run_ready();
}

namespace {

sim::TokenSpec token_spec(const VirtualTime& vt) {
  sim::TokenSpec spec;
  spec.issuer = kIssuer;
  spec.audience = kStore;
  spec.now = unix_seconds(vt.wall_now());
  return spec;
}

}  // namespace

std::string AdmissionFixture::token(sim::TokenFlaw flaw, std::optional<int> group, std::string token_id) {
  sim::TokenSpec spec = token_spec(vt);
  spec.group = group;
  spec.flaw = flaw;
  spec.token_id = std::move(token_id);
  return sim::mint_token(issuer, spec);
}

std::string AdmissionFixture::token_of(const std::string& shopper) {
  sim::TokenSpec spec = token_spec(vt);
  spec.subject = shopper;
  return sim::mint_token(issuer, spec);
}

controller::AdmissionResult AdmissionFixture::admit(const std::string& token, std::optional<int> engine_status,
                                                    int group_limit) {
  std::optional<controller::AdmissionResult> result;
  admission->request(1, group_limit, token, [&](controller::AdmissionResult r) { result = std::move(r); });
  CHECK_FALSE(result.has_value());  // never answered inside request()
  vt.run_ready();                   // the group commit, then the hold (if any) and the open request
  if (engine_status) {
    REQUIRE_FALSE(tracking.calls.empty());
    REQUIRE(tracking.calls.back().target == "/v1/sessions");
    // The session is durable before the engine is even asked.
    auto all = sessions->all();
    REQUIRE(all.ok());
    REQUIRE_FALSE(all.value().empty());
    CHECK(all.value().back().state == db::SessionState::opening);
    tracking.reply_newest(*engine_status);
  }
  vt.run_ready();
  REQUIRE(result.has_value());
  return *result;
}

std::int64_t AdmissionFixture::outbox_size() {
  auto n = outbox->size();
  REQUIRE(n.ok());
  return n.value();
}

}  // namespace passgate::test
