// GatewayLedger: the payment gateway's server side (docs/interfaces/payment-gateway.md, the
// Stripe-compatible PaymentIntents subset) as an in-memory model without networking, for
// the gateway simulator (GatewayServer puts it behind HTTP) and for tests that drive it
// directly:
//   POST /v1/payment_intents               create and confirm (preauth: manual capture,
//                                          charge: automatic), strict form parameters
//   POST /v1/payment_intents/{id}/capture  amount_to_capture <= amount_capturable
//   POST /v1/payment_intents/{id}/cancel   cancellation_reason
//   GET  /v1/payment_intents/search?query=metadata['session_id']:'<id>'
//   GET  /v1/payment_intents/{id}
// Every request needs `Authorization: Bearer <api key>` (else 401). Every POST needs an
// Idempotency-Key: the first request's response (whatever its status) is stored and
// replayed for the same key and parameters (`replayed`); the same key on another endpoint
// or with other parameters is a 400 idempotency_error; while a key is marked in progress
// (GatewayServer marks it while a slow answer is pending) its requests get 409.
// Test payment methods: pm_card_visa approves, pm_card_chargeDeclined and
// pm_card_chargeDeclinedInsufficientFunds decline (402), any other is 400 resource_missing.
// Error bodies: {"error":{"type","code","message"[,"param"][,"decline_code"]
// [,"payment_intent"]}}: `param` names the first bad parameter; `decline_code` comes with
// 402 card_error only; `payment_intent` with a 402 (the declined intent, status
// requires_payment_method) and with payment_intent_unexpected_state. Single-threaded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace passgate::sim {

enum class GatewayIntentStatus {
  requires_payment_method,  // declined at confirmation: holds and collects nothing
  requires_capture,         // a hold (capture_method=manual), amount_capturable held
  succeeded,                // collected: amount_received
  canceled,
};
[[nodiscard]] const char* to_string(GatewayIntentStatus status);

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
  std::string op;          // metadata[op]: preauth | charge
  std::string cancellation_reason;  // set when canceled
  std::int64_t created = 0;         // Unix seconds
};

// One API request as the HTTP layer received it.
struct GatewayRequest {
  std::string method;  // "GET", "POST"
  std::string target;  // path and query
  std::optional<std::string> authorization;    // the Authorization header
  std::optional<std::string> idempotency_key;  // the Idempotency-Key header
  std::string body;                            // application/x-www-form-urlencoded
};

struct GatewayReply {
  int status = 0;
  std::string body;       // JSON
  bool replayed = false;  // a stored response: send Idempotent-Replayed: true
  std::string subject;    // the PaymentIntent the request was about, if any, for logs
  // Set when this request executed and stored its response under its Idempotency-Key.
  std::string stored_key;
};

// {"error":{"type":…,"code":…,"message":…}}, for answers made outside the ledger (faults).
[[nodiscard]] std::string gateway_error_body(const std::string& type, const std::string& code,
                                             const std::string& message);

class GatewayLedger {
 public:
  explicit GatewayLedger(std::string api_key) : api_key_(std::move(api_key)) {}

  [[nodiscard]] GatewayReply handle(const GatewayRequest& request);

  // While a key is in progress, requests carrying it are answered 409. Unknown keys are
  // ignored (e.g. forgotten meanwhile).
  void set_in_progress(const std::string& key, bool in_progress);
  void end_all_in_progress();
  // Forgets every stored idempotency key (what the real gateway does after 24 hours); the
  // intents stay. Returns how many keys were forgotten.
  std::size_t forget_keys();
  [[nodiscard]] std::size_t stored_keys() const { return responses_.size(); }

  // Oldest first.
  [[nodiscard]] const std::vector<GatewayIntent>& intents() const { return intents_; }
  [[nodiscard]] const GatewayIntent* find_intent(const std::string& id) const;

 private:
  struct StoredResponse {
    std::string endpoint;  // "POST /v1/payment_intents/pi_x/capture"
    std::string params;    // the parameters, sorted, form-encoded
    int status = 0;
    std::string body;
    std::string subject;
    bool in_progress = false;
  };

  // The answer for a key seen before (409 in progress, 400 idempotency_error, or the
  // stored response replayed); nothing for a new key.
  std::optional<GatewayReply> stored_answer(const std::string& key, const std::string& endpoint,
                                            const std::string& params) const;
  GatewayReply create_intent(const std::string& body);
  GatewayReply capture_intent(const std::string& id, const std::string& body);
  GatewayReply cancel_intent(const std::string& id, const std::string& body);
  GatewayReply search(const std::string& query) const;
  GatewayReply show(const std::string& id) const;
  GatewayIntent* find(const std::string& id);

  std::string api_key_;
  std::vector<GatewayIntent> intents_;
  std::unordered_map<std::string, std::size_t> intent_index_;
  std::unordered_map<std::string, StoredResponse> responses_;  // by Idempotency-Key
};

}  // namespace passgate::sim
