// Admission with the store-wide coordination ([store], docs/store-coordination.md) over a fake
// etcd in virtual time: the token claimed store-wide before release (taken anywhere: replayed),
// the shopper's open session store-wide (anti-passback across arrays), the fallback when the
// store does not answer (deny, or local: unverified, within the offline cap, counted once),
// and what the gate then owes the store, durably: claims made later (a double use reported,
// nothing undone), releases retried until done, across restarts and a crash before the
// admitting commit. "south" is another gate array of the same store, on the same fake etcd.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include "controller/store/store_link.hpp"
#include "controller/store/store_reconciler.hpp"
#include "db/store_claims_pending.hpp"
#include "tests/admission/admission_fixture.hpp"
#include "tests/coordination/fake_store_kv.hpp"

using namespace passgate;
using controller::AntiPassback;
using controller::OfflinePolicy;
using controller::StoreFallback;
using coordination::Verdict;
using db::SessionState;
using test::AdmissionFixture;
using std::chrono::seconds;

namespace {

coordination::CoordinationSettings settings_of(const std::string& gate) {
  coordination::CoordinationSettings s;
  s.store_id = test::kStore;
  s.gate_id = gate;
  return s;
}

struct StoreGate {
  explicit StoreGate(OfflinePolicy policy = OfflinePolicy::deny, int cap = 2,
                     StoreFallback fallback = StoreFallback::local)
      : f(policy, cap) {
    f.settings.store_fallback = fallback;
    connect();
  }
  // What the daemon does at start with [store] configured (again after f.restart()).
  void connect() {
    f.admission->reconfigure(f.settings);
    owed = std::make_unique<db::StoreClaimsPending>(*f.database);
    REQUIRE(owed->set_coordinated(true, 0).ok());
    reconciler = std::make_unique<controller::StoreReconciler>(north, *owed, f.vt, f.vt);
    f.admission->use_store(&north, [this] { reconciler->kick(); });
  }
  void restart() {
    reconciler.reset();
    f.restart();
    connect();
  }
  [[nodiscard]] std::string key(const std::string& kind, const std::string& id) const {
    return "/passgate/" + std::string(test::kStore) + "/" + kind + "/" + id;
  }
  [[nodiscard]] std::string holder(const std::string& session) const {
    return R"({"gate":"gate-a","session":")" + session + "\"}";
  }
  Verdict south_claims(const std::string& token_id, const std::string& session) {
    std::optional<coordination::Outcome> got;
    south.claim_token(token_id, session, f.vt.wall_now() + seconds(90), [&](auto o) { got = o; });
    f.vt.run_ready();
    REQUIRE(got);
    return got->verdict;
  }
  Verdict south_opens(const std::string& shopper, const std::string& session) {
    std::optional<coordination::Outcome> got;
    south.open_shopper(shopper, session, [&](auto o) { got = o; });
    f.vt.run_ready();
    REQUIRE(got);
    return got->verdict;
  }
  db::StoreClaimsSummary owed_now() {
    auto s = owed->summary(0);
    REQUIRE(s.ok());
    return *s;
  }
  int unverified(const std::string& session) {
    SQLite::Statement q(f.database->sql(), "SELECT unverified FROM sessions WHERE session_id = ?1");
    q.bind(1, session);
    REQUIRE(q.executeStep());
    return q.getColumn(0).getInt();
  }
  SessionState state_of(const std::string& session) { return f.sessions->find(session).value()->state; }

  AdmissionFixture f;
  test::FakeStoreKv kv{f.vt};
  coordination::StoreCoordinator north{kv, f.vt, f.vt, settings_of("gate-a"),
                                       [this](const std::string& session) {
                                         return controller::session_fate_here(*owed, session);
                                       }};
  coordination::StoreCoordinator south{kv, f.vt, f.vt, settings_of("gate-b")};
  std::unique_ptr<db::StoreClaimsPending> owed;
  std::unique_ptr<controller::StoreReconciler> reconciler;
};

}  // namespace

TEST_CASE("store: an admission claims its token and its shopper's open session before release") {
  StoreGate g;
  const auto r = g.f.admit(g.f.token_of("shp_ann"), 201);
  REQUIRE(r.admitted);
  CHECK(g.kv.data.at(g.key("shoppers", "shp_ann")).value == g.holder(r.session_id));
  const auto record = g.f.sessions->find(r.session_id).value().value();
  CHECK(g.kv.data.at(g.key("tokens", record.token_id)).value == g.holder(r.session_id));
  CHECK(g.unverified(r.session_id) == 0);
  CHECK(g.owed_now().claims == 0);
  CHECK(g.f.admission->store_counts().claimed == 1);
}

TEST_CASE("store: an entry's token and shopper claims are one etcd transaction once the leases are held") {
  StoreGate g;
  REQUIRE(g.f.admit(g.f.token_of("shp_ann"), 201).admitted);  // grants the buckets' leases
  const auto grants = g.kv.grants;
  const auto claims = g.kv.claims;
  const auto gets = g.kv.gets;
  const auto pairs = g.kv.claim_twos;
  const auto r = g.f.admit(g.f.token_of("shp_bob"), 201);
  REQUIRE(r.admitted);
  CHECK(g.kv.claim_twos == pairs + 1);
  CHECK(g.kv.claims == claims);
  CHECK(g.kv.grants == grants);
  CHECK(g.kv.gets == gets);
  CHECK(g.kv.data.at(g.key("shoppers", "shp_bob")).value == g.holder(r.session_id));
  // Anti-passback off: the token alone, one claim.
  g.f.settings.anti_passback = AntiPassback::off;
  g.f.admission->reconfigure(g.f.settings);
  const auto alone = g.f.admit(g.f.token_of("shp_cy"), 201);
  REQUIRE(alone.admitted);
  CHECK(g.kv.claim_twos == pairs + 1);
  CHECK(g.kv.claims == claims + 1);
  CHECK_FALSE(g.kv.data.contains(g.key("shoppers", "shp_cy")));
}

TEST_CASE("store: a token admitted at another array is denied replayed, the engine never asked") {
  StoreGate g;
  const std::string token = g.f.token(sim::TokenFlaw::none, std::nullopt, "jti-shared-00000001");
  REQUIRE(g.south_claims("jti-shared-00000001", "sess-south") == Verdict::confirmed);
  const auto r = g.f.admit(token, std::nullopt);
  CHECK_FALSE(r.admitted);
  CHECK(r.reason == DenialReason::replayed);
  CHECK(g.f.tracking.sent.empty());
  CHECK(g.kv.data.at(g.key("tokens", "jti-shared-00000001")).value == R"({"gate":"gate-b","session":"sess-south"})");
  // Its shopper's key is not written (the token is held by another array); the session's
  // owed release fences it.
  CHECK_FALSE(g.kv.data.contains(g.key("shoppers", "shp_test")));
  g.f.vt.advance(seconds(1));
  CHECK_FALSE(g.kv.data.contains(g.key("shoppers", "shp_test")));
  CHECK(g.kv.data.contains(g.key("released", g.f.sessions->all().value().back().session_id + "/shopper")));
  CHECK(g.owed_now().releases == 0);
}

TEST_CASE("store: a shopper inside through another array is refused (hard) and the token released store-wide") {
  StoreGate g;
  REQUIRE(g.south_opens("shp_ann", "sess-south") == Verdict::confirmed);
  const auto r = g.f.admit(g.f.token_of("shp_ann"), std::nullopt);
  CHECK_FALSE(r.admitted);
  CHECK(r.reason == DenialReason::already_inside);
  CHECK(g.f.tracking.sent.empty());
  g.f.vt.advance(seconds(1));
  // The token stays usable: locally and store-wide.
  CHECK(g.owed_now().releases == 0);
  for (const auto& [key, entry] : g.kv.data) CHECK(key.find("/tokens/") == std::string::npos);
  CHECK(g.f.admission->store_counts().inside_elsewhere == 1);
}

TEST_CASE("store: soft anti-passback admits a shopper inside elsewhere, with a warning") {
  StoreGate g;
  g.f.settings.anti_passback = AntiPassback::soft;
  g.f.admission->reconfigure(g.f.settings);
  REQUIRE(g.south_opens("shp_ann", "sess-south") == Verdict::confirmed);
  const auto r = g.f.admit(g.f.token_of("shp_ann"), 201);
  CHECK(r.admitted);
  CHECK(g.kv.data.at(g.key("shoppers", "shp_ann")).value == R"({"gate":"gate-b","session":"sess-south"})");
  CHECK(g.owed_now().claims == 0);
}

TEST_CASE("store: this array's own key left by a session that ended unreleased is taken over (F1)") {
  StoreGate g;
  const auto first = g.f.admit(g.f.token_of("shp_ann"), 201);
  REQUIRE(first.admitted);
  // The session ends while the store does not answer: its release waits.
  g.kv.down = true;
  const db::OutboxMessage cancel{.kind = "cancel", .target = "/t", .body = "{}", .session_id = first.session_id};
  REQUIRE(g.f.sessions->mark_cancelled(first.session_id, cancel, 0).ok());
  g.reconciler->kick();
  g.f.vt.run_ready();
  CHECK(g.owed_now().releases == 1);
  g.restart();  // and passgated restarts before the store answers again
  g.kv.down = false;
  const auto second = g.f.admit(g.f.token_of("shp_ann"), 201);
  REQUIRE(second.admitted);
  CHECK(g.kv.data.at(g.key("shoppers", "shp_ann")).value == g.holder(second.session_id));
  // The old release then removes nothing of the new session's.
  g.reconciler->start();
  g.f.vt.run_ready();
  CHECK(g.owed_now().releases == 0);
  CHECK(g.kv.data.at(g.key("shoppers", "shp_ann")).value == g.holder(second.session_id));
}

TEST_CASE("store: no answer with fallback deny denies lane_unavailable; claims written late are released until done (F2)") {
  StoreGate g(OfflinePolicy::deny, 2, StoreFallback::deny);
  // The claims are carried out, but neither their answers nor a read-back come in time.
  g.kv.lose_claim_answers = true;
  g.kv.lose_reads = true;
  g.kv.fail_removes = true;  // and removals do not answer for a while
  const std::string token = g.f.token(sim::TokenFlaw::none, std::nullopt, "jti-late-0000000001");
  const auto r = g.f.admit(token, std::nullopt);
  CHECK_FALSE(r.admitted);
  CHECK(r.reason == DenialReason::lane_unavailable);
  CHECK(g.f.admission->store_counts().fallback_deny == 1);
  REQUIRE(g.kv.data.contains(g.key("tokens", "jti-late-0000000001")));
  REQUIRE(g.kv.data.contains(g.key("shoppers", "shp_test")));
  CHECK(g.owed_now().releases == 2);
  // The releases are retried, backing off, as long as the store does not answer.
  g.kv.lose_claim_answers = false;
  g.kv.lose_reads = false;
  g.f.vt.advance(seconds(20));
  CHECK(g.reconciler->counts().unanswered >= 3);
  CHECK(g.owed_now().releases == 2);
  g.restart();  // the debt survives a restart
  g.kv.fail_removes = false;
  g.reconciler->start();
  g.f.vt.run_ready();
  CHECK(g.owed_now().releases == 0);
  CHECK_FALSE(g.kv.data.contains(g.key("tokens", "jti-late-0000000001")));
  CHECK_FALSE(g.kv.data.contains(g.key("shoppers", "shp_test")));
  // The shopper may use the same token again, at this array or another.
  CHECK(g.f.admit(token, 201).admitted);
}

TEST_CASE("store: fallback local admits unverified, counted once against the offline cap (F3)") {
  StoreGate g(OfflinePolicy::admit, 2);
  g.kv.down = true;
  // Offline (the engine unreachable) and unverified: one admission, counted once.
  const auto a = g.f.admit(g.f.token_of("shp_a"), 0);
  REQUIRE(a.admitted);
  CHECK(a.offline);
  CHECK(g.unverified(a.session_id) == 1);
  CHECK(g.f.sessions->offline_admissions_since(0).value() == 1);
  // Online but unverified: counted too.
  const auto b = g.f.admit(g.f.token_of("shp_b"), 201);
  REQUIRE(b.admitted);
  CHECK_FALSE(b.offline);
  CHECK(g.unverified(b.session_id) == 1);
  // The cap (2 an hour) is reached: the next is denied before the engine is asked.
  const auto sent = g.f.tracking.sent.size();
  const auto c = g.f.admit(g.f.token_of("shp_c"), std::nullopt);
  CHECK_FALSE(c.admitted);
  CHECK(c.reason == DenialReason::offline_limit);
  CHECK(g.f.tracking.sent.size() == sent);
  CHECK(g.f.admission->store_counts().fallback_local == 2);
  CHECK(g.owed_now().claims == 4);  // two tokens, two shoppers
}

TEST_CASE("store: lanes deciding unverified at once reserve the cap's slots: never more than the cap (M4)") {
  StoreGate g(OfflinePolicy::deny, 2);
  g.kv.down = true;
  std::vector<std::optional<controller::AdmissionResult>> results(4);
  const auto scan = [&](int lane, const std::string& shopper) {
    g.f.admission->request(lane, 4, g.f.token_of(shopper), [&results, lane](auto r) { results[lane] = r; });
    g.f.vt.run_ready();
  };
  // Three lanes within the engine's answer time: the third finds both slots taken.
  scan(1, "shp_a");
  scan(2, "shp_b");
  scan(3, "shp_c");
  CHECK(g.f.tracking.calls.size() == 2);
  REQUIRE(results[3]);
  CHECK(results[3]->reason == DenialReason::offline_limit);
  // The engine refuses the first: its slot is free again.
  g.f.tracking.reply(403);
  g.f.vt.run_ready();
  REQUIRE(results[1]);
  CHECK_FALSE(results[1]->admitted);
  results[3].reset();
  scan(3, "shp_d");
  CHECK(g.f.tracking.calls.size() == 2);
  g.f.tracking.reply(201);
  g.f.tracking.reply(201);
  g.f.vt.run_ready();
  REQUIRE(results[2]);
  REQUIRE(results[3]);
  CHECK(results[2]->admitted);
  CHECK(results[3]->admitted);
  CHECK(g.f.sessions->offline_admissions_since(0).value() == 2);
  // Recorded, they count as before: the cap holds.
  CHECK(g.f.admit(g.f.token_of("shp_e"), std::nullopt).reason == DenialReason::offline_limit);
}

TEST_CASE("store: unverified admissions are claimed once the store answers; a double use is reported, nothing undone") {
  StoreGate g(OfflinePolicy::deny, 5);
  g.kv.down = true;
  const std::string token = g.f.token(sim::TokenFlaw::none, std::nullopt, "jti-twice-000000001");
  const auto a = g.f.admit(token, 201);
  REQUIRE(a.admitted);
  const auto b = g.f.admit(g.f.token_of("shp_bob"), 201);
  REQUIRE(b.admitted);
  CHECK(g.owed_now().claims == 4);
  g.restart();  // the claims owed survive a restart, and are made at the next start
  // Meanwhile the south array admitted the same token, and bob.
  g.kv.down = false;
  REQUIRE(g.south_claims("jti-twice-000000001", "sess-s1") == Verdict::confirmed);
  REQUIRE(g.south_opens("shp_bob", "sess-s2") == Verdict::confirmed);
  g.reconciler->start();
  g.f.vt.run_ready();
  const auto owed = g.owed_now();
  CHECK(owed.claims == 0);
  CHECK(owed.double_uses == 2);
  CHECK(g.reconciler->counts().double_uses == 2);
  CHECK(g.reconciler->counts().claimed == 2);
  CHECK(g.kv.data.at(g.key("shoppers", "shp_test")).value == g.holder(a.session_id));
  CHECK(g.state_of(a.session_id) == SessionState::open);  // nothing undone
  CHECK(g.state_of(b.session_id) == SessionState::open);
}

TEST_CASE("store: a session cancelled in an outage releases its shopper's key and still claims its token") {
  StoreGate g(OfflinePolicy::deny, 5);
  g.kv.down = true;
  const std::string token = g.f.token(sim::TokenFlaw::none, std::nullopt, "jti-cancel-00000001");
  const auto a = g.f.admit(token, 201);
  REQUIRE(a.admitted);
  g.f.vt.advance(seconds(60));  // the owed claims fail often enough to wait behind fresh rows
  const db::OutboxMessage cancel{.kind = "cancel", .target = "/t", .body = "{}", .session_id = a.session_id};
  REQUIRE(g.f.sessions->mark_cancelled(a.session_id, cancel, 0).ok());
  g.kv.down = false;
  g.f.vt.advance(seconds(30));
  // The shopper's release (done first) fences only the shopper's key: the token's claim, the
  // double-use check, is still made.
  CHECK(g.kv.data.contains(g.key("released", a.session_id + "/shopper")));
  CHECK_FALSE(g.kv.data.contains(g.key("shoppers", "shp_test")));
  CHECK(g.kv.data.at(g.key("tokens", "jti-cancel-00000001")).value == g.holder(a.session_id));
  const auto owed = g.owed_now();
  CHECK(owed.claims == 0);
  CHECK(owed.releases == 0);
}

TEST_CASE("store: a session that ends before its claim could be made releases instead (its claim may have landed)") {
  StoreGate g(OfflinePolicy::deny, 5);
  g.kv.lose_claim_answers = true;
  g.kv.lose_reads = true;
  const auto a = g.f.admit(g.f.token_of("shp_ann"), 201);
  REQUIRE(a.admitted);
  CHECK(g.kv.data.at(g.key("shoppers", "shp_ann")).value == g.holder(a.session_id));
  g.kv.down = true;
  const db::OutboxMessage cancel{.kind = "cancel", .target = "/t", .body = "{}", .session_id = a.session_id};
  REQUIRE(g.f.sessions->mark_cancelled(a.session_id, cancel, 0).ok());
  g.kv.down = false;
  g.kv.lose_claim_answers = false;
  g.kv.lose_reads = false;
  g.f.vt.advance(seconds(30));
  CHECK_FALSE(g.kv.data.contains(g.key("shoppers", "shp_ann")));
  const auto owed = g.owed_now();
  CHECK(owed.claims == 0);
  CHECK(owed.releases == 0);
  CHECK(owed.double_uses == 0);
}

TEST_CASE("store: a crash between the claims and the admitting commit leaves nothing inconsistent") {
  StoreGate g;
  std::optional<controller::AdmissionResult> result;
  g.f.admission->request(1, 4, g.f.token_of("shp_ann"), [&](auto r) { result = r; });
  g.f.vt.run_ready();  // begun, claimed store-wide, the engine asked
  REQUIRE(g.f.tracking.calls.size() == 1);
  REQUIRE(g.kv.data.contains(g.key("shoppers", "shp_ann")));
  const auto session = g.f.sessions->all().value().back();
  // kill -9: nothing more is written; the next start closes the session left opening.
  g.f.tracking.calls.clear();
  g.restart();
  g.f.recover_interrupted();
  CHECK(g.state_of(session.session_id) == SessionState::cancelled);
  g.reconciler->start();
  g.f.vt.run_ready();
  // Its shopper is free store-wide; its token stays used, here (the jti) and store-wide alike.
  CHECK_FALSE(g.kv.data.contains(g.key("shoppers", "shp_ann")));
  CHECK(g.kv.data.at(g.key("tokens", session.token_id)).value == g.holder(session.session_id));
  CHECK(g.f.sessions->token_used(session.token_id).value());
  CHECK(g.south_opens("shp_ann", "sess-s1") == Verdict::confirmed);
  CHECK(g.south_claims(session.token_id, "sess-s1") == Verdict::refused);
}

TEST_CASE("store: a double use is found after an outage longer than the token's life (M2)") {
  StoreGate g(OfflinePolicy::deny, 5);
  g.kv.down = true;
  const std::string token = g.f.token(sim::TokenFlaw::none, std::nullopt, "jti-outage-00000001");
  const auto a = g.f.admit(token, 201);
  REQUIRE(a.admitted);
  // South, which reached etcd, admitted the same token meanwhile; etcd is back 10 minutes later.
  g.kv.down = false;
  REQUIRE(g.south_claims("jti-outage-00000001", "sess-s1") == Verdict::confirmed);
  g.kv.down = true;
  g.f.vt.advance(std::chrono::minutes(10));  // the token's exp (120 s) + skew long past
  g.kv.down = false;
  g.f.vt.advance(controller::StoreReconciler::kRetryMax);  // its next try
  CHECK(g.reconciler->counts().double_uses == 1);
  CHECK(g.reconciler->counts().lapsed == 0);
  CHECK(g.owed_now().double_uses == 1);
}

namespace {

// The gate, its token's and shopper's claims owed, stopped for `stopped` and started again with
// etcd answering: the token's claim is dropped unasked (unchecked), the shopper's made.
void restart_after_token_lapsed(StoreGate& g, std::chrono::seconds stopped) {
  g.reconciler.reset();
  g.f.vt.advance(stopped);
  g.kv.down = false;
  g.restart();
  g.reconciler->start();
  g.f.vt.run_ready();
  CHECK(g.reconciler->counts().lapsed == 1);
  CHECK(g.reconciler->counts().unchecked == 1);
  CHECK(g.reconciler->counts().claimed == 1);  // the shopper's
  CHECK(g.owed_now().claims == 0);
}

}  // namespace

TEST_CASE("store: a token claim owed past the double-use window is dropped unasked, counted unchecked") {
  StoreGate g(OfflinePolicy::deny, 5);
  g.kv.down = true;
  REQUIRE(g.f.admit(g.f.token(), 201).admitted);
  CHECK(g.owed_now().claims == 2);
  // exp (120 s) + skew + the window + a bucket long past, the gate stopped meanwhile.
  restart_after_token_lapsed(g, coordination::kDoubleUseWindow + coordination::kLeaseBucket + std::chrono::minutes(5));
}

TEST_CASE("store: an owed token claim is dropped as soon as any array's key of the token may have lapsed (txn-26 M1)") {
  StoreGate g(OfflinePolicy::deny, 5);
  g.kv.down = true;
  REQUIRE(g.f.admit(g.f.token(), 201).admitted);
  std::int64_t until_s = 0;
  const auto rows = g.owed->next(10);
  REQUIRE(rows.ok());
  for (const auto& row : *rows)
    if (row.kind == "token") until_s = row.until_s;
  REQUIRE(until_s > 0);
  // The earliest another array's key of the token may be gone: exp (until_s less at most 60 s
  // of [tokens] clock_skew_s) + the least lease_skew_s any array may run (60 s) + the window,
  // by a clock 60 s ahead. A second past it, the claim could find the key free and pass for
  // checked: it is dropped unasked.
  const auto& s = g.north.settings();
  const std::int64_t earliest_lapse_s = until_s - passgate::db::kMaxClockSkewS + s.double_use_window.count();
  restart_after_token_lapsed(g, seconds(earliest_lapse_s + 1) - std::chrono::duration_cast<seconds>(
                                                                    g.f.vt.wall_now().time_since_epoch()));
}

TEST_CASE("store: a database error in reconciliation is not taken for etcd not answering (L7)") {
  StoreGate g;
  g.reconciler->start();
  g.f.vt.run_ready();
  CHECK_FALSE(g.reconciler->waiting_for_store());
  g.f.database->sql().exec("ALTER TABLE store_claims_pending RENAME TO store_claims_gone");
  g.reconciler->kick();
  g.f.vt.advance(std::chrono::milliseconds(1));
  CHECK(g.reconciler->database_failing());
  CHECK_FALSE(g.reconciler->waiting_for_store());
}
