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
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/settlement_model/day_steps.hpp"

namespace passgate::model {

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
