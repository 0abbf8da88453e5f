// The reference model of a store day, kept by the test beside the gate: the sessions (their
// hold, card and fate; a card shopper's tap), the final carts the tracking engine published (its feed, duplicates
// and late carts included) and what the operator did. From it follows what the gateway's
// ledger may hold: a session may be collected at most its first final cart's total, and
// nothing at all once the gate denied or cancelled it (its carts are never charged).
// A card session (a tap) owes the same, collected from its card-present hold and saved card
// (docs/settlement.md, "Card sessions"): an empty cart or none voids the hold; a cart up to
// the hold is captured from it; above it the hold is captured (or raised by an increment) and
// the rest charged off-session to the saved card; without one (a wallet), or when that charge
// declines, the session is partially paid: the rest a dead letter, the card on the blocklist;
// a hold that lapsed first is replaced by a charge of what it was to collect, never both.
// A cart above payments.max_cart_minor is collected only as the operator corrected it.
// With [store]: a session admitted while etcd did not answer is unverified; whether another
// gate array admitted its token too is the model's to say (it plays that array); what follows
// for its cart is checked by store_invariants.hpp.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/settlement_model/day_steps.hpp"

namespace passgate::model {

// payments.max_cart_minor of the model's gate: a cart above it is quarantined (over_limit).
inline constexpr std::int64_t kMaxCartMinor = 10'000'000;

enum class Fate {
  admitting,  // the hold's answer is awaited
  open,       // admitted
  denied,     // refused at entry (declined hold, engine refusal, offline limit, ...)
  cancelled,  // turned back at the lane, or left opening by a crash
};

struct ModelSession {
  std::string id;                // "s<number>"
  std::int64_t hold_minor = 0;   // asked for at entry; 0: none
  Card card = Card::visa;
  Engine engine = Engine::admits;
  Fate fate = Fate::admitting;
  std::optional<std::int64_t> first_cart;  // the first final cart the engine published
  bool cart_op_written_off = false;        // the operator wrote off a charge or capture of it
  std::optional<CardTap> tap;              // a card shopper's: the hold is hold_minor
  std::string hold_intent;                 // a card shopper's hold (PaymentIntent id), once placed
  std::optional<std::int64_t> operator_total;  // the operator charged its quarantined cart so much
  // With [store]:
  bool unverified = false;          // admitted while etcd did not answer: its token's claim was owed
  std::int64_t token_end_s = 0;     // its token's end as recorded (Unix s): the claim wait counts from it
  bool taken_elsewhere = false;     // another gate array claimed its token while ours was owed
  bool double_use_found = false;    // the gate reported its token's double use
  bool double_use_charged = false;  // the operator charged its cart from a row saying double_use
};

struct PublishedCart {
  std::string session_id;
  std::int64_t total_minor = 0;
};

class ShopModel {
 public:
  // Nothing if the number is taken.
  ModelSession* add_session(int number, std::int64_t hold_minor, Card card, Engine engine);
  // A card shopper's session (Card::visa, Engine::admits); nothing if the number is taken.
  ModelSession* add_card_session(int number, std::int64_t hold_minor, const CardTap& tap);
  [[nodiscard]] ModelSession* find(int number);
  [[nodiscard]] ModelSession* find(const std::string& session_id);
  [[nodiscard]] const std::map<int, ModelSession>& sessions() const { return sessions_; }

  // The engine publishes a final cart for the session (the first one counts).
  void publish_cart(ModelSession& session, std::int64_t total_minor);
  [[nodiscard]] const std::vector<PublishedCart>& feed() const { return feed_; }

  bool store = false;             // the gate runs with [store] (until a restart without it)
  std::int64_t latest_wall_s = 0;  // the latest time the gate's wall clock said after a step

  // A crash: sessions whose admission was under way are cancelled at the restart.
  void cancel_admitting();

  // What the session owes: the most the ledger may ever collect from it (captured +
  // charged), and what it must collect in the end unless a dead letter names the rest.
  [[nodiscard]] static std::int64_t collectable(const ModelSession& session);
  // Nothing more will happen to the session by itself: it has a cart, or it was ended.
  [[nodiscard]] static bool ended(const ModelSession& session);

 private:
  std::map<int, ModelSession> sessions_;
  std::vector<PublishedCart> feed_;
};

}  // namespace passgate::model
