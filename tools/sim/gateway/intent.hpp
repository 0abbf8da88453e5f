// GatewayIntent: one PaymentIntent as the gateway simulator keeps it (off-session QR holds
// and charges, and card-present holds placed through a simulated reader), and IntentStore,
// the simulator's PaymentIntents in creation order with a look-up by id. Shared by the
// ledger (GatewayLedger), the terminal side (TerminalDesk) and the report. The only card
// numbers it holds are the simulator's public test cards (test_cards.hpp). Single-threaded.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace passgate::sim {

enum class GatewayIntentStatus {
  requires_payment_method,  // not yet authorized: created for a reader, or declined
  requires_confirmation,    // a card was read at a reader, not yet authorized
  requires_capture,         // a hold (capture_method=manual), amount_capturable held
  succeeded,                // collected: amount_received
  canceled,
};
[[nodiscard]] const char* to_string(GatewayIntentStatus status);

// The card a reader read for a card-present intent.
struct TappedCard {
  std::string payment_method;  // pm_… made at the tap
  std::string test_card;       // the test card's number (a public test value), for authorization
  std::string brand;
  std::string last4;
  std::string fingerprint;  // stable per card number; a wallet's differs from its card's
  bool wallet = false;      // a phone wallet's device token: no generated_card
  std::string reader;       // the reader that read it
};

// The latest authorization attempt of a card-present intent (its `latest_charge`).
struct CardPresentCharge {
  std::string id;         // ch_…
  TappedCard card;        // the card authorized (or declined)
  bool succeeded = false;  // false: declined
  std::string decline_code;
  std::string failure_message;
  std::string generated_card;  // pm_… saved to the customer, "" for none (wallets)
  std::optional<std::int64_t> capture_before;  // Unix seconds; none: the charge shows null
  bool incremental_supported = false;
};

// What only a card-present intent (payment_method_types[]=card_present) has.
struct CardPresentIntent {
  std::string lane;  // metadata[lane]
  bool setup_future_usage = false;  // off_session: an approved physical card is saved
  bool request_incremental = false;
  std::optional<TappedCard> card;  // set from the tap until a decline
  std::optional<CardPresentCharge> latest_charge;
  bool authorized = false;  // a hold was placed at some point
  int increments = 0;       // increment_authorization calls that raised the hold
  int declines = 0;         // authorizations declined
};

struct GatewayIntent {
  std::string id;  // "pi_" + 32 random hex digits
  std::int64_t amount = 0;
  std::int64_t amount_capturable = 0;
  std::int64_t amount_received = 0;
  std::string currency;        // lower-case
  GatewayIntentStatus status = GatewayIntentStatus::requires_payment_method;
  std::string capture_method;  // manual | automatic
  std::string customer;
  std::string payment_method;
  std::string session_id;  // metadata[session_id]
  std::string gate_id;     // metadata[gate_id]
  std::string op;          // metadata[op]: preauth | charge | tpreauth
  std::string op_key;      // metadata[op_key], if the request gave one (echoed as given)
  std::string cancellation_reason;  // set when canceled
  std::int64_t created = 0;         // Unix seconds
  std::optional<CardPresentIntent> card_present;
};

// "<prefix>" + 32 random hex digits, e.g. "pi_…", "cus_…", "pm_…", "ch_…".
[[nodiscard]] std::string new_object_id(const char* prefix);
[[nodiscard]] std::int64_t now_unix_seconds();

class IntentStore {
 public:
  // Gives `intent` a fresh id and creation time and keeps it; the kept intent.
  GatewayIntent& add(GatewayIntent intent);
  // The clock that dates what the simulator makes (created, a hold's capture_before), Unix
  // seconds: now_unix_seconds() unless a test that runs the ledger in process on its own
  // (virtual) clock sets another.
  void set_clock(std::function<std::int64_t()> now) { clock_ = std::move(now); }
  [[nodiscard]] std::int64_t now() const { return clock_ ? clock_() : now_unix_seconds(); }
  [[nodiscard]] const GatewayIntent* find(const std::string& id) const;
  [[nodiscard]] GatewayIntent* find(const std::string& id);
  // Oldest first.
  [[nodiscard]] const std::vector<GatewayIntent>& all() const { return intents_; }

 private:
  std::vector<GatewayIntent> intents_;
  std::unordered_map<std::string, std::size_t> index_;
  std::function<std::int64_t()> clock_;
};


}  // namespace passgate::sim
