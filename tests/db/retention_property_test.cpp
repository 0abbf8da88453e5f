// Generated histories for retention (db/retention.hpp). Each case makes a random mix of
// sessions in every state through the real stores (opening, inside, unsettled, settled with
// operations in every state, holds, denials, cancellations, offline admissions waiting,
// delivered, dead-lettered or refused, quarantined carts open, written off or charged, carts
// of nobody), then sweeps three times at random later times with random retentions, in
// batches of random size, with operators (write-offs, retries, outbox dead letters sent again
// or dropped, a dead letter's alert cleared) and the tracking engine acting in between. After
// every sweep:
//   - each session a model written here (independently of the SQL) says must stay (money or
//     safety still needs it, or a row of it is younger than the cutoff) reads exactly as
//     before, every row of it;
//   - each one it says is final and old enough is gone, with all its rows;
//   - no foreign key dangles, no outbox message or quarantined cart names a session that is
//     gone, open carts of nobody stay, and an audit row goes exactly when it is older than the
//     cutoff and the operation, quarantined cart or outbox message it names is gone too.
// The model states what is final as its own list (never PaymentQueue::is_final), so a state
// added to the code is kept by the model until someone decides it is final.
// ctest runs kDefaultCases from kDefaultSeed (the connection skips fsync: durability is
// not what this tests). A long run:
//   PASSGATE_RETENTION_CASES=20000 PASSGATE_RETENTION_SEED=1 build/asan/tests/test_db "retention: generated*"
// A failure names its case's seed: PASSGATE_RETENTION_CASES=1 PASSGATE_RETENTION_SEED=<seed> replays it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <map>
#include <random>
#include <set>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>

#include "tests/db/db_test_support.hpp"
#include "tests/db/retention_support.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

namespace {

constexpr std::uint64_t kDefaultCases = 250;  // about 15 s of CPU under ASan
constexpr std::uint64_t kDefaultSeed = 20261206;
constexpr std::int64_t kBase = kNow - 800 * kDayMs;
constexpr std::int64_t kHold = 5000;

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? std::stoull(text) : fallback;
}

bool is_dead_letter(const PaymentOpRecord& op) {
  return op.alert && (op.state == PaymentOpState::declined || op.state == PaymentOpState::dead);
}

// The model's list of operations retention may take as done: succeeded, written off, or
// declined or dead with neither an alert nor an unverified answer. Anything else keeps its
// session.
bool op_done(const PaymentOpRecord& op) {
  if (op.state == PaymentOpState::succeeded || op.state == PaymentOpState::written_off) return true;
  return (op.state == PaymentOpState::declined || op.state == PaymentOpState::dead) && !op.alert && !op.unverified;
}

// The model's list of quarantined carts an operator resolved: charged or written off.
bool resolved(const QuarantineRecord& q) {
  return q.state == QuarantineState::charged || q.state == QuarantineState::written_off;
}

// The model: must this session stay, its rows as they are, through a sweep by `cut`?
bool must_stay(const SessionRows& rows, const RetentionCutoffs& cut) {
  const SessionRecord& s = *rows.session;
  if (s.state == SessionState::opening || s.refused_at_ms > 0 || rows.token_used || !rows.outbox_ids.empty()) {
    return true;
  }
  if (s.created_at_ms >= cut.records_ms) return true;
  if (rows.cart && rows.cart_received_at_ms >= cut.records_ms) return true;
  bool hold_placed = false;
  bool hold_released = false;
  bool follow_up = false;
  for (const PaymentOpRecord& op : rows.ops) {
    if (!op_done(op)) return true;
    if (std::max({op.created_at_ms, op.first_attempt_at_ms, op.finished_at_ms}) >= cut.records_ms) return true;
    if (op.op == "preauth" && (op.state == PaymentOpState::succeeded ||
                               (op.state == PaymentOpState::dead && !op.intent_id.empty()))) {
      hold_placed = true;
    }
    if (op.op == "capture" || op.op == "void") {
      follow_up = true;
      if (op.state == PaymentOpState::succeeded || op.state == PaymentOpState::written_off) hold_released = true;
    }
  }
  if (hold_placed && !hold_released) return true;
  for (const QuarantineRecord& q : rows.quarantined) {
    if (!resolved(q) || std::max(q.received_at_ms, q.settled_at_ms) >= cut.audit_ms) return true;
  }
  if (rows.settlement) {
    return rows.settlement->planned_at_ms >= cut.records_ms ||
           (rows.settlement->decision.plan == "charge+void" && !follow_up);
  }
  const bool ended = s.state == SessionState::denied || s.state == SessionState::cancelled;
  return !ended || !rows.ops.empty() || rows.cart.has_value();
}

class HistoryCase {
 public:
  HistoryCase(std::uint64_t seed, ShopRecords& records) : rng_(seed), r_(records) {}

  std::int64_t pick(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
  }
  bool chance(int percent) { return pick(1, 100) <= percent; }
  OpEnd any_end() { return static_cast<OpEnd>(pick(0, 5)); }
  bool failed(OpEnd end) { return end == OpEnd::declined || end == OpEnd::dead || end == OpEnd::unverified; }
  // A moment a little after `t` (up to 20 days), which becomes `t`.
  std::int64_t later(std::int64_t& t) { return t += pick(0, 20 * kDayMs); }

  // One session's story from `t`; its id is added to `sessions` (a cart of nobody to `nobodys`).
  void story(std::int64_t t) {
    switch (pick(0, 9)) {
      case 0: sessions_.push_back(r_.admit(t)); return;  // opening: its admission never decided
      case 1: open_session(t); return;                   // inside, no cart yet
      case 2: r_.cart(open_session(t), pick(0, 9000), later(t)); return;
      case 3: charged(open_session(t), t); return;
      case 4: held(t); return;
      case 5: denied(t); return;
      case 6: cancelled(t); return;
      case 7: offline(t); return;
      case 8: quarantined(t); return;
      default: {
        const std::int64_t q = r_.quarantine("", t);
        nobodys_.push_back(q);
        if (chance(50)) r_.write_off_cart(q, later(t));
      }
    }
  }

  // Between sweeps, at `now`: the tracking engine takes messages (or makes one a dead
  // letter), operators write off dead letters and carts, retry dead letters (the drainer
  // sends a retried one again, to any end) or clear their alert, send outbox dead letters
  // again or drop them; the used-token purge runs.
  void meanwhile(std::int64_t now) {
    for (const std::string& id : sessions_) {
      const SessionRows rows = r_.rows(id);
      if (!rows.session) continue;
      if (!rows.outbox_ids.empty()) {
        if (chance(30)) {
          r_.deliver(id);
        } else if (chance(10)) {
          r_.dead_letter(id, now);
        } else {
          outbox_operator(rows.outbox_ids.front(), now);
        }
      }
      for (const PaymentOpRecord& op : rows.ops) {
        if (op.state == PaymentOpState::pending && retried_.contains(op.id) && chance(50)) r_.finish(op.id, any_end(), now);
        if (!is_dead_letter(op)) continue;
        if (chance(30)) {
          r_.write_off(op.id, now);
        } else if (chance(10) && r_.queue.retry(op.id, "alice", now).ok()) {  // refused for some: nothing done
          retried_.insert(op.id);
        } else if (chance(5)) {
          REQUIRE(describe(r_.queue.set_alert(op.id, false)) == "ok");  // no code does it; the schema allows it
        }
      }
    }
    for (const std::int64_t q : nobodys_) {
      const auto found = r_.quarantined.find(q);
      REQUIRE(found.ok());
      if (found->has_value() && (*found)->state == QuarantineState::open && chance(30)) r_.write_off_cart(q, now);
    }
    if (chance(50)) r_.purge_tokens(now);
  }

  const std::vector<std::string>& sessions() const { return sessions_; }
  const std::vector<std::int64_t>& nobodys() const { return nobodys_; }

 private:
  std::string open_session(std::int64_t t) {
    const std::string id = r_.admit(t);
    r_.open(id);
    sessions_.push_back(id);
    return id;
  }
  // Settled by a charge of its cart; a failed one maybe written off.
  void charged(const std::string& id, std::int64_t t) {
    const std::int64_t total = pick(1, 9000);
    r_.cart(id, total, later(t));
    const OpEnd end = any_end();
    const auto ops = r_.settle(id, "charge", {"charge"}, total, later(t), end);
    if (failed(end) && chance(50)) r_.write_off(ops.front(), later(t));
  }
  // A hold at entry, then a capture, or a charge followed by the void.
  void held(std::int64_t t) {
    const std::string id = open_session(t);
    const OpEnd preauth = chance(70) ? OpEnd::succeeded : any_end();
    (void)r_.op(id, "preauth", kHold, t, preauth, false, "pi_hold_" + id);
    if (preauth == OpEnd::pending || preauth == OpEnd::in_flight) return;
    const std::int64_t total = pick(0, 9000);
    r_.cart(id, total, later(t));
    if (total <= kHold) {
      const OpEnd end = any_end();
      const auto ops = r_.settle(id, total == 0 ? "void" : "capture", {total == 0 ? "void" : "capture"}, total,
                                 later(t), end);
      if (failed(end) && chance(50)) r_.write_off(ops.front(), later(t));
      return;
    }
    const OpEnd charge = any_end();
    const auto ops = r_.settle(id, "charge+void", {"charge"}, total, later(t), charge);
    if (failed(charge) && chance(50)) r_.write_off(ops.front(), later(t));
    if (!is_final_end(charge) || chance(20)) return;  // its follow-up not queued yet
    const OpEnd release = any_end();
    const std::int64_t void_id = r_.follow_up(id, ops.front(), later(t), release);
    if (failed(release) && chance(50)) r_.write_off(void_id, later(t));
  }
  void denied(std::int64_t t) {
    const std::string id = r_.admit(t);
    sessions_.push_back(id);
    if (chance(40)) {
      (void)r_.op(id, "preauth", kHold, t, OpEnd::declined, false);
      r_.deny(id, "payment_declined", false, t);
      if (chance(70)) (void)r_.settle(id, "none", {}, 0, later(t), OpEnd::succeeded);
      return;
    }
    r_.deny(id, chance(50) ? "lane_unavailable" : "shopper_blocked", chance(50), t);
  }
  void cancelled(std::int64_t t) {
    const std::string id = open_session(t);
    const bool hold = chance(40);
    if (hold) (void)r_.op(id, "preauth", kHold, t, OpEnd::succeeded, false, "pi_hold_" + id);
    r_.cancel(id, later(t));
    messages(id, t);
    if (hold && chance(70)) (void)r_.settle(id, "void", {"void"}, 0, later(t), any_end());
  }
  void offline(std::int64_t t) {
    const std::string id = r_.admit(t);
    sessions_.push_back(id);
    r_.open_offline(id, t);
    if (chance(25)) {
      r_.refuse(id, later(t));
      return;
    }
    messages(id, t);
    if (chance(60)) charged(id, t);
  }
  void quarantined(std::int64_t t) {
    const std::string id = open_session(t);
    const std::int64_t q = r_.quarantine(id, later(t));
    switch (pick(0, 2)) {
      case 0: return;  // open, waiting for an operator
      case 1:
        r_.write_off_cart(q, later(t));
        if (chance(70)) (void)r_.settle(id, "none", {}, 0, later(t), OpEnd::succeeded);
        return;
      default: {
        const std::int64_t total = pick(1, 9000);
        REQUIRE(describe(r_.quarantined.charge(q, "USD", total, "corrected", "alice", later(t))) == "ok");
        (void)r_.settle(id, "charge", {"charge"}, total, later(t), any_end());
      }
    }
  }
  // The session's messages: delivered, left waiting, or one a dead letter.
  void messages(const std::string& id, std::int64_t& t) {
    switch (pick(0, 2)) {
      case 0: r_.deliver(id); return;
      case 1: return;
      default: r_.dead_letter(id, later(t));
    }
  }
  static bool is_final_end(OpEnd end) { return end != OpEnd::pending && end != OpEnd::in_flight; }
  // An operator acts on outbox message `id` if it is a dead letter: sends it again or drops it.
  void outbox_operator(std::int64_t id, std::int64_t now) {
    if (chance(70)) return;
    const bool again = chance(50);
    const auto done = again ? r_.outbox.retry_dead_letter(id, "alice", now)
                            : r_.outbox.drop_dead_letter(id, "entered by hand", "alice", now);
    if (!done.ok()) REQUIRE(done.error().code == "wrong_state");  // not a dead letter
  }

  std::mt19937_64 rng_;
  ShopRecords& r_;
  std::vector<std::string> sessions_;
  std::vector<std::int64_t> nobodys_;
  std::set<std::int64_t> retried_;  // operations an operator retried
};

// One sweep by `cut` in batches of `limit`; what is wrong after it (empty: nothing).
std::vector<std::string> sweep_and_check(ShopRecords& r, const HistoryCase& history, const RetentionCutoffs& cut,
                                         int limit) {
  std::map<std::string, SessionRows> kept;
  std::set<std::string> deleted;
  for (const std::string& id : history.sessions()) {
    SessionRows rows = r.rows(id);
    if (!rows.session) continue;
    if (must_stay(rows, cut)) {
      kept.emplace(id, std::move(rows));
    } else {
      deleted.insert(id);
    }
  }
  std::map<std::int64_t, bool> nobodys;  // id -> must stay
  for (const std::int64_t q : history.nobodys()) {
    const auto found = r.quarantined.find(q);
    REQUIRE(found.ok());
    if (!found->has_value()) continue;
    const QuarantineRecord& rec = **found;
    nobodys[q] = !resolved(rec) || std::max(rec.received_at_ms, rec.settled_at_ms) >= cut.audit_ms;
  }
  // The audit rows that must stay: younger than the cutoff, or naming an operation or a
  // quarantined cart the model keeps, or an outbox message (retention never deletes those).
  std::set<std::int64_t> kept_ops;
  std::set<std::int64_t> kept_carts;
  for (const auto& [id, rows] : kept) {
    for (const PaymentOpRecord& op : rows.ops) kept_ops.insert(op.id);
    for (const QuarantineRecord& q : rows.quarantined) kept_carts.insert(q.id);
  }
  for (const auto& [q, stays] : nobodys) {
    if (stays) kept_carts.insert(q);
  }
  std::set<std::int64_t> audit_kept;
  {
    SQLite::Statement audit(r.db.sql(),
                            "SELECT a.id, a.at_ms, a.op_id, a.quarantined_cart_id, a.outbox_id IN (SELECT id FROM outbox)"
                            " FROM audit_log a");
    while (audit.executeStep()) {
      const bool young = audit.getColumn(1).getInt64() >= cut.audit_ms;
      const bool op = kept_ops.contains(audit.getColumn(2).getInt64());
      const bool cart = !audit.getColumn(3).isNull() && kept_carts.contains(audit.getColumn(3).getInt64());
      const bool message = audit.getColumn(4).getInt() == 1;
      if (young || op || cart || message) audit_kept.insert(audit.getColumn(0).getInt64());
    }
  }

  (void)sweep_all(r.db, cut, limit);

  std::vector<std::string> problems;
  for (const auto& [id, rows] : kept) {
    const std::string now = r.rows(id).describe();
    if (now != rows.describe()) problems.push_back("must stay whole: " + rows.describe() + "\n  now: " + now);
  }
  for (const std::string& id : deleted) {
    if (r.rows(id).session) problems.push_back("final and old enough, not deleted: " + r.rows(id).describe());
  }
  for (const auto& [q, stays] : nobodys) {
    if (r.quarantined.find(q)->has_value() != stays) {
      problems.push_back("quarantined cart of nobody " + std::to_string(q) + (stays ? " deleted" : " kept"));
    }
  }
  std::set<std::int64_t> audit_after;
  {
    SQLite::Statement audit(r.db.sql(), "SELECT id FROM audit_log");
    while (audit.executeStep()) audit_after.insert(audit.getColumn(0).getInt64());
  }
  for (const std::int64_t id : audit_kept) {
    if (!audit_after.contains(id)) problems.push_back("audit row " + std::to_string(id) + " deleted, must stay");
  }
  for (const std::int64_t id : audit_after) {
    if (!audit_kept.contains(id)) problems.push_back("audit row " + std::to_string(id) + " kept, may go");
  }
  SQLite::Statement violations(r.db.sql(), "PRAGMA foreign_key_check");
  if (violations.executeStep()) problems.push_back("a foreign key dangles in " + violations.getColumn(0).getString());
  if (r.db.sql().execAndGet("SELECT COUNT(*) FROM outbox o WHERE o.session_id IS NOT NULL AND NOT EXISTS"
                            " (SELECT 1 FROM sessions s WHERE s.session_id = o.session_id)").getInt() != 0) {
    problems.push_back("an outbox message names a session that is gone");
  }
  if (r.db.sql().execAndGet("SELECT COUNT(*) FROM quarantined_carts q WHERE q.session_id <> '' AND NOT EXISTS"
                            " (SELECT 1 FROM sessions s WHERE s.session_id = q.session_id)").getInt() != 0) {
    problems.push_back("a quarantined cart names a session that is gone");
  }
  return problems;
}

// A new database for case `n`: a copy of an empty one made by Database::open (its schema
// migrations committed once, not once per case), without fsync and its one connection
// holding the file's lock throughout.
std::unique_ptr<Database> fresh_database(const passgate::test::TempDir& dir, std::uint64_t n) {
  const auto empty = dir / "empty.db";
  if (!std::filesystem::exists(empty)) {
    auto made = open_or_fail(empty);
    made->sql().exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  const auto file = dir / ("case" + std::to_string(n) + ".db");
  std::filesystem::copy_file(empty, file);
  auto db = open_or_fail(file);
  db->sql().exec("PRAGMA synchronous = OFF");
  db->sql().exec("PRAGMA locking_mode = EXCLUSIVE");  // no file lock taken and released per statement
  return db;
}

}  // namespace

TEST_CASE("retention: generated histories never lose what money or safety needs, and delete what is final") {
  const std::uint64_t cases = env_number("PASSGATE_RETENTION_CASES", kDefaultCases);
  const std::uint64_t first_seed = env_number("PASSGATE_RETENTION_SEED", kDefaultSeed);
  const passgate::test::TempDir dir;
  for (std::uint64_t n = 0; n < cases; ++n) {
    const std::uint64_t seed = first_seed + n;
    const auto db = fresh_database(dir, n);
    ShopRecords records(*db);
    HistoryCase history(seed, records);
    const std::int64_t sessions = history.pick(4, 14);
    for (std::int64_t i = 0; i < sessions; ++i) history.story(kBase + history.pick(0, 300 * kDayMs));
    std::int64_t now = kBase + history.pick(0, 100 * kDayMs);
    std::vector<std::string> problems;
    for (int sweep = 0; sweep < 3 && problems.empty(); ++sweep) {
      now += history.pick(0, 300 * kDayMs);
      history.meanwhile(now);
      const std::int64_t days = history.pick(7, 400);
      const std::int64_t audit_days = history.pick(days, 800);
      const RetentionCutoffs cut{now - days * kDayMs, now - audit_days * kDayMs};
      problems = sweep_and_check(records, history, cut, static_cast<int>(history.pick(1, 60)));
      for (const std::string& problem : problems) UNSCOPED_INFO("sweep " << sweep + 1 << ": " << problem);
    }
    if (!problems.empty()) {
      FAIL_CHECK("case seed " << seed << " failed (PASSGATE_RETENTION_CASES=1 PASSGATE_RETENTION_SEED=" << seed
                              << " replays it)");
      break;
    }
  }
}
