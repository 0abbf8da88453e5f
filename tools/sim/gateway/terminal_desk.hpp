// TerminalDesk: the processor side of Stripe Terminal's server-driven integration for the
// gateway simulator (docs/card-tap-simulator.md), on the same PaymentIntents as
// GatewayLedger, which routes these requests here after the API key and idempotency checks:
//   POST /v1/customers                                      metadata[session_id], metadata[gate_id]
//   POST /v1/payment_intents with payment_method_types[]=card_present   a card-present hold
//   POST /v1/payment_intents/{id}/increment_authorization   amount (> amount, <= 99999999)
//   GET  /v1/terminal/readers/{reader}
//   POST /v1/terminal/readers/{reader}/collect_payment_method   payment_intent
//   POST /v1/terminal/readers/{reader}/confirm_payment_intent   payment_intent
//   POST /v1/terminal/readers/{reader}/process_payment_intent   payment_intent
//   POST /v1/terminal/readers/{reader}/cancel_action
//   POST /v1/test_helpers/terminal/readers/{reader}/present_payment_method
//        type=card_present, card_present[number] (default 4242424242424242): the tap
// Readers are configured (add_reader), never registered over the API. A collect or process
// stays in_progress until a tap; a tap on a collect reads the card (the intent becomes
// requires_confirmation); confirm (or a tap on a process) authorizes at once: the hold is
// placed (requires_capture) or declined (the action fails with api_error card_error, the
// intent goes back to requires_payment_method). Reader faults (set_fault) change this as
// TerminalFault says. An approved physical card of an intent with
// setup_future_usage=off_session is saved to the intent's customer as its generated_card,
// which POST /v1/payment_intents may then charge off-session (saved_card()).
// Single-threaded.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"
#include "tools/sim/gateway/api_reply.hpp"
#include "tools/sim/gateway/intent.hpp"
#include "tools/sim/gateway/reader_state.hpp"

namespace passgate::sim {

// A card saved to a customer at an approved card-present authorization (generated_card).
struct SavedCard {
  std::string customer;
  std::string test_card;
};

class TerminalDesk {
 public:
  explicit TerminalDesk(IntentStore& intents) : intents_(intents) {}
  TerminalDesk(const TerminalDesk&) = delete;
  TerminalDesk& operator=(const TerminalDesk&) = delete;

  // Error code "bad_reader": not "tmr_" then letters, digits or '_', or already there.
  [[nodiscard]] Status add_reader(const std::string& id);
  // In the order added.
  [[nodiscard]] const std::vector<Reader>& readers() const { return readers_; }
  [[nodiscard]] const Reader* find_reader(const std::string& id) const;
  [[nodiscard]] std::size_t customers() const { return customers_.size(); }
  [[nodiscard]] const SavedCard* saved_card(const std::string& payment_method) const;

  // Sets a reader's fault (not an API-wide one, see api_wide(); none clears the reader's).
  // Error code "no_such_reader".
  [[nodiscard]] Status set_fault(const std::string& reader, TerminalFault fault);
  // The next hold authorized on `reader` reports `capture_before` (Unix seconds, any value;
  // none: null) instead of the simulator's deadline, as a terminal may omit it or send
  // nonsense. In process only (no HTTP form); TerminalFault::none clears it. Error code
  // "no_such_reader".
  [[nodiscard]] Status report_next_capture_before(const std::string& reader,
                                                  std::optional<std::int64_t> capture_before);

  // The endpoints (see above); `reader_op` is the last part of a reader action's path.
  [[nodiscard]] GatewayReply create_customer(const std::string& body);
  [[nodiscard]] GatewayReply create_intent(const std::string& body);
  [[nodiscard]] GatewayReply increment(const std::string& id, const std::string& body);
  [[nodiscard]] GatewayReply show_reader(const std::string& id) const;
  [[nodiscard]] GatewayReply reader_action(const std::string& id, const std::string& reader_op,
                                           const std::string& body);
  [[nodiscard]] GatewayReply present(const std::string& id, const std::string& body);
  // An intent was canceled: an in-progress reader action for it ends failed.
  void intent_canceled(const std::string& id);

 private:
  Reader* find(const std::string& id);
  // Starts a collect or a process.
  GatewayReply start(Reader& reader, ReaderActionType type, GatewayIntent& intent);
  GatewayReply confirm(Reader& reader, GatewayIntent& intent);
  GatewayReply cancel_action(Reader& reader);
  // Authorizes the card read for `intent` (requires_confirmation) and ends the reader's
  // action with the outcome.
  void authorize(Reader& reader, GatewayIntent& intent);
  // authorize(), unless the reader's confirm fault says the reader fails first or after.
  void run_authorization(Reader& reader, GatewayIntent& intent);

  IntentStore& intents_;
  std::vector<Reader> readers_;
  std::set<std::string> customers_;
  std::unordered_map<std::string, SavedCard> saved_cards_;  // by generated_card id
};

}  // namespace passgate::sim
