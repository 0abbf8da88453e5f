// For the card attempt tests: a lane's attempt driven through the real store as the lane
// would drive it (keys as ports/payment_terminal.hpp derives them, references sealed with
// crypto/payment_sealer.hpp, fingerprints hashed with crypto/card_fingerprint.hpp), and the
// card session the admission begins.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "crypto/card_fingerprint.hpp"
#include "crypto/payment_sealer.hpp"
#include "db/card_attempt_store.hpp"
#include "tests/db/db_test_support.hpp"

namespace passgate::db::test {

// "ok" or the error's code.
inline std::string code_of(const Status& s) { return s.ok() ? "ok" : s.error().code; }

inline CardAttemptKeys attempt_keys(const std::string& sid, int n = 0) {
  const std::string t = std::to_string(n);
  return CardAttemptKeys{.customer = sid + ":customer",
                         .hold = sid + ":tpreauth",
                         .confirm = sid + ":confirm",
                         .process = sid + ":process",
                         .void_intent = sid + ":void",
                         .collect = sid + ":collect:" + t,
                         .cancel_action = sid + ":cancel_action:" + t};
}

inline NewCardAttempt new_attempt(const std::string& sid, int lane) {
  return NewCardAttempt{.session_id = sid, .lane = lane, .reader_id = "tmr_lane" + std::to_string(lane),
                        .currency = "eur", .hold_minor = 3000, .keys = attempt_keys(sid)};
}

// The sealer and hasher of a gate whose sealing key is `key` (32 bytes).
struct CardCrypto {
  crypto::PaymentSealer sealer;
  crypto::CardFingerprintHasher hasher;

  static CardCrypto make(const std::string& key = std::string(32, 'k')) {
    auto sealer = crypto::PaymentSealer::from_keys({key});
    REQUIRE(describe(sealer) == "ok");
    auto hasher = sealer->card_fingerprint_hasher();
    REQUIRE(describe(hasher) == "ok");
    return CardCrypto{std::move(sealer).value(), std::move(hasher).value()};
  }
  // `reference` ("cus_...", "pi_...", "pm_...") sealed for attempt `sid`.
  [[nodiscard]] SealedRef seal(const std::string& reference, const std::string& sid) const {
    auto sealed = sealer.seal(reference, sid);
    REQUIRE(describe(sealed) == "ok");
    return SealedRef{sealed->key_id, sealed->blob};
  }
  [[nodiscard]] std::string open(const SealedRef& ref, const std::string& sid) const {
    auto opened = sealer.open(crypto::SealedValue{ref.key_id, ref.bytes}, sid);
    REQUIRE(describe(opened) == "ok");
    return *opened;
  }
  // The card's hash under the current key.
  [[nodiscard]] std::string hash(const std::string& fingerprint) const {
    auto digests = hasher.digests(fingerprint);
    REQUIRE(describe(digests) == "ok");
    return digests->front();
  }
};

inline HeldCard held_card(const CardCrypto& c, const std::string& fingerprint, const std::string& sid) {
  return HeldCard{.fingerprint_hash = c.hash(fingerprint), .generated_card = c.seal("pm_saved_" + fingerprint, sid),
                  .brand = "visa", .last4 = "4242", .incremental_authorization_supported = true,
                  .capture_before_s = kNow / 1000 + 7 * 24 * 3600};
}

// The session the admission of attempt `sid` on `lane` begins for the card `hash`.
inline SessionStore::NewSession card_session(const std::string& sid, int lane, const std::string& hash) {
  SessionRecord s = session(sid, "card:" + sid, kNow, kNow / 1000);
  s.lane = lane;
  s.shopper = card_shopper(hash);
  s.group_size = 1;
  return SessionStore::NewSession{s, open_request_of(s)};
}

// Arms attempt `sid` on `lane` and drives it to held with `fingerprint`'s card.
inline void drive_to_held(CardAttemptStore& store, const CardCrypto& c, const std::string& sid, int lane,
                          const std::string& fingerprint) {
  REQUIRE(describe(store.arm(new_attempt(sid, lane), kNow)) == "ok");
  REQUIRE(describe(store.record_customer(sid, c.seal("cus_" + sid, sid))) == "ok");
  REQUIRE(describe(store.record_intent(sid, c.seal("pi_" + sid, sid))) == "ok");
  REQUIRE(describe(store.mark_tapped(sid, c.hash(fingerprint), kNow + 1)) == "ok");
  REQUIRE(describe(store.mark_held(sid, held_card(c, fingerprint, sid), kNow + 2)) == "ok");
}

inline void drive_to_admitted(CardAttemptStore& store, const CardCrypto& c, const std::string& sid, int lane,
                              const std::string& fingerprint) {
  drive_to_held(store, c, sid, lane, fingerprint);
  REQUIRE(describe(store.admit(sid, card_session(sid, lane, c.hash(fingerprint)), kNow + 3)) == "ok");
}

}  // namespace passgate::db::test
