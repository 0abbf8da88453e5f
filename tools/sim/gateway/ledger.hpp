// GatewayLedger: the payment gateway's server side (docs/interfaces/payment-gateway.md, the
// Stripe-compatible PaymentIntents subset) as an in-memory model without networking, for
// the gateway simulator (GatewayServer puts it behind HTTP) and for tests that drive it
// directly:
//   POST /v1/payment_intents               create and confirm (preauth: manual capture,
//                                          charge: automatic), strict form parameters
//                                          (metadata[op_key] optional, kept and echoed)
//   POST /v1/payment_intents/{id}/capture  amount_to_capture <= amount_capturable
//   POST /v1/payment_intents/{id}/cancel   cancellation_reason
//   GET  /v1/payment_intents/search?query=metadata['session_id']:'<id>'
//   GET  /v1/payment_intents/{id}[?expand[]=latest_charge]
// and, through its TerminalDesk (terminal_desk.hpp), customers, card-present holds, their
// increment_authorization, and the Terminal readers (docs/card-tap-simulator.md).
// Every request needs `Authorization: Bearer <api key>` (else 401). Every POST needs an
// Idempotency-Key (but the test helper present_payment_method, where it is optional): the
// first request's response (whatever its status) is stored and replayed for the same key
// and parameters (`replayed`); the same key on another endpoint or with other parameters is
// a 400 idempotency_error; while a key is marked in progress (GatewayServer marks it while a
// slow answer is pending) its requests get 409.
// Test payment methods: pm_card_visa approves, pm_card_chargeDeclined and
// pm_card_chargeDeclinedInsufficientFunds decline (402); a card-present hold's
// generated_card charges (off-session) for the customer it was saved to; any other is 400
// resource_missing.
// Error bodies: {"error":{"type","code","message"[,"param"][,"decline_code"]
// [,"payment_intent"]}}: `param` names the first bad parameter; `decline_code` comes with
// 402 card_error only; `payment_intent` with a 402 (the declined intent, status
// requires_payment_method) and with payment_intent_unexpected_state. Single-threaded.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tools/sim/gateway/api_reply.hpp"
#include "tools/sim/gateway/intent.hpp"
#include "tools/sim/gateway/terminal_desk.hpp"

namespace passgate::sim {

// One API request as the HTTP layer received it.
struct GatewayRequest {
  std::string method;  // "GET", "POST"
  std::string target;  // path and query
  std::optional<std::string> authorization;    // the Authorization header
  std::optional<std::string> idempotency_key;  // the Idempotency-Key header
  std::string body;                            // application/x-www-form-urlencoded
};

// {"error":{"type":…,"code":…,"message":…}}, for answers made outside the ledger (faults).
[[nodiscard]] std::string gateway_error_body(const std::string& type, const std::string& code,
                                             const std::string& message);

class GatewayLedger {
 public:
  explicit GatewayLedger(std::string api_key) : api_key_(std::move(api_key)) {}
  GatewayLedger(const GatewayLedger&) = delete;
  GatewayLedger& operator=(const GatewayLedger&) = delete;

  [[nodiscard]] GatewayReply handle(const GatewayRequest& request);

  // While a key is in progress, requests carrying it are answered 409. Unknown keys are
  // ignored (e.g. forgotten meanwhile).
  void set_in_progress(const std::string& key, bool in_progress);
  void end_all_in_progress();
  // Forgets every stored idempotency key (what the real gateway does after 24 hours); the
  // intents stay. Returns how many keys were forgotten.
  std::size_t forget_keys();
  [[nodiscard]] std::size_t stored_keys() const { return responses_.size(); }

  // The clock that dates intents and holds (IntentStore::set_clock), for a test's own clock.
  void set_clock(std::function<std::int64_t()> now) { intents_.set_clock(std::move(now)); }

  // Oldest first.
  [[nodiscard]] const std::vector<GatewayIntent>& intents() const { return intents_.all(); }
  [[nodiscard]] const GatewayIntent* find_intent(const std::string& id) const { return intents_.find(id); }
  // The readers, customers and saved cards (readers are added there).
  [[nodiscard]] TerminalDesk& terminal() { return terminal_; }
  [[nodiscard]] const TerminalDesk& terminal() const { return terminal_; }

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
  // The POST endpoints, run once per Idempotency-Key; `route` is what follows /v1/.
  GatewayReply execute(const std::vector<std::string>& route, const std::string& body);
  GatewayReply create_intent(const std::string& body);
  GatewayReply capture_intent(const std::string& id, const std::string& body);
  GatewayReply cancel_intent(const std::string& id, const std::string& body);
  GatewayReply search(const std::string& query) const;
  GatewayReply show(const std::string& id, const std::string& query) const;

  std::string api_key_;
  IntentStore intents_;
  TerminalDesk terminal_{intents_};
  std::unordered_map<std::string, StoredResponse> responses_;  // by Idempotency-Key
};

}  // namespace passgate::sim
