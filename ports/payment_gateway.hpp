// PaymentGateway: how the controller moves money through the retailer's payment gateway
// (docs/interfaces/payment-gateway.md), as asynchronous operations whose outcome is classified by what
// the gate must do next. drivers/gateway_client.hpp implements it for the Stripe-compatible
// dialect; tests use fakes. Single-threaded: callbacks run on the event loop, exactly once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace passgate {

// increment: a card hold raised to the cart's total (increment_authorization) before its
// capture, for a card that supports incremental authorization.
enum class PaymentOpKind { preauth, capture, charge, void_hold, increment };
// "preauth", "capture", "charge", "void", "increment": the names in idempotency keys
// ("<session_id>:<op>") and metadata[op].
[[nodiscard]] std::string_view to_string(PaymentOpKind op);
[[nodiscard]] std::optional<PaymentOpKind> payment_op_from_string(std::string_view name);
// Whether `op` acts on an existing hold (its PaymentIntent, `intent_id`): capture, void,
// increment. The others (preauth, charge) create a PaymentIntent.
[[nodiscard]] bool acts_on_hold(PaymentOpKind op);

struct PaymentRequest {
  PaymentOpKind op = PaymentOpKind::charge;
  std::string idempotency_key;     // "<session_id>:<op>", fixed before the first attempt
  std::string session_id;          // metadata[session_id]
  std::string gate_id;             // metadata[gate_id]
  std::int64_t amount_minor = 0;   // preauth, charge: amount; capture: amount_to_capture;
                                   // increment: the new amount the hold is raised to
  std::string currency;            // ISO 4217, any case (sent lower-case)
  std::string customer;            // preauth, charge: secret, never logged
  std::string payment_method;      // preauth, charge: secret, never logged
  std::string intent_id;           // capture, void, increment: the hold's PaymentIntent ("pi_...")
  // preauth, charge: metadata[op_key], which operation of the session this is (its key
  // without "<session_id>:", e.g. "charge:capture"; operation_key()), so that a lookup tells
  // the session's charges apart. Empty: not sent (an operation first sent without it, by an
  // older version, is resent with the same parameters as its key was first used with).
  std::string op_key;
};

// `idempotency_key` without its "<session_id>:" ("charge", "charge:remainder", ...); "" when
// the key does not begin with the session id.
[[nodiscard]] std::string operation_key(const std::string& session_id, const std::string& idempotency_key);

// A PaymentIntent as the gateway returned it.
struct PaymentIntentView {
  std::string id;
  std::string status;  // requires_capture, succeeded, canceled, ...
  std::int64_t amount = 0;
  std::int64_t amount_capturable = 0;
  std::int64_t amount_received = 0;
  std::string currency;
  std::string session_id;  // metadata[session_id]
  std::string op;          // metadata[op]
  std::string op_key;      // metadata[op_key] (PaymentRequest::op_key); "" when absent
};

enum class PaymentOutcomeKind {
  succeeded,    // 200 and the status the operation should reach
  declined,     // 402 card_error: final, never retried automatically
  rejected,     // 400 (incl. idempotency_error), 401, 403, 404: final, dead-letter and
                // alert, no retry
  retry_later,  // 409 (same key in progress), 429 (rate limited): same key later
  unknown,      // 5xx, refused, reset, TLS failure, time-out: the gateway may have executed
                // it; same key later
  unverified,   // an answer that is not this operation's outcome: an HTTP status the contract
                // does not name (e.g. 299, 302, 422), a 402 that is not a card_error, a 200
                // whose PaymentIntent cannot be read or does not match the request (amount,
                // currency, session, intent id, status). Money may have moved: final,
                // dead-letter and alert for a person, never resent by itself
};
[[nodiscard]] std::string_view to_string(PaymentOutcomeKind kind);

struct PaymentOutcome {
  PaymentOutcomeKind kind = PaymentOutcomeKind::unknown;
  int http_status = 0;                                 // 0: no HTTP response
  std::optional<PaymentIntentView> intent;             // execute(): set when succeeded (and
                                                       // when unverified, if one was read)
  std::vector<PaymentIntentView> found;                // search_session(): the matches
  std::string decline_code;                            // declined: e.g. insufficient_funds
  std::string error_code;                              // rejected: the gateway error's code, e.g.
                                                       // payment_intent_unexpected_state
  std::string error;                                   // why, for logs and the dead-letter
                                                       // list; never a key or a reference
  std::optional<std::chrono::milliseconds> retry_after;  // from Retry-After, if sent
  bool replayed = false;                               // Idempotent-Replayed: true
  int sends = 0;  // how many times the request was written (HttpReply::sends): 2 when a
                  // stale pooled connection made the client send it again; 0: never sent
};

class PaymentGateway {
 public:
  using Callback = std::function<void(PaymentOutcome)>;
  virtual ~PaymentGateway() = default;
  // Sends one operation with its Idempotency-Key; `done` runs once, on the loop, within
  // `timeout` (a time-out is `unknown`).
  virtual void execute(const PaymentRequest& request, std::chrono::milliseconds timeout, Callback done) = 0;
  // GET /v1/payment_intents/search for metadata['session_id']; `found` holds every match.
  virtual void search_session(const std::string& session_id, std::chrono::milliseconds timeout,
                              Callback done) = 0;
  // GET /v1/payment_intents/{intent_id}: the hold's PaymentIntent as it stands now (`intent`,
  // when succeeded), for a settlement that must know whether a hold still stands, was captured
  // or was cancelled. `session_id` is the session it was placed for (its metadata). Outcomes
  // as for search_session: succeeded, rejected (none with that id), retry_later, unknown. By
  // default through search_session(session_id): the match with that id, for a gateway that
  // has no direct read; a client overrides it with the GET.
  virtual void read_intent(const std::string& session_id, const std::string& intent_id,
                           std::chrono::milliseconds timeout, Callback done);
};

}  // namespace passgate
