// The steps of a generated store day, as plain values: what shoppers (app shoppers and card
// shoppers who tap at the entry lane's terminal), the tracking engine, the payment gateway,
// the gate's host and the operator do, in order. A day is a list of
// steps; the generator writes them, the day runner plays them, the shrinker removes them, and
// to_code() prints them as C++ that builds the same list (for a regression TEST_CASE).
// A day with any step of the store (an unverified admission, the store's answer, [store]
// removed) runs a gate with [store] from its start (docs/store-coordination.md): its etcd is
// the model's (tests/coordination/fake_store_kv.hpp), kept across the gate's crashes, and
// another gate array of the store is reduced to the token claims it makes there.
// Sessions are named by number (1 is "s1"); a step about a session that does not exist (yet,
// or any more after shrinking) does nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace passgate::model {

// The payment method the shopper's app carries.
enum class Card { visa, declined };

// What the tracking engine answers when the gate opens the session (after the hold).
enum class Engine { admits, refuses };

// What the gateway does to one request (docs/settlement.md, "When things go wrong").
enum class Fault {
  timeout_applied,  // the gateway executes it, the answer never arrives: a time-out
  timeout_lost,     // the request never reaches the gateway: a time-out
  refused,          // connection refused at once, nothing executed
  error5xx,         // 503, nothing executed
  in_progress409,   // 409: the same key is still being processed, nothing executed
  rate_limited429,  // 429 with Retry-After: 1, nothing executed
  decline,          // the shopper's card declines from this request on (402 at creation)
  lie_amount,       // executed, then the 200 answer misstates every amount
  stale_read,       // a lookup (search): answered as the ledger stood before the session's
                    // latest request, if that was within a minute (a search index lagging
                    // behind; card days only)
};

// What the terminal's read of a card hold says of its deadline (capture_before): the
// network's own deadline in Unix seconds, nothing (null: the gate watches such a hold 8 days),
// or nonsense a hold cannot have (the gate does not believe the read and turns the card away):
// in milliseconds, not after the hold was made, more than 31 days after it, past the year 9999.
// Whatever it says, the hold lapses at the network's deadline (capture_window_ms).
enum class Deadline { told, untold, milliseconds, before_tap, past_31_days, huge };

// A card shopper's tap (docs/settlement.md, "Card sessions"): the card-present hold the
// terminal places, and what the card allows afterwards.
struct CardTap {
  int number = 0;            // which approving test card (0-3): taps of one card share its fingerprint
  bool wallet = false;       // a phone wallet: its own fingerprint, no saved card to charge off-session
  bool incremental = true;   // the hold supports incremental authorization
  Card rest = Card::visa;    // Card::declined: an off-session charge to the saved card declines
  std::int64_t capture_window_ms = 7 * 24 * 3600 * 1000LL;  // the hold lapses this long after the tap
  Deadline deadline = Deadline::told;  // what the terminal says of it

  friend bool operator==(const CardTap&, const CardTap&) = default;
};

// Step::pick for the newest dead letter (the highest operation id): what the operator follows
// after retrying one whose new attempt declined again.
inline constexpr int kNewestDeadLetter = -1;

// Whether the shopper's card can pay again when the operator retries (they topped it up,
// or the issuer lifted its block): the session's charges first sent from then on (under a new
// key: one sent before carries what it first did, its stored answer replayed) are approved.
enum class Funds { unchanged, restored };

// What the store's etcd does when asked next (store_answers): the owed claims are made (the
// token found free: claimed fine); another gate array admitted the session's token meanwhile,
// then etcd answers (the claim is a double use); or it still does not answer.
enum class Resolution { claimed, double_use, unreachable };

struct Step {
  enum class Kind {
    admit, cart, cancel, fault, time, wall, crash, crash_recording, retry, write_off, tap, reload,
    admit_unverified, store, hours, store_removed, charge_cart
  };
  Kind kind = Kind::time;
  int session = 0;          // admit, cart, cancel; fault: 0 = whatever request comes next
  std::int64_t amount = 0;  // admit: hold (0 none); cart: total; time, wall, crash, crash_recording: ms
  Card card = Card::visa;
  Engine engine = Engine::admits;
  Fault fault = Fault::error5xx;
  int pick = 0;             // retry, write_off: which dead letter (index modulo the list's size;
                            // kNewestDeadLetter: the newest, the one an operator follows after a retry);
                            // reload: which settings (modulo 3) and sealing keys (pick / 3 modulo 3);
                            // charge_cart: which open quarantined cart (modulo the list's size)
  CardTap card_tap;         // tap
  Funds funds = Funds::unchanged;  // retry
  Resolution resolution = Resolution::claimed;  // store

  friend bool operator==(const Step&, const Step&) = default;
};

// A shopper scans in: the session begins; with a hold, it is placed as controller/entry_hold
// does before the engine is asked.
[[nodiscard]] Step admit(int session, std::int64_t hold_minor, Card card = Card::visa, Engine engine = Engine::admits);
// A card shopper taps at the entry lane: a card-present hold of `hold_minor` USD is placed
// (by the terminal, at the gateway) and the card attempt admitted as the card-entry runner
// admits it, unless the card is on the blocklist or has an open session: then it is denied
// and its hold voided at once (the runner's abandon).
[[nodiscard]] Step card_tap(int session, std::int64_t hold_minor, CardTap tap = {});
// The tracking engine publishes a final cart of `total_minor` USD (again: a duplicate; for an
// ended session: a late cart).
[[nodiscard]] Step final_cart(int session, std::int64_t total_minor);
// The shopper turns back at the lane: an open session without a cart is cancelled.
[[nodiscard]] Step cancel_at_lane(int session);
// The next gateway request about `session` (0: any) meets `fault`.
[[nodiscard]] Step gateway_fault(int session, Fault fault);
// Virtual time runs on (timers fire, answers arrive).
[[nodiscard]] Step time_passes(std::int64_t ms);
// The gate's wall clock is stepped (NTP), forward or back; monotonic time does not move.
[[nodiscard]] Step wall_clock_step(std::int64_t ms);
// kill -9 of the gate, down for `down_ms` (the gateway's 24 h key memory lapses when it is
// down that long), then a restart on the same database file.
[[nodiscard]] Step crash_restart(std::int64_t down_ms);
// The same, but the kill comes as soon as the next gateway answer has reached the gate (within
// 20 s), before its loop turns again: the drainer's batch record of that outcome is still
// pending (controller/settlement/drainer.hpp), so the operation is in flight at the restart.
[[nodiscard]] Step crash_before_record(std::int64_t down_ms);
// The operator retries / writes off a dead letter (passgatectl queue retry | write-off); a
// retry with Funds::restored after the shopper's card can pay again.
[[nodiscard]] Step operator_retry(int pick, Funds funds = Funds::unchanged);
[[nodiscard]] Step operator_write_off(int pick);
// SIGHUP: the config is reloaded with settings `pick` (the drainer's pace, concurrency and
// time-out) and sealing keys (the same; a new current key beside the previous ones; a new key
// alone): the sealing keys and the gateway account are checked, then applied.
[[nodiscard]] Step config_reload(int pick);

// With [store] and fallback "local": the same entry while the store's etcd does not answer: the
// session is admitted unverified and its token's and shopper's claims are owed (etcd stays
// silent from then on, until store_answers says otherwise). Without [store] (removed): admit.
[[nodiscard]] Step admit_unverified(int session, std::int64_t hold_minor, Card card = Card::visa,
                                    Engine engine = Engine::admits);
// The store's etcd from now on: answers (the gate's reconciler makes what it owes), after
// another gate array admitted `session`'s token too (Resolution::double_use: its claim is
// refused if ours is still owed; a session whose claim was made, or that owes none, is
// untouched), or stays silent.
[[nodiscard]] Step store_answers(int session, Resolution resolution);
// `ms` (hours) pass while the gate's loop sleeps: both clocks move on, and what came due
// meanwhile runs once at the end (the claim wait, kClaimWaitMaxS, passes; the gateway forgets
// its keys after 24 h).
[[nodiscard]] Step hours_pass(std::int64_t ms);
// The gate restarts with [store] removed from its config: no reconciler again this day; what
// it owed stays in its database.
[[nodiscard]] Step store_removed();
// passgatectl quarantine charge-cart of open quarantined cart `pick`, deliberately: its
// session's cart total (corrected: less 10,000,000 for one above payments.max_cart_minor).
[[nodiscard]] Step operator_charges_cart(int pick);

// Whether the day runs a gate with [store]: it has an unverified admission, a store_answers or
// a store_removed step.
[[nodiscard]] bool runs_store(const std::vector<Step>& steps);

// "admit(1, 5000, Card::visa, Engine::admits)"
[[nodiscard]] std::string to_code(const Step& step);
// The steps as an initializer list, one step a line, indented by `indent` spaces.
[[nodiscard]] std::string to_code(const std::vector<Step>& steps, int indent);

}  // namespace passgate::model
