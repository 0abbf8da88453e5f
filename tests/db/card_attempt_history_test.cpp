// Generated histories of card attempts (db/card_attempt_store.hpp) against a small reference
// model written here: random sequences over three lanes and four cards of arm, each step's
// record, tap, hold, admit (some with a failure injected part way), deny, abandon, void,
// blocklist, a card session ending, and crashes (the database files copied as a killed process
// leaves them and opened again, then the start-up recovery). Every call's outcome must be the
// model's, and after every step:
//   - at most one attempt per lane is not final;
//   - every admitted attempt has its session, every card session its admitted attempt, and a
//     card has at most one open session;
//   - each attempt reads as the model says, and a final attempt (and any PaymentIntent
//     recorded) never changes again.
// ctest runs kHistoryCases from kHistorySeed (fsync skipped: the copy is what a crash leaves).
// A long run: PASSGATE_CARD_CASES=2000 PASSGATE_CARD_SEED=1 build/asan/tests/test_db "card attempt history*"
// A failure names its seed: PASSGATE_CARD_CASES=1 PASSGATE_CARD_SEED=<seed> replays it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/card_attempt_store.hpp"
#include "db/card_blocklist.hpp"
#include "db/session_store.hpp"
#include "tests/db/card_attempt_support.hpp"
#include "tests/db/db_test_support.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

namespace {

constexpr std::uint64_t kHistoryCases = 40;
constexpr std::uint64_t kHistorySeed = 20261219;
constexpr int kSteps = 120;
constexpr int kLanes = 3;
constexpr int kCards = 4;

std::uint64_t history_env(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? std::stoull(text) : fallback;
}

std::string fingerprint(int card) { return "fp_card_" + std::to_string(card); }

// What the model knows of one attempt.
struct ModelAttempt {
  int lane = 0;
  CardAttemptState state = CardAttemptState::armed;
  bool customer = false;
  bool intent = false;
  int try_counter = 0;
  std::optional<int> card;  // tapped or held
  bool session_open = false;  // admitted and its session neither cancelled nor ended
};

bool unfinished(const ModelAttempt& a) { return !is_final(a.state); }

std::string text_of(const CardAttemptRecord& r) {
  std::string t = r.session_id + "|" + std::to_string(r.lane) + "|" + std::string(to_string(r.state)) + "|" +
                  std::to_string(r.try_counter) + "|" + r.keys.collect + "|" + r.card.fingerprint_hash + "|" +
                  r.reason + "|" + std::to_string(r.finished_at_ms) + "|";
  for (const auto b : r.intent.bytes) t += std::to_string(b) + ",";
  return t;
}

class History {
 public:
  History(std::uint64_t seed, const CardCrypto& crypto) : random_(seed), c_(crypto) { open(); }

  void run() {
    for (int step = 0; step < kSteps; ++step) {
      const int what = pick(100);
      if (what < 12) {
        arm();
      } else if (what < 80) {
        advance();
      } else if (what < 85) {
        block();
      } else if (what < 92) {
        end_session();
      } else {
        crash();
      }
      check();
    }
  }

 private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(random_); }

  void open() {
    db_ = open_or_fail(file_);
    db_->sql().exec("PRAGMA synchronous = OFF");
    store_.emplace(*db_);
  }

  std::optional<std::string> unfinished_of(int lane) const {
    for (const auto& [sid, a] : model_) {
      if (a.lane == lane && unfinished(a)) return sid;
    }
    return std::nullopt;
  }

  void arm() {
    const int lane = pick(kLanes) + 1;
    const std::string sid = "sid-" + std::to_string(++made_);
    const auto armed = store_->arm(new_attempt(sid, lane), now());
    if (unfinished_of(lane)) {
      REQUIRE(code_of(armed) == "lane_busy");
      return;
    }
    REQUIRE(describe(armed) == "ok");
    model_[sid] = ModelAttempt{.lane = lane, .state = CardAttemptState::armed, .customer = false, .intent = false, .try_counter = 0, .card = std::nullopt, .session_open = false};
  }

  // One step of a random attempt, the model deciding what the store must answer.
  void advance() {
    if (model_.empty()) return;
    auto it = model_.begin();
    std::advance(it, pick(static_cast<int>(model_.size())));
    const std::string sid = it->first;
    ModelAttempt& a = it->second;
    const bool armed = a.state == CardAttemptState::armed;
    const bool live = armed || a.state == CardAttemptState::tapped || a.state == CardAttemptState::held;
    const int card = pick(kCards);
    switch (pick(9)) {
      case 0: {
        const bool ok = armed && !a.customer;
        REQUIRE(code_of(store_->record_customer(sid, c_.seal("cus_" + sid, sid))) == (ok ? "ok" : "wrong_state"));
        a.customer = a.customer || ok;
        return;
      }
      case 1: {
        const bool ok = armed && a.customer && !a.intent;
        REQUIRE(code_of(store_->record_intent(sid, c_.seal("pi_" + sid, sid))) == (ok ? "ok" : "wrong_state"));
        a.intent = a.intent || ok;
        return;
      }
      case 2: {
        const int from = a.try_counter - pick(2);
        const int n = a.try_counter + 1;
        const bool ok = armed && a.intent && from == a.try_counter;
        REQUIRE(code_of(store_->next_try(sid, from, sid + ":collect:" + std::to_string(n),
                                         sid + ":cancel_action:" + std::to_string(n))) == (ok ? "ok" : "wrong_state"));
        if (ok) a.try_counter = n;
        return;
      }
      case 3: {
        const bool ok = armed && a.intent;
        REQUIRE(code_of(store_->mark_tapped(sid, c_.hash(fingerprint(card)), now())) == (ok ? "ok" : "wrong_state"));
        if (ok) {
          a.state = CardAttemptState::tapped;
          a.card = card;
        }
        return;
      }
      case 4: {
        const bool tapped = a.state == CardAttemptState::tapped;
        std::string expected = "wrong_state";
        if (a.intent && (armed || (tapped && a.card == card))) expected = "ok";
        if (a.intent && tapped && a.card != card) expected = "fingerprint_mismatch";
        REQUIRE(code_of(store_->mark_held(sid, held_card(c_, fingerprint(card), sid), now())) == expected);
        if (expected == "ok") {
          a.state = CardAttemptState::held;
          a.card = card;
        }
        return;
      }
      case 5: admit(sid, a); return;
      case 6:
        REQUIRE(code_of(pick(2) == 0 ? store_->deny(sid, "payment_declined", now()) : store_->abandon(sid, "rearm", now())) ==
                (live ? "ok" : "wrong_state"));
        if (live) a.state = CardAttemptState::abandoning;
        return;
      default: {
        const bool ok = a.state == CardAttemptState::abandoning;
        REQUIRE(code_of(store_->mark_voided(sid, now())) == (ok ? "ok" : "wrong_state"));
        if (ok) a.state = CardAttemptState::voided;
        return;
      }
    }
  }

  void admit(const std::string& sid, ModelAttempt& a) {
    const std::string hash = a.card ? c_.hash(fingerprint(*a.card)) : c_.hash("fp_none");
    std::string expected = "ok";
    if (a.state != CardAttemptState::held) {
      expected = "wrong_state";
    } else if (card_in_session(*a.card)) {
      expected = "card_in_session";
    } else if (blocked_.count(*a.card) > 0) {
      expected = "shopper_blocked";
    }
    // Sometimes a write part way through fails: nothing of the admission may stay.
    static const char* const kFaults[] = {
        "BEFORE INSERT ON sessions", "BEFORE INSERT ON used_tokens", "BEFORE INSERT ON outbox",
        "BEFORE UPDATE OF state ON card_attempts WHEN NEW.state = 'admitted'"};
    const bool fault = expected == "ok" && pick(4) == 0;
    if (fault) {
      db_->sql().exec(std::string("CREATE TEMP TRIGGER fault ") + kFaults[pick(4)] +
                      " BEGIN SELECT RAISE(ABORT, 'injected'); END");
      expected = "db_error";
    }
    REQUIRE(code_of(store_->admit(sid, card_session(sid, a.lane, hash), now())) == expected);
    if (fault) db_->sql().exec("DROP TRIGGER fault");
    if (expected == "ok") {
      a.state = CardAttemptState::admitted;
      a.session_open = true;
    }
  }

  bool card_in_session(int card) const {
    for (const auto& [sid, a] : model_) {
      if (a.session_open && a.card == card) return true;
    }
    return false;
  }

  void block() {
    const int card = pick(kCards);
    CardBlocklist list(*db_);
    const auto added = list.add(c_.hash(fingerprint(card)), "unpaid_remainder", "sid-x", now());
    REQUIRE(describe(added) == "ok");
    CHECK(*added == (blocked_.count(card) == 0));
    blocked_.insert(card);
  }

  // A card session ends (cancelled unused): its card is free to enter again.
  void end_session() {
    for (auto& [sid, a] : model_) {
      if (!a.session_open) continue;
      SessionStore sessions(*db_);
      REQUIRE(describe(sessions.mark_open(sid)) == "ok");
      const OutboxMessage cancel{"cancel", "/v1/sessions/" + sid + "/cancel", "{}", sid};
      REQUIRE(describe(sessions.mark_cancelled(sid, cancel, now())) == "ok");
      a.session_open = false;
      return;
    }
  }

  // A killed process: the files as they are, opened again, then the start-up recovery.
  void crash() {
    const std::filesystem::path copy = dir_ / ("crash-" + std::to_string(++crashes_) + ".db");
    std::filesystem::copy_file(file_, copy);
    std::filesystem::path wal = file_;
    wal += "-wal";
    if (std::filesystem::exists(wal)) {
      std::filesystem::path copy_wal = copy;
      copy_wal += "-wal";
      std::filesystem::copy_file(wal, copy_wal);
    }
    store_.reset();
    db_.reset();
    file_ = copy;
    open();
    auto listed = store_->unfinished();
    REQUIRE(describe(listed) == "ok");
    std::vector<std::string> expected;
    for (const auto& [sid, a] : model_) {
      if (unfinished(a)) expected.push_back(sid);
    }
    std::vector<std::string> found;
    for (const auto& r : *listed) found.push_back(r.session_id);
    std::sort(found.begin(), found.end());
    REQUIRE(found == expected);  // model_ is ordered by id
    const auto abandoned = store_->abandon_interrupted("restart", now());
    REQUIRE(describe(abandoned) == "ok");
    int live = 0;
    for (auto& [sid, a] : model_) {
      if (unfinished(a) && a.state != CardAttemptState::abandoning) {
        a.state = CardAttemptState::abandoning;
        ++live;
      }
    }
    REQUIRE(*abandoned == live);
  }

  void check() {
    SQLite::Statement lanes(db_->sql(),
                            "SELECT COUNT(*) FROM (SELECT lane FROM card_attempts WHERE state NOT IN ('admitted', 'voided')"
                            " GROUP BY lane HAVING COUNT(*) > 1)");
    REQUIRE(lanes.executeStep());
    REQUIRE(lanes.getColumn(0).getInt() == 0);
    SQLite::Statement orphans(db_->sql(),
                              "SELECT (SELECT COUNT(*) FROM card_attempts a WHERE a.state = 'admitted'"
                              "   AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = a.session_id))"
                              " + (SELECT COUNT(*) FROM sessions s WHERE s.shopper LIKE 'card:%'"
                              "   AND NOT EXISTS (SELECT 1 FROM card_attempts a WHERE a.session_id = s.session_id"
                              "     AND a.state = 'admitted'))");
    REQUIRE(orphans.executeStep());
    REQUIRE(orphans.getColumn(0).getInt() == 0);
    SQLite::Statement per_card(db_->sql(),
                               "SELECT COUNT(*) FROM (SELECT shopper FROM sessions WHERE shopper LIKE 'card:%'"
                               " AND state IN ('opening', 'open', 'open_offline') GROUP BY shopper HAVING COUNT(*) > 1)");
    REQUIRE(per_card.executeStep());
    REQUIRE(per_card.getColumn(0).getInt() == 0);
    for (const auto& [sid, a] : model_) {
      auto found = store_->find(sid);
      REQUIRE(describe(found) == "ok");
      REQUIRE(found->has_value());
      const CardAttemptRecord& r = **found;
      INFO(sid);
      REQUIRE(r.state == a.state);
      REQUIRE(r.lane == a.lane);
      REQUIRE(r.try_counter == a.try_counter);
      REQUIRE(r.keys.collect == sid + ":collect:" + std::to_string(a.try_counter));
      REQUIRE(r.customer.empty() == !a.customer);
      REQUIRE(r.intent.empty() == !a.intent);
      if (a.card) REQUIRE(r.card.fingerprint_hash == c_.hash(fingerprint(*a.card)));
      const std::string text = text_of(r);
      if (is_final(a.state)) {
        const auto kept = final_.emplace(sid, text).first;
        REQUIRE(kept->second == text);  // nothing final ever changes
      }
      if (a.intent) {
        const auto kept = intents_.emplace(sid, r.intent.bytes).first;
        REQUIRE(kept->second == r.intent.bytes);  // one PaymentIntent per attempt, never replaced
      }
    }
  }

  std::int64_t now() { return kNow + ++tick_; }

  std::mt19937_64 random_;
  const CardCrypto& c_;
  passgate::test::TempDir dir_;
  std::filesystem::path file_ = dir_ / "gate.db";
  std::unique_ptr<Database> db_;
  std::optional<CardAttemptStore> store_;
  std::map<std::string, ModelAttempt> model_;
  std::set<int> blocked_;
  std::map<std::string, std::string> final_;
  std::map<std::string, std::vector<std::uint8_t>> intents_;
  int made_ = 0;
  int crashes_ = 0;
  std::int64_t tick_ = 0;
};

}  // namespace

TEST_CASE("card attempt history: generated histories with crashes keep every invariant of the model") {
  const CardCrypto crypto = CardCrypto::make();
  const std::uint64_t cases = history_env("PASSGATE_CARD_CASES", kHistoryCases);
  const std::uint64_t first_seed = history_env("PASSGATE_CARD_SEED", kHistorySeed);
  for (std::uint64_t seed = first_seed; seed < first_seed + cases; ++seed) {
    INFO("case seed " << seed << " (PASSGATE_CARD_CASES=1 PASSGATE_CARD_SEED=" << seed << ")");
    History(seed, crypto).run();
  }
}
