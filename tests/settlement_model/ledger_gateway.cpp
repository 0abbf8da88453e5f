// LedgerGateway (ledger_gateway.hpp): requests through the real client's request builder and
// answer reader, the ledger in between, faults applied on the way.
#include "tests/settlement_model/ledger_gateway.hpp"

#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "drivers/gateway_request.hpp"
#include "drivers/gateway_response.hpp"
#include "tests/settlement_model/card_holds.hpp"

namespace passgate::model {

namespace {

// The simulator's test payment methods (tools/sim/gateway/ledger.hpp): one that declines, one
// that approves.
constexpr const char* kDecliningMethod = "pm_card_chargeDeclinedInsufficientFunds";
constexpr const char* kApprovingMethod = "pm_card_visa";

bool declining_test_method(const std::string& method) {
  return method == kDecliningMethod || method == "pm_card_chargeDeclined";
}

bool creates_intent(passgate::PaymentOpKind op) {
  return op == passgate::PaymentOpKind::preauth || op == passgate::PaymentOpKind::charge;
}

passgate::HttpReply no_answer(const char* why, int sends) {
  passgate::HttpReply reply;
  reply.error = why;
  reply.sends = sends;
  return reply;
}

passgate::HttpReply error_answer(int status, const char* type, const char* code) {
  passgate::HttpReply reply;
  reply.status = status;
  reply.body = sim::gateway_error_body(type, code, "a fault of the settlement model's gateway");
  reply.sends = 1;
  return reply;
}

// A 200 PaymentIntent whose amounts are each one more than the ledger's.
std::string misstated_amounts(const std::string& body) {
  auto intent = nlohmann::json::parse(body, nullptr, false);
  if (!intent.is_object()) return body;
  for (const char* name : {"amount", "amount_capturable", "amount_received"}) {
    if (intent.contains(name) && intent[name].is_number_integer()) intent[name] = intent[name].get<std::int64_t>() + 1;
  }
  return intent.dump();
}

bool times_out(const std::optional<Fault>& fault) {
  return fault == Fault::timeout_applied || fault == Fault::timeout_lost;
}

}  // namespace

void LedgerGateway::execute(const passgate::PaymentRequest& asked, Millis timeout, Callback done) {
  passgate::PaymentRequest request = asked;
  const std::optional<Fault> fault = take_fault(request.session_id);
  if (creates_intent(request.op)) {
    // A new key (an operator's new attempt at a declined charge among them) is a new request,
    // paid or declined by the card as it is now; a key sent before carries what it first did.
    const std::string& sid = request.session_id;
    const bool restored = side_.funds_restored.count(sid) > 0 && declining_test_method(request.payment_method);
    const std::string method = side_.declines(sid) ? kDecliningMethod
                               : restored          ? kApprovingMethod
                                                   : request.payment_method;
    request.payment_method = side_.method_by_key.try_emplace(request.idempotency_key, method).first->second;
  }
  auto spec = drivers::payment_http_request(request);
  if (!spec) {
    passgate::PaymentOutcome rejected;
    rejected.kind = passgate::PaymentOutcomeKind::rejected;
    rejected.error = spec.error().message;
    return later(Millis{0}, [done = std::move(done), rejected] { done(rejected); });
  }
  if (side_.before_send) side_.before_send(request);
  const bool clean = !fault || fault == Fault::decline;  // (any other fault acts on the request first)
  const bool declined_before = side_.declined_increment_keys.count(request.idempotency_key) > 0;
  if (clean && request.op == passgate::PaymentOpKind::increment &&
      (side_.declines(request.session_id) || declined_before)) {
    // The issuer declines the higher amount (Fault::decline): a 402 card_error, the hold as it was.
    side_.declined_increment_keys.insert(request.idempotency_key);
    passgate::HttpReply declined = error_answer(402, "card_error", "card_declined");
    return later(kAnswerLatency, [this, request, declined, done = std::move(done)] {
      const drivers::Secrets secrets{kModelApiKey, request.intent_id, request.idempotency_key};
      done(drivers::classify_payment_reply(declined, request, secrets, vt_.wall_now()));
    });
  }
  const sim::GatewayRequest http{"POST", spec->target, "Bearer " + std::string(kModelApiKey),
                                 request.idempotency_key, spec->body};
  side_.stale_searches[request.session_id] = {search_body(request.session_id), side_.network_now_ms()};
  passgate::HttpReply reply = exchange(http, fault);
  // (An increment's answer is not misstated: the unverified increment it makes is a dead letter
  // for the whole cart, which day_invariants.cpp's "every cart collected or dead-lettered" does
  // not count yet, as it counts only charges and captures.)
  if (fault == Fault::lie_amount && reply.status == 200 && request.op != passgate::PaymentOpKind::increment) {
    reply.body = misstated_amounts(reply.body);
    side_.lied_keys.insert(request.idempotency_key);
  }
  later(times_out(fault) ? timeout : kAnswerLatency, [this, request, reply, done = std::move(done)] {
    done(drivers::classify_payment_reply(
        reply, request, {kModelApiKey, request.customer, request.payment_method, request.intent_id, request.idempotency_key},
        vt_.wall_now()));
  });
}

void LedgerGateway::search_session(const std::string& session_id, Millis timeout, Callback done) {
  const std::optional<Fault> fault = take_fault(session_id);
  auto spec = drivers::search_http_request(session_id);
  if (!spec) {
    passgate::PaymentOutcome rejected;
    rejected.kind = passgate::PaymentOutcomeKind::rejected;
    rejected.error = spec.error().message;
    return later(Millis{0}, [done = std::move(done), rejected] { done(rejected); });
  }
  const sim::GatewayRequest http{"GET", spec->target, "Bearer " + std::string(kModelApiKey), std::nullopt, ""};
  // A lie is told only in a PaymentIntent answer to a POST, as the simulator's.
  const bool no_effect = fault == Fault::lie_amount || fault == Fault::stale_read;
  passgate::HttpReply reply = exchange(http, no_effect ? std::nullopt : fault);
  const auto stale = side_.stale_searches.find(session_id);
  const bool lags =
      stale != side_.stale_searches.end() && side_.network_now_ms() - stale->second.second <= kSearchLag.count();
  if (fault == Fault::stale_read && reply.status == 200 && lags) reply.body = stale->second.first;
  later(times_out(fault) ? timeout : kAnswerLatency, [this, reply, done = std::move(done)] {
    done(drivers::classify_search_reply(reply, {kModelApiKey}, vt_.wall_now()));
  });
}

passgate::HttpReply LedgerGateway::exchange(const sim::GatewayRequest& request, const std::optional<Fault>& fault) {
  lapse_due_holds(side_);  // what lapsed by now is gone when the request arrives
  if (fault == Fault::timeout_applied) {
    (void)handle(request);
    return no_answer("timed out", 1);
  }
  if (fault == Fault::timeout_lost) return no_answer("timed out", 1);
  if (fault == Fault::refused) return no_answer("connection refused", 0);
  if (fault == Fault::error5xx) return error_answer(503, "api_error", "service_unavailable");
  if (fault == Fault::in_progress409) return error_answer(409, "invalid_request_error", "idempotency_key_in_use");
  if (fault == Fault::rate_limited429) {
    passgate::HttpReply limited = error_answer(429, "invalid_request_error", "rate_limit");
    limited.headers.emplace_back("Retry-After", "1");
    return limited;
  }
  const sim::GatewayReply answered = handle(request);
  passgate::HttpReply reply;
  reply.status = answered.status;
  reply.body = answered.body;
  reply.sends = 1;
  if (answered.replayed) reply.headers.emplace_back("Idempotent-Replayed", "true");
  return reply;
}

sim::GatewayReply LedgerGateway::handle(const sim::GatewayRequest& request) {
  const std::size_t known = side_.ledger.intents().size();
  sim::GatewayReply reply = side_.ledger.handle(request);
  if (!reply.stored_key.empty()) side_.keys_at_ledger.insert(reply.stored_key);
  const auto& intents = side_.ledger.intents();
  for (std::size_t i = known; i < intents.size(); ++i) {
    side_.intents_by_key[request.idempotency_key.value_or("")].push_back(intents[i].id);
    if (intents[i].status == sim::GatewayIntentStatus::requires_capture) side_.placed_holds.insert(intents[i].id);
  }
  return reply;
}

std::string LedgerGateway::search_body(const std::string& session_id) {
  auto spec = drivers::search_http_request(session_id);
  if (!spec) return "";
  const sim::GatewayRequest search{"GET", spec->target, "Bearer " + std::string(kModelApiKey), std::nullopt, ""};
  return side_.ledger.handle(search).body;
}

std::optional<Fault> LedgerGateway::take_fault(const std::string& session_id) {
  const std::optional<Fault> fault = side_.take_fault(session_id);
  if (fault == Fault::decline) {
    side_.declining_sessions.insert(session_id);
    side_.funds_restored.erase(session_id);
  }
  return fault;
}

void LedgerGateway::later(Millis delay, std::function<void()> answer) {
  if (delay > Millis{0}) {
    const auto due = std::chrono::duration_cast<Millis>((vt_.steady_now() + delay).time_since_epoch()).count();
    delay += Millis{(kAnswerTick.count() - due % kAnswerTick.count()) % kAnswerTick.count()};
  }
  const std::uint64_t id = next_answer_++;
  answers_[id] = vt_.start(delay, [this, id, answer = std::move(answer)] {
    answers_.erase(id);  // VirtualTime already took this call off its queue
    ++answered_;
    answer();
  });
}

}  // namespace passgate::model
