// The payment gateway as the model test sees it, which outlives every gate process of a day:
// the simulator's ledger (tools/sim/gateway/ledger.hpp), the faults the generator has queued
// for coming requests, and what the test observed on the way (which intents each idempotency
// key created, which holds were ever placed, which answers were lies), and the network's clock
// with the card holds it lets lapse (card_holds.hpp).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ports/payment_gateway.hpp"
#include "tests/settlement_model/day_steps.hpp"
#include "tools/sim/gateway/ledger.hpp"

namespace passgate::model {

inline constexpr const char* kModelApiKey = "sk_test_model";
inline constexpr const char* kModelGateId = "gate-model";

struct QueuedFault {
  std::string session_id;  // empty: the next request whatever its session
  Fault fault = Fault::error5xx;
};

struct GatewaySide {
  sim::GatewayLedger ledger{kModelApiKey};
  std::deque<QueuedFault> faults;
  // Their card declines from now on (Fault::decline, or a card shopper's saved card that
  // declines off-session): an operation first sent after that carries the declining test
  // payment method, and keeps it on every resend (a gate resends the same request: its
  // payment reference is sealed once). Never taken out: the invariants excuse what a card that
  // ever declined left unpaid.
  std::set<std::string> declining_sessions;
  // Their card pays again (the operator's retry with Funds::restored), until a Fault::decline:
  // an operation first sent after that is approved, an app shopper's declining test method
  // replaced by one that approves.
  std::set<std::string> funds_restored;
  std::map<std::string, std::string> method_by_key;  // idempotency key -> the payment method it first carried
  // Increments the issuer declined (402, made here, not by the ledger): their keys answer so
  // again, as the ledger replays its stored answers, until the keys are forgotten.
  std::set<std::string> declined_increment_keys;
  std::set<std::string> keys_at_ledger;  // the idempotency keys the ledger holds

  std::map<std::string, std::vector<std::string>> intents_by_key;  // idempotency key -> intents it created
  std::set<std::string> placed_holds;  // intents that were ever requires_capture
  std::set<std::string> lied_keys;     // keys whose 200 answer was misstated at least once
  // session -> the ledger's search answer for it just before its latest request, and when
  // (network ms) that was: what a lagging search index still shows (Fault::stale_read)
  std::map<std::string, std::pair<std::string, std::int64_t>> stale_searches;
  // The network's wall clock, Unix ms (the day runner's: the gate's wall clock less the steps
  // it was given); card holds lapse by it.
  std::function<std::int64_t()> network_now_ms;
  std::map<std::string, std::int64_t> hold_lapses_at_s;  // card holds watched: intent -> capture_before
  std::set<std::string> lapsed_holds;                    // card holds the gateway let lapse
  // Called before a request reaches the gateway (the day runner checks what may be sent).
  std::function<void(const passgate::PaymentRequest&)> before_send;

  // What the real gateway does 24 hours after a key's first use.
  void forget_keys() {
    (void)ledger.forget_keys();
    keys_at_ledger.clear();
    declined_increment_keys.clear();
  }

  // Whether the session's card declines now.
  [[nodiscard]] bool declines(const std::string& session_id) const {
    return declining_sessions.count(session_id) > 0 && funds_restored.count(session_id) == 0;
  }

  // The first queued fault for a request about `session_id`, taken off the queue.
  std::optional<Fault> take_fault(const std::string& session_id) {
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (it->session_id.empty() || it->session_id == session_id) {
        const Fault fault = it->fault;
        faults.erase(it);
        return fault;
      }
    }
    return std::nullopt;
  }
};

}  // namespace passgate::model
