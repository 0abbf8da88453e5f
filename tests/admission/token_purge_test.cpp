// TokenPurge: used token ids are purged by the gate's own records, never by a wall clock that
// runs fast or has stepped back; the purge's mark survives a restart.
#include <catch2/catch.hpp>

#include <memory>
#include <optional>

#include <SQLiteCpp/Database.h>

#include "common/time_format.hpp"
#include "common/virtual_time.hpp"
#include "controller/admission/token_purge.hpp"
#include "db/session_store.hpp"
#include "tests/db/db_test_support.hpp"
#include "tests/support/captured_log.hpp"

using namespace std::chrono_literals;
using passgate::unix_millis;
using passgate::unix_seconds;
using passgate::VirtualTime;
using passgate::WallTime;
using passgate::controller::TokenPurge;
using passgate::db::SessionStore;
using passgate::db::test::describe;
using passgate::db::test::kNow;
using passgate::db::test::TestDatabase;

namespace {

constexpr std::int64_t kStartS = kNow / 1000;

// A gate's database, its token purge and a virtual clock starting at kNow.
struct PurgeRig {
  VirtualTime vt;
  TestDatabase t;
  std::unique_ptr<SessionStore> store = std::make_unique<SessionStore>(*t.db);
  std::optional<TokenPurge> purge;

  PurgeRig() { vt.set_wall(WallTime(std::chrono::milliseconds(kNow))); }
  // A session admitted now whose token ends (exp + skew) at `end_s`.
  void admit(const std::string& token_id, std::int64_t end_s) {
    const auto s = passgate::db::test::session("s-" + token_id, token_id, unix_millis(vt.wall_now()), end_s);
    REQUIRE(describe(passgate::db::test::begin_session(*store, s)) == "ok");
  }
  void start_purge() { purge.emplace(*store, vt, vt); }
  // The daemon stops and starts again on the same database (the clock keeps its offset).
  void restart() {
    purge.reset();
    store.reset();
    t.reopen();
    store = std::make_unique<SessionStore>(*t.db);
    start_purge();
  }
  bool used(const std::string& token_id) {
    const auto found = store->token_used(token_id);
    REQUIRE(describe(found) == "ok");
    return *found;
  }
  std::int64_t mark() {
    const auto found = store->token_purge_mark();
    REQUIRE(describe(found) == "ok");
    return *found;
  }
  void shift_wall(std::chrono::seconds by) { vt.set_wall(vt.wall_now() + by); }
};

}  // namespace

TEST_CASE("a wall clock days fast forgets no used token id: the purge goes by the gate's records") {
  PurgeRig rig;
  rig.admit("jti-a", kStartS + 65);
  rig.shift_wall(std::chrono::hours(72));
  rig.start_purge();
  CHECK(rig.mark() == kStartS);  // the newest admission, not the wall clock
  rig.vt.advance(30min);
  CHECK(rig.mark() == kStartS + 1800);  // then no faster than the monotonic clock
  CHECK(rig.used("jti-a"));

  rig.restart();  // still three days fast
  CHECK(rig.mark() == kStartS + 1800);
  CHECK(rig.used("jti-a"));
}

TEST_CASE("no purge runs while the wall clock is behind the mark, logged once, until it has caught up") {
  PurgeRig rig;
  rig.admit("jti-a", kStartS + 65);
  rig.start_purge();
  rig.vt.advance(10min);
  REQUIRE(rig.mark() == kStartS + 600);

  passgate::test::CapturedLog log;
  rig.shift_wall(-std::chrono::hours(1));  // now kStartS - 3000
  rig.vt.advance(30min);
  CHECK(log.count("event=token_purge_skipped") == 1);
  CHECK(log.count("wall_s=" + std::to_string(kStartS - 2400)) == 1);
  CHECK(rig.mark() == kStartS + 600);

  // A restart keeps the mark: still behind it, still no purge.
  rig.restart();
  CHECK(log.count("event=token_purge_skipped") == 2);
  CHECK(rig.mark() == kStartS + 600);
  CHECK(log.count("event=token_purge_resumed") == 0);

  rig.vt.advance(40min);  // the wall clock reaches kStartS + 1200
  CHECK(log.count("event=token_purge_skipped") == 2);
  CHECK(log.count("event=token_purge_resumed") == 1);
  CHECK(rig.mark() == kStartS + 1200);
  CHECK(rig.used("jti-a"));
}

TEST_CASE("a used token id is forgotten once a day and the largest skew have passed since its token's end") {
  PurgeRig rig;
  rig.admit("jti-a", kStartS + 65);
  rig.start_purge();
  rig.vt.advance(24h);  // the last purge went by kStartS + 86400
  CHECK(rig.used("jti-a"));
  rig.vt.advance(TokenPurge::kEvery);  // by kStartS + 87000 > kStartS + 65 + 86460
  CHECK_FALSE(rig.used("jti-a"));
  CHECK(rig.mark() == kStartS + 87000);
}

TEST_CASE("a purge mark that is not a number forgets nothing and says why at every purge, entry goes on") {
  PurgeRig rig;
  rig.admit("jti-a", kStartS + 65);
  rig.t.db->sql().exec("INSERT INTO gate_status (name, value, updated_at_ms) VALUES ('used_tokens_purged_by_s', '17x', 0)");
  passgate::test::CapturedLog log;
  rig.vt.advance(std::chrono::hours(72));  // long past the token's retention
  rig.start_purge();
  CHECK(log.count("event=token_purge_failed") == 1);
  CHECK(log.count("is not a number") == 1);
  rig.vt.advance(TokenPurge::kEvery);
  CHECK(log.count("event=token_purge_failed") == 2);
  CHECK(rig.used("jti-a"));
  rig.admit("jti-b", unix_seconds(rig.vt.wall_now()) + 65);  // admissions do not need the mark
  CHECK(rig.used("jti-b"));
}

TEST_CASE("a purge mark damaged after purges ran still refuses a token whose id they forgot, after a step back") {
  PurgeRig rig;
  rig.admit("jti-a", kStartS + 65);
  rig.start_purge();
  rig.vt.advance(72h);  // purged by kStartS + 3 days: jti-a is forgotten
  REQUIRE_FALSE(rig.used("jti-a"));
  rig.purge.reset();
  rig.t.db->sql().exec("UPDATE gate_status SET value = '1.7e9' WHERE name = 'used_tokens_purged_by_s'");
  rig.shift_wall(-std::chrono::hours(72));  // back into jti-a's life
  const auto again = passgate::db::test::session("s-again", "jti-a", unix_millis(rig.vt.wall_now()), kStartS + 65);
  const auto begun = passgate::db::test::begin_session(*rig.store, again);
  REQUIRE_FALSE(begun.ok());
  CHECK(begun.error().code == "expired");
}
