// LedgerGateway: the PaymentGateway port on the gateway simulator's ledger, in process and in
// virtual time. Each request is built as the real client builds it
// (drivers/gateway_request.hpp), handled by the ledger, and its answer read as the real client
// reads it (drivers/gateway_response.hpp), `kAnswerLatency` later. A fault queued for the
// request's session (gateway_side.hpp) changes what happens instead: a time-out answers after
// the request's own time-out, with the request executed or not. Answers reach the gate in
// bursts, on a kAnswerTick grid (as several answers are read in one pass of the event loop),
// so the payment drainer records several outcomes in one batch. A charge carries the payment
// method its key first carried (a key the ledger holds replays its stored answer, a 402
// included, until the gateway forgets its keys after 24 h); a new key, an operator's new
// attempt at a declined charge ("<key>:retry<n>") among them, is a new request, paid or
// declined by the card as it is then (GatewaySide::declines, Funds::restored). Answers still
// under way die with the gateway object, as they die with a killed gate's connections. Card
// holds past their
// capture_before lapse before a request reaches the ledger (card_holds.hpp). The card
// settlement's operations are the same requests (capture with amount_to_capture, the
// off-session charge to the saved card, the void, and the increment: increment_authorization,
// which the ledger hands to its terminal desk, raising the card-present hold; a session whose
// card declines, Fault::decline, has its increment declined, 402, the hold as it was); the
// hold read after a refused capture or void, or an increment's lost answer
// (PaymentGateway::read_intent), goes through search_session, as the port's default does for
// a gateway without a GET of a PaymentIntent; a search may lag
// (Fault::stale_read: the answer as it stood before the session's latest request, if that was
// at most kSearchLag ago).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "common/virtual_time.hpp"
#include "ports/payment_gateway.hpp"
#include "ports/tracking_port.hpp"
#include "tests/settlement_model/gateway_side.hpp"

namespace passgate::model {

class LedgerGateway final : public passgate::PaymentGateway {
 public:
  static constexpr Millis kAnswerLatency{40};
  static constexpr Millis kAnswerTick{25};
  // How far a search may lag behind the ledger (Fault::stale_read): a minute, as Stripe's
  // search index may in an outage; a request older than that is always found.
  static constexpr Millis kSearchLag{60000};

  LedgerGateway(GatewaySide& side, VirtualTime& vt) : side_(side), vt_(vt) {}
  LedgerGateway(const LedgerGateway&) = delete;
  LedgerGateway& operator=(const LedgerGateway&) = delete;

  void execute(const passgate::PaymentRequest& request, Millis timeout, Callback done) override;
  void search_session(const std::string& session_id, Millis timeout, Callback done) override;
  // How many answers (or time-outs) have reached the gate so far.
  [[nodiscard]] std::uint64_t answered() const { return answered_; }

 private:
  // The HTTP reply the gate gets for `request` under `fault`, executing it at the ledger
  // when the fault lets it through. `lie` misstates a 200 PaymentIntent's amounts.
  passgate::HttpReply exchange(const sim::GatewayRequest& request, const std::optional<Fault>& fault);
  // The ledger's answer, noting the intents it created and the holds it placed.
  sim::GatewayReply handle(const sim::GatewayRequest& request);
  // The ledger's search answer for `session_id` now (kept before each request: Fault::stale_read).
  std::string search_body(const std::string& session_id);
  // The next fault for `session_id`; a decline makes the session's card decline from now on.
  std::optional<Fault> take_fault(const std::string& session_id);
  // Runs `answer` after `delay` (a delay is rounded up to the next kAnswerTick) unless this
  // object dies first.
  void later(Millis delay, std::function<void()> answer);

  GatewaySide& side_;
  VirtualTime& vt_;
  std::map<std::uint64_t, std::unique_ptr<Timer>> answers_;
  std::uint64_t next_answer_ = 0;
  std::uint64_t answered_ = 0;
};

}  // namespace passgate::model
