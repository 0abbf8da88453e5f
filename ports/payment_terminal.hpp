// PaymentTerminal: the entry lane's card reader (docs/interfaces/payment-terminal.md), as one
// asynchronous call per step of a card-entry attempt: create the customer, create the hold's
// PaymentIntent, hand it to the reader (collect), confirm or process it, cancel the reader's
// action, read the reader, read the PaymentIntent, void it, and increment its authorization at
// settlement. Each call answers a TerminalOutcome whose kind says what the lane must do next;
// an answer that does not match what was asked is never believed (unverified).
// drivers/terminal_client.hpp implements it for the Stripe Terminal server-driven dialect;
// tests use fakes. Single-threaded: callbacks run on the event loop, exactly once, never
// inside the call.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace passgate {

// One card-entry attempt: one session id, one PaymentIntent. The lane persists it (the
// intent id and the try counter before they are used); every Idempotency-Key derives from it.
struct TerminalAttempt {
  std::string session_id;     // generated when the lane is armed (a UUID)
  std::string gate_id;        // metadata[gate_id]
  int lane = 0;               // metadata[lane]
  std::string reader_id;      // the lane's reader, "tmr_..."
  std::string currency;       // ISO 4217, any case (sent lower-case)
  std::int64_t hold_minor = 0;  // the hold's amount, minor units
  std::string customer;       // "cus_...", once created: a payment reference, never in a text
  std::string intent_id;      // "pi_...", once created: a payment reference, never in a text
  int try_counter = 0;        // n of the collect and cancel_action keys (re-collect: n + 1)
};

enum class TerminalStep {
  create_customer,  // POST /v1/customers                                   key <sid>:customer
  create_hold,      // POST /v1/payment_intents                             key <sid>:tpreauth
  collect,          // POST .../readers/{r}/collect_payment_method          key <sid>:collect:<n>
  confirm,          // POST .../readers/{r}/confirm_payment_intent          key <sid>:confirm
  process,          // POST .../readers/{r}/process_payment_intent          key <sid>:process
  cancel_action,    // POST .../readers/{r}/cancel_action                   key <sid>:cancel_action:<n>
  read_reader,      // GET  /v1/terminal/readers/{r}
  read_intent,      // GET  /v1/payment_intents/{pi}?expand[]=latest_charge
  void_intent,      // POST /v1/payment_intents/{pi}/cancel                 key <sid>:void
  increment,        // POST /v1/payment_intents/{pi}/increment_authorization key <sid>:increment
};
// "create_customer", "collect", ...: for logs.
[[nodiscard]] std::string_view to_string(TerminalStep step);
// The Idempotency-Key of a POST step of `attempt` ("<sid>:collect:<n>"); "" for the reads.
[[nodiscard]] std::string terminal_idempotency_key(TerminalStep step, const TerminalAttempt& attempt);

enum class TerminalOutcomeKind {
  succeeded,      // the step did what it should (for the reads: read and matching; the
                  // intent's and the reader's states are in the outcome)
  in_progress,    // the reader's action (or a processing PaymentIntent) is not done: poll
  declined,       // the card was declined (decline_code): deny payment_declined, abandon
  reader_failed,  // a collect failed without a card error (cancelled, card removed or
                  // unreadable, reader timeout): tap again on the same PaymentIntent, once
                  // read_intent says requires_payment_method
  busy,           // 400 terminal_reader_busy, or the reader runs another PaymentIntent's action
  offline,        // the reader is offline (status, or 400 terminal_reader_offline)
  rejected,       // 400 (other codes), 401, 403, 404: final, dead-letter and alert, no retry
  retry_later,    // 409, 429: the same request with the same key later (retry_after)
  unknown,        // 5xx, timeout, reset, refused, 400 terminal_reader_timeout, a confirm that
                  // failed without a card error, a reader showing no action of ours: sent,
                  // answer lost or unclear; resolve it by reading the PaymentIntent
  unverified,     // an answer that is not this step's (another reader, intent, amount,
                  // currency, session or op, an unreadable body, a status the contract does
                  // not name): never believed; a person must look
};
[[nodiscard]] std::string_view to_string(TerminalOutcomeKind kind);

// What the reader reported about its current action.
struct ReaderActionView {
  std::string type;           // collect_payment_method, confirm_payment_intent, ... ("": none)
  std::string status;         // in_progress, succeeded, failed ("": no action)
  bool on_this_intent = false;  // the action names the attempt's PaymentIntent
};

// What a card tap left on the PaymentIntent (latest_charge.payment_method_details.card_present).
struct TerminalCard {
  std::string fingerprint;    // same card number => same value; personal data, never logged
  std::string generated_card;  // "pm_..." reusable off-session, "" for a wallet: a payment
                               // reference, never in a text
  std::string brand;
  std::string last4;
  bool incremental_authorization_supported = false;
  std::optional<std::int64_t> capture_before;  // unix seconds, if the charge says
  [[nodiscard]] bool card_saved() const { return !generated_card.empty(); }
};

struct TerminalOutcome {
  TerminalOutcomeKind kind = TerminalOutcomeKind::unknown;
  int http_status = 0;                 // 0: no HTTP response
  std::string decline_code;            // declined: e.g. insufficient_funds
  std::string error;                   // why, for logs; never a key, a reference or a fingerprint
  std::optional<std::chrono::milliseconds> retry_after;  // from Retry-After, if sent
  bool replayed = false;               // Idempotent-Replayed: true
  int sends = 0;                       // how many times the request was written (0: never)

  std::string customer;                // create_customer: "cus_..." (a reference)
  // create_hold, read_intent, void_intent, increment: the PaymentIntent as read.
  std::string intent_id;               // a reference
  std::string intent_status;           // requires_payment_method, ..., requires_capture, canceled
  std::int64_t amount = 0;
  std::int64_t amount_capturable = 0;
  std::optional<TerminalCard> card;    // read_intent with a charge; collect/read_reader with a
                                       // finished collect: fingerprint only
  // collect, confirm, process, cancel_action, read_reader: the reader as read.
  std::string reader_status;           // online, offline
  ReaderActionView action;
};

class PaymentTerminal {
 public:
  using Callback = std::function<void(TerminalOutcome)>;
  virtual ~PaymentTerminal() = default;

  // Step 1: a customer for the attempt (succeeded: `customer`).
  virtual void create_customer(const TerminalAttempt& attempt, Callback done) = 0;
  // Step 2: the hold's PaymentIntent for `attempt.customer` (succeeded: intent_id, status
  // requires_payment_method, amount = hold).
  virtual void create_hold(const TerminalAttempt& attempt, Callback done) = 0;
  // Step 3: the reader collects a card for `attempt.intent_id` (succeeded/in_progress/...).
  virtual void collect(const TerminalAttempt& attempt, Callback done) = 0;
  // Step 5: the reader authorizes the collected card (the collect/confirm split).
  virtual void confirm(const TerminalAttempt& attempt, Callback done) = 0;
  // Steps 3-5 in one, for accounts without the split.
  virtual void process(const TerminalAttempt& attempt, Callback done) = 0;
  // Abandon: stops the reader's action (succeeded when none runs any more).
  virtual void cancel_action(const TerminalAttempt& attempt, Callback done) = 0;
  // Step 4 (poll): the reader and its action. With no intent_id, just whether it is online.
  virtual void read_reader(const TerminalAttempt& attempt, Callback done) = 0;
  // Step 6 and every resolution: the PaymentIntent with its latest charge. Its amount may be
  // above the hold after an increment (settlement reads it then), never below it.
  virtual void read_intent(const TerminalAttempt& attempt, Callback done) = 0;
  // Abandon and settlement: cancels the PaymentIntent (succeeded: canceled, nothing received).
  virtual void void_intent(const TerminalAttempt& attempt, Callback done) = 0;
  // Settlement: raises the hold to `amount_minor` (succeeded: amount_capturable = it).
  virtual void increment(const TerminalAttempt& attempt, std::int64_t amount_minor, Callback done) = 0;
};

}  // namespace passgate
