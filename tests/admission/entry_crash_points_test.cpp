// Every crash point of one entry (docs/durability.md): the process dies there (every pending
// call and timer is lost, the engine's answers in flight with them, the database is closed
// as it stands) and starts again as passgated does (recover_interrupted_sessions, then the
// outbox sender delivers what is queued). After each: nothing the gate decided is lost, the
// lane was released only on a recorded admission, the token admits nobody again, and the
// tracking engine ends with exactly the sessions the gate admitted (open) and every other it
// may have seen cancelled.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "tests/admission/admission_fixture.hpp"

using namespace passgate;
using namespace passgate::test;
using controller::AdmissionResult;

namespace {

struct CrashFixture : AdmissionFixture {
  explicit CrashFixture(controller::OfflinePolicy policy = controller::OfflinePolicy::deny)
      : AdmissionFixture(policy) {}

  std::string code = token();
  std::optional<AdmissionResult> result;  // what the lane was told: released on an admission

  void scan() {
    admission->request(1, 4, code, [this](AdmissionResult r) { result = std::move(r); });
  }
  // The process dies here and starts again.
  void crash_and_restart() {
    tracking.calls.clear();  // requests in flight, and answers not yet read, die with it
    vt.drop_pending();
    restart();
    recover_interrupted();
  }
  // The outbox sender delivers everything queued; the requests it sent, in order ("kind" of
  // each: open, cancel or passage).
  std::vector<std::string> delivered() {
    tracking.sent.clear();
    tracking.auto_status = 200;
    sender->kick();
    for (int i = 0; i < 100 && outbox_size() > 0; ++i) vt.advance(Millis{1000});
    CHECK(outbox_size() == 0);
    std::vector<std::string> kinds;
    for (const auto& [target, body] : tracking.sent) {
      kinds.push_back(target == "/v1/sessions" ? "open" : target.ends_with("/cancel") ? "cancel" : target);
    }
    tracking.auto_status.reset();
    return kinds;
  }
  [[nodiscard]] db::SessionState state() {
    auto all = sessions->all();
    REQUIRE(all.ok());
    REQUIRE(all->size() == 1);
    return all->front().state;
  }
  // The same code scanned again after the restart: never a second admission.
  void rescan_is_refused() {
    result.reset();
    tracking.auto_status.reset();
    scan();
    vt.run_ready();
    REQUIRE(result.has_value());
    CHECK_FALSE(result->admitted);
    CHECK(result->reason == DenialReason::replayed);
  }
};

}  // namespace

TEST_CASE("crash before the entry's commit: nothing was recorded and the same code admits once") {
  CrashFixture f;
  f.scan();  // verified, waiting for the group commit
  f.crash_and_restart();
  CHECK(f.sessions->all()->empty());
  CHECK(f.outbox_size() == 0);
  CHECK(f.delivered().empty());
  f.result.reset();
  const AdmissionResult again = f.admit(f.code, 201);
  CHECK(again.admitted);
  f.rescan_is_refused();
}

TEST_CASE("crash while the open request is in flight: the engine gets it and then a cancel") {
  CrashFixture f;
  f.scan();
  f.vt.run_ready();  // committed; the open request is out
  REQUIRE(f.tracking.calls.size() == 1);
  f.crash_and_restart();
  CHECK_FALSE(f.result.has_value());  // the lane never moved
  CHECK(f.state() == db::SessionState::cancelled);
  CHECK(f.delivered() == std::vector<std::string>{"open", "cancel"});
  f.rescan_is_refused();
}

TEST_CASE("crash after the engine answered, before the answer was read: cancelled as if in flight") {
  CrashFixture f;
  f.scan();
  f.vt.run_ready();
  f.tracking.reply(201);  // on its way to the loop
  f.crash_and_restart();
  CHECK_FALSE(f.result.has_value());
  CHECK(f.state() == db::SessionState::cancelled);
  CHECK(f.delivered() == std::vector<std::string>{"open", "cancel"});
  f.rescan_is_refused();
}

TEST_CASE("the admission is recorded before the lane is told, so a crash after either keeps the session open") {
  CrashFixture f;
  // The lane is told only once the admission is recorded: what the disk holds when it is told
  // is what it holds just before.
  std::optional<db::SessionState> when_told;
  bool unsynced_when_told = false;
  f.admission->request(1, 4, f.code, [&](AdmissionResult r) {
    CHECK(r.admitted);
    when_told = (*f.sessions->find(r.session_id))->state;
    unsynced_when_told = f.database->unsynced();
  });
  f.vt.run_ready();
  f.tracking.reply(201);
  f.vt.run_ready();
  CHECK(when_told == db::SessionState::open);
  CHECK(unsynced_when_told);  // relaxed: no fsync held the barrier
  f.crash_and_restart();
  // The engine has it open and the gate agrees: if the shopper walks in through the lane the
  // crash left free (the hardware's fail-safe), the cart is theirs; if not, it stays empty.
  CHECK(f.state() == db::SessionState::open);
  CHECK(f.delivered().empty());
  f.rescan_is_refused();
}

TEST_CASE("crash after the lane was released, before the sync: the admission is kept") {
  CrashFixture f;
  f.scan();
  f.vt.run_ready();
  f.tracking.reply(201);
  f.vt.run_ready();
  REQUIRE(f.result.has_value());
  CHECK(f.result->admitted);
  CHECK(f.database->unsynced());  // the relaxed commit is in the WAL; its sync is due within kSyncWithin
  f.crash_and_restart();
  CHECK(f.state() == db::SessionState::open);
  CHECK(f.delivered().empty());
  f.rescan_is_refused();
}

TEST_CASE("the admission's sync follows within kSyncWithin") {
  CrashFixture f;
  const AdmissionResult admitted = f.admit(f.code, 201);
  CHECK(admitted.admitted);
  CHECK(f.database->unsynced());
  f.vt.advance(controller::AdmissionService::kSyncWithin);
  CHECK_FALSE(f.database->unsynced());
}

TEST_CASE("crash after an offline admission was released: its open request is delivered, nothing cancelled") {
  CrashFixture f(controller::OfflinePolicy::admit);
  f.scan();
  f.vt.run_ready();
  f.tracking.reply(0);  // unreachable
  f.vt.run_ready();
  REQUIRE(f.result.has_value());
  CHECK(f.result->admitted);
  CHECK(f.result->offline);
  f.crash_and_restart();
  CHECK(f.state() == db::SessionState::open_offline);
  CHECK(f.delivered() == std::vector<std::string>{"open"});
  f.rescan_is_refused();
}

TEST_CASE("crash after a refusal was recorded: nothing to send, the code stays used") {
  CrashFixture f;
  f.scan();
  f.vt.run_ready();
  f.tracking.reply(403);
  f.vt.run_ready();
  REQUIRE(f.result.has_value());
  CHECK(f.result->reason == DenialReason::shopper_blocked);
  f.crash_and_restart();
  CHECK(f.state() == db::SessionState::denied);
  CHECK(f.delivered().empty());
  f.rescan_is_refused();
}

TEST_CASE("crash after a denial of an open request that got no answer: open and cancel are delivered") {
  CrashFixture f;  // policy deny
  f.scan();
  f.vt.run_ready();
  f.tracking.reply(0);
  f.vt.run_ready();
  REQUIRE(f.result.has_value());
  CHECK(f.result->reason == DenialReason::lane_unavailable);
  f.crash_and_restart();
  CHECK(f.state() == db::SessionState::denied);
  CHECK(f.delivered() == std::vector<std::string>{"open", "cancel"});
  // The token was freed (nobody was admitted): the shopper may scan the same code again.
  f.result.reset();
  CHECK(f.admit(f.code, 201).admitted);
}

TEST_CASE("scans that arrive together share one commit, each with its own outcome") {
  CrashFixture f;
  std::vector<std::optional<AdmissionResult>> results(3);
  const std::string other = f.token_of("shp_other");
  f.admission->request(1, 4, f.code, [&](AdmissionResult r) { results[0] = std::move(r); });
  f.admission->request(2, 4, f.code, [&](AdmissionResult r) { results[1] = std::move(r); });  // same code
  f.admission->request(3, 4, other, [&](AdmissionResult r) { results[2] = std::move(r); });
  CHECK(f.sessions->all()->empty());  // nothing committed inside request()
  const std::int64_t commits = f.database->commits();
  f.vt.run_ready();
  CHECK(f.database->commits() == commits + 1);  // the three scans' one group commit
  // Two sessions begun in the one transaction, both asked of the engine; the twin refused.
  CHECK(f.sessions->all()->size() == 2);
  REQUIRE(f.tracking.calls.size() == 2);
  REQUIRE(results[1].has_value());
  CHECK(results[1]->reason == DenialReason::replayed);
  f.tracking.reply(201);
  f.tracking.reply(201);
  f.vt.run_ready();
  CHECK(results[0]->admitted);
  CHECK(results[2]->admitted);
}
