// CardAttemptStore: the durable record of card-tap entry attempts (docs/durability.md, "Card
// attempts"). One attempt is one arming of a lane's payment terminal: one session id, at most
// one PaymentIntent (hold). The lane's arming and tap machine drives it; every state change is
// one transaction, guarded by the state it leaves ("wrong_state" naming the current state,
// nothing written, if the attempt is elsewhere or unknown):
//   arm -> armed -> tapped -> held -> admitted                          (final)
//          armed | tapped | held -> abandoning -> voided                (final)
//   armed -> held directly on the collect/confirm-less path (process_payment_intent).
// `abandoning` means a hold may stand and must end canceled (cancel_action, then the void):
// deny() when the shopper was turned away, abandon() otherwise (re-arming, out of service, a
// restart). An attempt not recorded as admitted is never admitted afterwards.
// Nothing a request needs is sent before it is here: every idempotency key is written when the
// lane is armed (the collect and cancel_action keys of each further try by next_try, before
// that try's requests); the references the terminal returned are stored sealed by the caller
// (crypto/payment_sealer.hpp) and the card's fingerprint only as its keyed hash
// (crypto/card_fingerprint.hpp). Single-threaded, on the event loop.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "db/database.hpp"
#include "db/session_store.hpp"

namespace passgate::db {

enum class CardAttemptState {
  armed,       // keys written; customer, PaymentIntent and collect under way
  tapped,      // a card was collected (its fingerprint hash recorded); not yet authorized
  held,        // the PaymentIntent said requires_capture; the admission not yet committed
  admitted,    // the session was begun with it (final)
  abandoning,  // given up (reason); its PaymentIntent, if any, still to be canceled
  voided,      // its PaymentIntent canceled, or none was ever made (final)
};
[[nodiscard]] std::string_view to_string(CardAttemptState s);
[[nodiscard]] std::optional<CardAttemptState> card_attempt_state_from_string(std::string_view name);
// admitted and voided: nothing of the attempt changes any more.
[[nodiscard]] bool is_final(CardAttemptState s);

// The Idempotency-Key of each POST the attempt makes (ports/payment_terminal.hpp derives them):
// all begin with "<session_id>:" and no two are equal.
struct CardAttemptKeys {
  std::string customer;
  std::string hold;
  std::string confirm;
  std::string process;
  std::string void_intent;
  std::string collect;        // of the current try
  std::string cancel_action;  // of the current try
  bool operator==(const CardAttemptKeys&) const = default;
};

// A payment reference sealed by the caller (crypto/payment_sealer.hpp), with its key's id.
struct SealedRef {
  std::string key_id;
  std::vector<std::uint8_t> bytes;
  [[nodiscard]] bool empty() const { return bytes.empty(); }
  bool operator==(const SealedRef&) const = default;
};

struct NewCardAttempt {
  std::string session_id;  // generated at arming; the session it opens, if admitted
  int lane = 0;
  std::string reader_id;   // "tmr_..."
  std::string currency;
  std::int64_t hold_minor = 0;
  CardAttemptKeys keys;    // of try 0
};

// What step 6 read from the held PaymentIntent's charge.
struct HeldCard {
  std::string fingerprint_hash;   // keyed hash (crypto/card_fingerprint.hpp), never the fingerprint
  SealedRef generated_card;       // the saved card ("pm_..."), sealed; empty for a wallet
  std::string brand;
  std::string last4;
  bool incremental_authorization_supported = false;
  std::optional<std::int64_t> capture_before_s;  // Unix s
};

struct CardAttemptRecord {
  std::string session_id;
  int lane = 0;
  std::string reader_id;
  std::string currency;
  std::int64_t hold_minor = 0;
  CardAttemptKeys keys;
  int try_counter = 0;
  SealedRef customer;  // empty until recorded
  SealedRef intent;    // empty until recorded
  HeldCard card;       // fingerprint_hash from the tap; the rest once held
  CardAttemptState state = CardAttemptState::armed;
  std::string reason;          // abandoning, voided: why it was given up
  bool shopper_denied = false; // the reason was shown to a shopper (deny)
  std::int64_t armed_at_ms = 0;
  std::int64_t tapped_at_ms = 0;
  std::int64_t held_at_ms = 0;
  std::int64_t decided_at_ms = 0;   // admitted, or given up
  std::int64_t finished_at_ms = 0;  // admitted, or voided
};

// A card session's shopper: "card:<fingerprint hash>".
[[nodiscard]] std::string card_shopper(std::string_view fingerprint_hash);

class CardAttemptStore {
 public:
  explicit CardAttemptStore(Database& db) : db_(db) {}

  // A new attempt, armed, with all its keys. Errors: "lane_busy" (the lane's previous attempt
  // is not final; the message names it), "duplicate" (the session id, or a key, is already
  // used by an attempt or a session), "bad_attempt" (a key empty, not "<session_id>:...", or
  // equal to another; an empty session id or reader; a hold that is not positive).
  [[nodiscard]] Status arm(const NewCardAttempt& attempt, std::int64_t now_ms);
  // armed, no customer yet: the customer the terminal created (step 1).
  [[nodiscard]] Status record_customer(const std::string& session_id, const SealedRef& customer);
  // armed with its customer and no PaymentIntent yet: the PaymentIntent (step 2), before the
  // collect is sent.
  [[nodiscard]] Status record_intent(const std::string& session_id, const SealedRef& intent);
  // armed with its PaymentIntent, at try `from_try`: the next try (re-collect), its collect and
  // cancel_action keys written before its requests. "wrong_state" if the try is not `from_try`;
  // "bad_attempt" for keys as arm() refuses them.
  [[nodiscard]] Status next_try(const std::string& session_id, int from_try, const std::string& collect_key,
                                const std::string& cancel_action_key);
  // armed with its PaymentIntent -> tapped: the collected card's fingerprint hash.
  [[nodiscard]] Status mark_tapped(const std::string& session_id, const std::string& fingerprint_hash,
                                   std::int64_t now_ms);
  // tapped (or armed with its PaymentIntent, without the collect/confirm split) -> held.
  // "fingerprint_mismatch" if a tapped attempt's hash is not the held card's.
  [[nodiscard]] Status mark_held(const std::string& session_id, const HeldCard& card, std::int64_t now_ms);
  // held -> admitted, and the session begun (SessionStore::begin_within: its row, its used
  // token id, its open request in the outbox), in ONE transaction: both or nothing. The
  // session must be this attempt's: same id and lane, group of one, shopper
  // card_shopper(the held card's hash). Errors, with nothing written: "wrong_state";
  // "bad_session" (not this attempt's); "card_in_session" (the card has another open session);
  // "shopper_blocked" (the card is on the blocklist); those of begin_within. Without
  // `refuse_open_card` (anti-passback "soft" or "off") another open session does not refuse it.
  [[nodiscard]] Status admit(const std::string& session_id, const SessionStore::NewSession& session,
                             std::int64_t now_ms, bool refuse_open_card = true);
  // armed | tapped | held -> abandoning, the shopper turned away with `reason` (a denial reason).
  [[nodiscard]] Status deny(const std::string& session_id, const std::string& reason, std::int64_t now_ms);
  // armed | tapped | held -> abandoning with nobody denied (`reason`: rearm, out_of_service, ...).
  [[nodiscard]] Status abandon(const std::string& session_id, const std::string& reason, std::int64_t now_ms);
  // At start-up: every armed, tapped or held attempt -> abandoning (`reason`), in one
  // transaction: none was admitted, so none ever will be. How many.
  [[nodiscard]] Result<int> abandon_interrupted(const std::string& reason, std::int64_t now_ms);
  // abandoning -> voided: its PaymentIntent is canceled, or was never made.
  [[nodiscard]] Status mark_voided(const std::string& session_id, std::int64_t now_ms);

  [[nodiscard]] Result<std::optional<CardAttemptRecord>> find(const std::string& session_id);
  // Every attempt not final (to resolve after a restart), oldest first.
  [[nodiscard]] Result<std::vector<CardAttemptRecord>> unfinished();
  // The lane's latest attempt, if any.
  [[nodiscard]] Result<std::optional<CardAttemptRecord>> latest_of_lane(int lane);
  // Anti-passback: the newest open session (as SessionStore::open_session_of) of the card
  // whose hashes are `fingerprint_hashes` (the current key's and the previous keys'), other
  // than `except_session`; empty if none.
  [[nodiscard]] Result<std::optional<std::string>> open_session_of_card(const std::vector<std::string>& fingerprint_hashes,
                                                                      const std::string& except_session);

 private:
  Database& db_;
};

}  // namespace passgate::db
