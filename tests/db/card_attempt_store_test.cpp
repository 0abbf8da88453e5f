// CardAttemptStore (db/card_attempt_store.hpp): every transition and every refusal, the
// admission's single transaction, keys written before use and kept across a restart, and the
// list a restart resolves.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/card_attempt_store.hpp"
#include "db/card_blocklist.hpp"
#include "db/outbox.hpp"
#include "db/session_store.hpp"
#include "tests/db/card_attempt_support.hpp"
#include "tests/db/db_test_support.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

namespace {

constexpr const char* kCard = "fp_card_one";

CardAttemptRecord read(CardAttemptStore& store, const std::string& sid) {
  auto found = store.find(sid);
  REQUIRE(describe(found) == "ok");
  REQUIRE(found->has_value());
  return **found;
}

}  // namespace

TEST_CASE("card attempt: arming writes every key before any request, and they read back the same after a restart") {
  TestDatabase t;
  const CardCrypto c = CardCrypto::make();
  {
    CardAttemptStore store(*t.db);
    REQUIRE(describe(store.arm(new_attempt("sid-1", 1), kNow)) == "ok");
  }
  t.reopen();
  CardAttemptStore store(*t.db);
  CardAttemptRecord r = read(store, "sid-1");
  CHECK(r.keys == attempt_keys("sid-1"));
  CHECK(r.state == CardAttemptState::armed);
  CHECK(r.try_counter == 0);
  CHECK(r.lane == 1);
  CHECK(r.reader_id == "tmr_lane1");
  CHECK(r.hold_minor == 3000);
  CHECK(r.armed_at_ms == kNow);
  CHECK(r.customer.empty());
  CHECK(r.intent.empty());

  // The next try's keys are written before its requests, and the try counter with them.
  REQUIRE(describe(store.record_customer("sid-1", c.seal("cus_1", "sid-1"))) == "ok");
  REQUIRE(describe(store.record_intent("sid-1", c.seal("pi_1", "sid-1"))) == "ok");
  REQUIRE(describe(store.next_try("sid-1", 0, "sid-1:collect:1", "sid-1:cancel_action:1")) == "ok");
  t.reopen();
  CardAttemptStore again(*t.db);
  r = read(again, "sid-1");
  CHECK(r.try_counter == 1);
  CHECK(r.keys == attempt_keys("sid-1", 1));
  CHECK(c.open(r.customer, "sid-1") == "cus_1");
  CHECK(c.open(r.intent, "sid-1") == "pi_1");
  // A try already moved on is refused: a stale caller cannot skip a counter.
  CHECK(code_of(again.next_try("sid-1", 0, "sid-1:collect:2", "sid-1:cancel_action:2")) == "wrong_state");
  CHECK(code_of(again.next_try("sid-1", 1, "sid-1:collect:1", "sid-1:cancel_action:9")) == "bad_attempt");
  CHECK(read(again, "sid-1").keys == attempt_keys("sid-1", 1));
}

TEST_CASE("card attempt: arming refuses bad keys, a used session id and a lane whose previous attempt is not final") {
  TestDatabase t;
  const CardCrypto c = CardCrypto::make();
  CardAttemptStore store(*t.db);
  NewCardAttempt foreign = new_attempt("sid-a", 1);
  foreign.keys.hold = "other:tpreauth";
  CHECK(code_of(store.arm(foreign, kNow)) == "bad_attempt");
  NewCardAttempt twice = new_attempt("sid-a", 1);
  twice.keys.confirm = twice.keys.process;
  CHECK(code_of(store.arm(twice, kNow)) == "bad_attempt");
  NewCardAttempt no_hold = new_attempt("sid-a", 1);
  no_hold.hold_minor = 0;
  CHECK(code_of(store.arm(no_hold, kNow)) == "bad_attempt");

  REQUIRE(describe(store.arm(new_attempt("sid-a", 1), kNow)) == "ok");
  const auto busy = store.arm(new_attempt("sid-b", 1), kNow);
  CHECK(code_of(busy) == "lane_busy");
  CHECK_THAT(describe(busy), Catch::Contains("sid-a"));
  CHECK(code_of(store.arm(new_attempt("sid-a", 2), kNow)) == "duplicate");
  // Another lane arms freely; a session id an app session has is refused.
  REQUIRE(describe(store.arm(new_attempt("sid-c", 2), kNow)) == "ok");
  SessionStore sessions(*t.db);
  REQUIRE(describe(begin_session(sessions, session("app-1", "jti-1"))) == "ok");
  CHECK(code_of(store.arm(new_attempt("app-1", 3), kNow)) == "duplicate");

  // Given up, the attempt is still not final until its PaymentIntent is voided.
  REQUIRE(describe(store.abandon("sid-a", "rearm", kNow + 1)) == "ok");
  CHECK(code_of(store.arm(new_attempt("sid-b", 1), kNow)) == "lane_busy");
  REQUIRE(describe(store.mark_voided("sid-a", kNow + 2)) == "ok");
  CHECK(describe(store.arm(new_attempt("sid-b", 1), kNow + 3)) == "ok");
  // An admitted attempt is final too.
  REQUIRE(describe(store.abandon("sid-b", "rearm", kNow + 4)) == "ok");
  REQUIRE(describe(store.mark_voided("sid-b", kNow + 4)) == "ok");
  drive_to_admitted(store, c, "sid-d", 1, kCard);
  CHECK(describe(store.arm(new_attempt("sid-e", 1), kNow + 5)) == "ok");
}

TEST_CASE("card attempt: each step is refused from a wrong state and changes nothing") {
  TestDatabase t;
  const CardCrypto c = CardCrypto::make();
  CardAttemptStore store(*t.db);
  const std::string sid = "sid-1";
  const auto cus = c.seal("cus_1", sid);
  const auto pi = c.seal("pi_1", sid);
  const auto card = held_card(c, kCard, sid);

  // Unknown attempt.
  CHECK_THAT(describe(store.record_customer("nobody", cus)), Catch::Contains("no such attempt"));
  CHECK(code_of(store.mark_voided("nobody", kNow)) == "wrong_state");

  REQUIRE(describe(store.arm(new_attempt(sid, 1), kNow)) == "ok");
  // armed without a customer: no PaymentIntent, no tap, no hold, no admission, no void.
  CHECK(code_of(store.record_intent(sid, pi)) == "wrong_state");
  CHECK(code_of(store.record_customer(sid, SealedRef{})) == "bad_attempt");
  REQUIRE(describe(store.record_customer(sid, cus)) == "ok");
  CHECK(code_of(store.record_customer(sid, cus)) == "wrong_state");
  CHECK(code_of(store.mark_tapped(sid, card.fingerprint_hash, kNow)) == "wrong_state");
  CHECK(code_of(store.mark_held(sid, card, kNow)) == "wrong_state");
  CHECK(code_of(store.next_try(sid, 0, sid + ":collect:1", sid + ":cancel_action:1")) == "wrong_state");
  CHECK(code_of(store.admit(sid, card_session(sid, 1, card.fingerprint_hash), kNow)) == "wrong_state");
  CHECK(code_of(store.mark_voided(sid, kNow)) == "wrong_state");
  REQUIRE(describe(store.record_intent(sid, pi)) == "ok");
  CHECK(code_of(store.record_intent(sid, pi)) == "wrong_state");
  CHECK(code_of(store.mark_tapped(sid, "", kNow)) == "bad_attempt");

  // tapped: the held card must be the tapped one; no second tap.
  REQUIRE(describe(store.mark_tapped(sid, card.fingerprint_hash, kNow + 1)) == "ok");
  CHECK(code_of(store.mark_tapped(sid, card.fingerprint_hash, kNow + 1)) == "wrong_state");
  CHECK(code_of(store.mark_held(sid, held_card(c, "fp_other", sid), kNow + 2)) == "fingerprint_mismatch");
  CHECK(code_of(store.next_try(sid, 0, sid + ":collect:1", sid + ":cancel_action:1")) == "wrong_state");
  CHECK(read(store, sid).state == CardAttemptState::tapped);
  REQUIRE(describe(store.mark_held(sid, card, kNow + 2)) == "ok");
  CHECK(code_of(store.mark_held(sid, card, kNow + 2)) == "wrong_state");
  CHECK(code_of(store.mark_voided(sid, kNow)) == "wrong_state");

  CardAttemptRecord r = read(store, sid);
  CHECK(r.state == CardAttemptState::held);
  CHECK(r.tapped_at_ms == kNow + 1);
  CHECK(r.held_at_ms == kNow + 2);
  CHECK(r.card.fingerprint_hash == card.fingerprint_hash);
  CHECK(c.open(r.card.generated_card, sid) == "pm_saved_" + std::string(kCard));
  CHECK(r.card.brand == "visa");
  CHECK(r.card.last4 == "4242");
  CHECK(r.card.incremental_authorization_supported);
  CHECK(r.card.capture_before_s == card.capture_before_s);

  REQUIRE(describe(store.admit(sid, card_session(sid, 1, card.fingerprint_hash), kNow + 3)) == "ok");
  r = read(store, sid);
  CHECK(r.state == CardAttemptState::admitted);
  CHECK(r.decided_at_ms == kNow + 3);
  CHECK(r.finished_at_ms == kNow + 3);
  // Final: nothing moves it any more.
  CHECK(code_of(store.admit(sid, card_session(sid, 1, card.fingerprint_hash), kNow + 4)) == "wrong_state");
  CHECK(code_of(store.deny(sid, "payment_declined", kNow + 4)) == "wrong_state");
  CHECK(code_of(store.abandon(sid, "rearm", kNow + 4)) == "wrong_state");
  CHECK(code_of(store.mark_voided(sid, kNow + 4)) == "wrong_state");
  const auto interrupted = store.abandon_interrupted("restart", kNow + 5);
  REQUIRE(describe(interrupted) == "ok");
  CHECK(*interrupted == 0);
  CHECK(read(store, sid).state == CardAttemptState::admitted);
}

TEST_CASE("card attempt: the process path holds without a tap, denial and abandonment end voided") {
  TestDatabase t;
  const CardCrypto c = CardCrypto::make();
  CardAttemptStore store(*t.db);
  // Without the collect/confirm split: armed -> held.
  REQUIRE(describe(store.arm(new_attempt("sid-p", 1), kNow)) == "ok");
  REQUIRE(describe(store.record_customer("sid-p", c.seal("cus_p", "sid-p"))) == "ok");
  REQUIRE(describe(store.record_intent("sid-p", c.seal("pi_p", "sid-p"))) == "ok");
  REQUIRE(describe(store.mark_held("sid-p", held_card(c, kCard, "sid-p"), kNow + 1)) == "ok");
  CHECK(read(store, "sid-p").state == CardAttemptState::held);

  // Denied from each non-final state: the reason is kept, the shopper marked denied.
  REQUIRE(describe(store.deny("sid-p", "card_in_session", kNow + 2)) == "ok");
  CHECK(code_of(store.deny("sid-p", "card_in_session", kNow + 2)) == "wrong_state");
  CHECK(code_of(store.admit("sid-p", card_session("sid-p", 1, c.hash(kCard)), kNow + 3)) == "wrong_state");
  CardAttemptRecord r = read(store, "sid-p");
  CHECK(r.state == CardAttemptState::abandoning);
  CHECK(r.reason == "card_in_session");
  CHECK(r.shopper_denied);
  CHECK(r.decided_at_ms == kNow + 2);
  REQUIRE(describe(store.mark_voided("sid-p", kNow + 4)) == "ok");
  r = read(store, "sid-p");
  CHECK(r.state == CardAttemptState::voided);
  CHECK(r.finished_at_ms == kNow + 4);
  CHECK(code_of(store.mark_voided("sid-p", kNow + 5)) == "wrong_state");
  CHECK(code_of(store.abandon("sid-p", "rearm", kNow + 5)) == "wrong_state");

  REQUIRE(describe(store.arm(new_attempt("sid-q", 1), kNow + 6)) == "ok");
  CHECK(code_of(store.deny("sid-q", "", kNow + 6)) == "bad_attempt");
  REQUIRE(describe(store.abandon("sid-q", "rearm", kNow + 7)) == "ok");
  r = read(store, "sid-q");
  CHECK(r.reason == "rearm");
  CHECK_FALSE(r.shopper_denied);

  REQUIRE(describe(store.mark_voided("sid-q", kNow + 8)) == "ok");
  REQUIRE(describe(store.arm(new_attempt("sid-r", 1), kNow + 9)) == "ok");
  REQUIRE(describe(store.record_customer("sid-r", c.seal("cus_r", "sid-r"))) == "ok");
  REQUIRE(describe(store.record_intent("sid-r", c.seal("pi_r", "sid-r"))) == "ok");
  REQUIRE(describe(store.mark_tapped("sid-r", c.hash(kCard), kNow + 10)) == "ok");
  REQUIRE(describe(store.deny("sid-r", "payment_declined", kNow + 11)) == "ok");
  CHECK(read(store, "sid-r").state == CardAttemptState::abandoning);
}

TEST_CASE("card attempt: admission begins the session with its open request in the same transaction") {
  TestDatabase t;
  const CardCrypto c = CardCrypto::make();
  CardAttemptStore store(*t.db);
  drive_to_admitted(store, c, "sid-1", 1, kCard);
  t.reopen();
  SessionStore sessions(*t.db);
  const auto s = sessions.find("sid-1");
  REQUIRE(describe(s) == "ok");
  REQUIRE(s->has_value());
  CHECK((*s)->state == SessionState::opening);
  CHECK((*s)->shopper == card_shopper(c.hash(kCard)));
  CHECK((*s)->group_size == 1);
  const auto used = sessions.token_used("card:sid-1");
  REQUIRE(describe(used) == "ok");
  CHECK(*used);
  SQLite::Statement outbox(t.db->sql(), "SELECT COUNT(*) FROM outbox WHERE session_id = 'sid-1' AND kind = 'session_open'");
  REQUIRE(outbox.executeStep());
  CHECK(outbox.getColumn(0).getInt() == 1);
  CardAttemptStore again(*t.db);
  CHECK(read(again, "sid-1").state == CardAttemptState::admitted);
}

TEST_CASE("card attempt: an admission that fails part way leaves nothing of it") {
  TestDatabase t;
  const CardCrypto c = CardCrypto::make();
  CardAttemptStore store(*t.db);
  SessionStore sessions(*t.db);
  const std::string hash = c.hash(kCard);
  const auto nothing_written = [&](const std::string& sid) {
    CHECK(read(store, sid).state == CardAttemptState::held);
    const auto s = sessions.find(sid);
    REQUIRE(describe(s) == "ok");
    CHECK_FALSE(s->has_value());
    SQLite::Statement rows(t.db->sql(),
                           "SELECT (SELECT COUNT(*) FROM outbox WHERE session_id = ?1)"
                           " + (SELECT COUNT(*) FROM used_tokens WHERE session_id = ?1)");
    rows.bind(1, sid);
    REQUIRE(rows.executeStep());
    CHECK(rows.getColumn(0).getInt() == 0);
  };

  SECTION("the last write fails after the session's rows were written") {
    drive_to_held(store, c, "sid-1", 1, kCard);
    t.db->sql().exec(
        "CREATE TEMP TRIGGER fail_admission BEFORE UPDATE OF state ON card_attempts WHEN NEW.state = 'admitted'"
        " BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
    const auto admitted = store.admit("sid-1", card_session("sid-1", 1, hash), kNow + 3);
    CHECK(code_of(admitted) == "db_error");
    nothing_written("sid-1");
    t.db->sql().exec("DROP TRIGGER fail_admission");
    CHECK(describe(store.admit("sid-1", card_session("sid-1", 1, hash), kNow + 4)) == "ok");
  }
  SECTION("a session that is not the attempt's") {
    drive_to_held(store, c, "sid-1", 1, kCard);
    auto other_lane = card_session("sid-1", 2, hash);
    CHECK(code_of(store.admit("sid-1", other_lane, kNow)) == "bad_session");
    auto raw_fingerprint = card_session("sid-1", 1, hash);
    raw_fingerprint.record.shopper = std::string("card:") + kCard;
    CHECK(code_of(store.admit("sid-1", raw_fingerprint, kNow)) == "bad_session");
    auto group = card_session("sid-1", 1, hash);
    group.record.group_size = 2;
    CHECK(code_of(store.admit("sid-1", group, kNow)) == "bad_session");
    CHECK(code_of(store.admit("sid-1", card_session("sid-2", 1, hash), kNow)) == "bad_session");
    nothing_written("sid-1");
  }
  SECTION("the card already has an open session (taps at two lanes)") {
    drive_to_held(store, c, "sid-1", 1, kCard);
    drive_to_admitted(store, c, "sid-2", 2, kCard);
    CHECK(code_of(store.admit("sid-1", card_session("sid-1", 1, hash), kNow)) == "card_in_session");
    nothing_written("sid-1");
    const auto open = store.open_session_of_card({"stale-key-hash", hash}, "");
    REQUIRE(describe(open) == "ok");
    CHECK(*open == std::optional<std::string>("sid-2"));
  }
  SECTION("the card is on the blocklist") {
    drive_to_held(store, c, "sid-1", 1, kCard);
    CardBlocklist blocklist(*t.db);
    REQUIRE(describe(blocklist.add(hash, "unpaid_remainder", "old-session", kNow)) == "ok");
    CHECK(code_of(store.admit("sid-1", card_session("sid-1", 1, hash), kNow)) == "shopper_blocked");
    nothing_written("sid-1");
  }
  SECTION("the session's token id is used already") {
    drive_to_held(store, c, "sid-1", 1, kCard);
    REQUIRE(describe(begin_session(sessions, session("app-1", "card:sid-1"))) == "ok");
    CHECK(code_of(store.admit("sid-1", card_session("sid-1", 1, hash), kNow)) == "replayed");
    nothing_written("sid-1");
  }
}

TEST_CASE("card attempt: after a restart every attempt not final is listed, and none is ever admitted") {
  TestDatabase t;
  const CardCrypto c = CardCrypto::make();
  {
    CardAttemptStore store(*t.db);
    REQUIRE(describe(store.arm(new_attempt("sid-armed", 1), kNow)) == "ok");
    drive_to_held(store, c, "sid-held", 2, kCard);
    REQUIRE(describe(store.arm(new_attempt("sid-tapped", 3), kNow + 1)) == "ok");
    REQUIRE(describe(store.record_customer("sid-tapped", c.seal("cus_t", "sid-tapped"))) == "ok");
    REQUIRE(describe(store.record_intent("sid-tapped", c.seal("pi_t", "sid-tapped"))) == "ok");
    REQUIRE(describe(store.mark_tapped("sid-tapped", c.hash("fp_t"), kNow + 2)) == "ok");
    REQUIRE(describe(store.arm(new_attempt("sid-giving-up", 4), kNow + 2)) == "ok");
    REQUIRE(describe(store.deny("sid-giving-up", "terminal_unavailable", kNow + 3)) == "ok");
    drive_to_admitted(store, c, "sid-in", 5, "fp_in");
    REQUIRE(describe(store.arm(new_attempt("sid-void", 6), kNow + 3)) == "ok");
    REQUIRE(describe(store.abandon("sid-void", "rearm", kNow + 4)) == "ok");
    REQUIRE(describe(store.mark_voided("sid-void", kNow + 4)) == "ok");
  }
  t.reopen();  // the crash
  CardAttemptStore store(*t.db);
  auto listed = store.unfinished();
  REQUIRE(describe(listed) == "ok");
  std::vector<std::string> ids;
  for (const auto& r : *listed) ids.push_back(r.session_id);
  CHECK(ids == std::vector<std::string>{"sid-armed", "sid-held", "sid-tapped", "sid-giving-up"});

  const auto abandoned = store.abandon_interrupted("restart", kNow + 10);
  REQUIRE(describe(abandoned) == "ok");
  CHECK(*abandoned == 3);
  for (const char* sid : {"sid-armed", "sid-held", "sid-tapped"}) {
    const CardAttemptRecord r = read(store, sid);
    CHECK(r.state == CardAttemptState::abandoning);
    CHECK(r.reason == "restart");
    CHECK(code_of(store.admit(sid, card_session(sid, r.lane, r.card.fingerprint_hash), kNow + 11)) == "wrong_state");
  }
  CHECK(read(store, "sid-giving-up").reason == "terminal_unavailable");  // decided before: kept
  const auto lane2 = store.latest_of_lane(2);
  REQUIRE(describe(lane2) == "ok");
  CHECK((*lane2)->session_id == "sid-held");
  // Each is resolved (its hold voided); then the lanes arm afresh.
  for (const auto& r : *listed) REQUIRE(describe(store.mark_voided(r.session_id, kNow + 12)) == "ok");
  listed = store.unfinished();
  REQUIRE(describe(listed) == "ok");
  CHECK(listed->empty());
  CHECK(describe(store.arm(new_attempt("sid-next", 2), kNow + 13)) == "ok");
}

TEST_CASE("card attempt: no payment reference or card fingerprint is written to disk in plain text") {
  TestDatabase t;
  const CardCrypto c = CardCrypto::make();
  {
    CardAttemptStore store(*t.db);
    drive_to_admitted(store, c, "sid-1", 1, "fp_PLAINFINGERPRINT");
    CardBlocklist blocklist(*t.db);
    REQUIRE(describe(blocklist.add(c.hash("fp_PLAINFINGERPRINT"), "unpaid_remainder", "sid-1", kNow)) == "ok");
  }
  t.db.reset();  // everything in the file and its WAL
  std::string bytes;
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream in(t.file.string() + suffix, std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  REQUIRE(bytes.find("sid-1:tpreauth") != std::string::npos);  // the file was read
  // The references drive_to_admitted seals ("cus_sid-1", "pi_sid-1", "pm_saved_fp_...").
  for (const char* plain : {"cus_sid-1", "pi_sid-1", "PLAINFINGERPRINT"}) {
    INFO(plain);
    CHECK(bytes.find(plain) == std::string::npos);
  }
}
