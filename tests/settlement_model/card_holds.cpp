// Card-present holds at the model's ledger (card_holds.hpp).
#include "tests/settlement_model/card_holds.hpp"

#include <array>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "common/form_encoding.hpp"
#include "drivers/terminal_request.hpp"
#include "drivers/terminal_response.hpp"
#include "tools/sim/gateway/test_cards.hpp"

namespace passgate::model {

namespace {

// Approving test cards (tools/sim/gateway/test_cards.cpp): CardTap::number picks one.
constexpr std::array<const char*, 4> kTapCards{"4242424242424242", "5555555555554444", "378282246310005",
                                               "6011111111111117"};

const char* card_number(const CardTap& tap) {
  return kTapCards[static_cast<std::size_t>(tap.number) % kTapCards.size()];
}

sim::GatewayReply send(GatewaySide& side, const sim::GatewayRequest& request) {
  const std::size_t known = side.ledger.intents().size();
  sim::GatewayReply reply = side.ledger.handle(request);
  const auto& intents = side.ledger.intents();
  for (std::size_t i = known; i < intents.size(); ++i)
    side.intents_by_key[request.idempotency_key.value_or("")].push_back(intents[i].id);
  return reply;
}

// One terminal step of `attempt` through the ledger, as TerminalClient would send it.
sim::GatewayReply terminal_step(GatewaySide& side, passgate::TerminalStep step,
                                const passgate::TerminalAttempt& attempt) {
  auto spec = drivers::terminal_http_request(drivers::TerminalCall{step, attempt, 0});
  if (!spec) throw std::runtime_error("the terminal's request: " + spec.error().message);
  std::optional<std::string> key;
  for (const auto& [name, value] : spec->headers)
    if (name == "Idempotency-Key") key = value;
  const char* method = spec->method == drivers::HttpMethod::post ? "POST" : "GET";
  return send(side, sim::GatewayRequest{method, spec->target, "Bearer " + std::string(kModelApiKey), key, spec->body});
}

// The card-entry runner's read of the hold (step 6), its answer read as TerminalClient reads it.
passgate::TerminalOutcome read_hold(GatewaySide& side, const passgate::TerminalAttempt& attempt) {
  const sim::GatewayReply read = terminal_step(side, passgate::TerminalStep::read_intent, attempt);
  passgate::HttpReply reply;
  reply.status = read.status;
  reply.body = read.body;
  reply.sends = 1;
  const WallTime now{std::chrono::milliseconds{side.network_now_ms()}};
  return drivers::classify_terminal_reply(reply, drivers::TerminalCall{passgate::TerminalStep::read_intent, attempt, 0},
                                          {kModelApiKey, attempt.customer, attempt.intent_id}, now);
}

// What the terminal says of the deadline of a hold placed at `placed_s` that lapses at
// `lapses_at_s` (network Unix seconds).
std::optional<std::int64_t> said_deadline(Deadline deadline, std::int64_t placed_s, std::int64_t lapses_at_s) {
  constexpr std::int64_t kDayS = 24 * 3600;
  switch (deadline) {
    case Deadline::told: return lapses_at_s;
    case Deadline::untold: return std::nullopt;
    case Deadline::milliseconds: return lapses_at_s * 1000;
    case Deadline::before_tap: return placed_s - 1;
    case Deadline::past_31_days: return placed_s + 40 * kDayS;
    case Deadline::huge: return 9'300'000'000'000'000;  // (in ms, past the int64 range)
  }
  return lapses_at_s;
}

std::string id_of(const sim::GatewayReply& reply, const char* what) {
  if (reply.status != 200)
    throw std::runtime_error(std::string("the terminal's ") + what + ": HTTP " + std::to_string(reply.status) + " " +
                             reply.body);
  const auto body = nlohmann::json::parse(reply.body, nullptr, false);
  if (!body.is_object() || !body.contains("id")) throw std::runtime_error(std::string("no id in the ") + what);
  return body["id"].get<std::string>();
}

void must_work(const Status& status, const char* what) {
  if (!status) throw std::runtime_error(std::string(what) + ": " + status.error().message);
}

passgate::TerminalAttempt attempt_of(const std::string& session_id, std::int64_t hold_minor) {
  passgate::TerminalAttempt attempt;
  attempt.session_id = session_id;
  attempt.gate_id = kModelGateId;
  attempt.lane = 1;
  attempt.reader_id = kModelReader;
  attempt.currency = "usd";
  attempt.hold_minor = hold_minor;
  return attempt;
}

}  // namespace

PlacedHold place_card_hold(GatewaySide& side, const std::string& session_id, std::int64_t hold_minor,
                           const CardTap& tap) {
  lapse_due_holds(side);
  sim::TerminalDesk& desk = side.ledger.terminal();
  if (desk.find_reader(kModelReader) == nullptr) must_work(desk.add_reader(kModelReader), "add the model's reader");
  passgate::TerminalAttempt attempt = attempt_of(session_id, hold_minor);
  attempt.customer = id_of(terminal_step(side, passgate::TerminalStep::create_customer, attempt), "customer");
  attempt.intent_id = id_of(terminal_step(side, passgate::TerminalStep::create_hold, attempt), "hold");
  if (!tap.incremental) must_work(desk.set_fault(kModelReader, sim::TerminalFault::no_increment), "no increment");
  if (tap.wallet) must_work(desk.set_fault(kModelReader, sim::TerminalFault::wallet), "a wallet");
  const std::int64_t placed_s = side.network_now_ms() / 1000;
  const std::int64_t lapses_at_s = (side.network_now_ms() + tap.capture_window_ms) / 1000;
  must_work(desk.report_next_capture_before(kModelReader, said_deadline(tap.deadline, placed_s, lapses_at_s)),
            "the deadline the terminal says");
  (void)id_of(terminal_step(side, passgate::TerminalStep::process, attempt), "process");
  const sim::GatewayReply tapped = send(
      side, sim::GatewayRequest{
                "POST", "/v1/test_helpers/terminal/readers/" + std::string(kModelReader) + "/present_payment_method",
                "Bearer " + std::string(kModelApiKey), std::nullopt,
                form_encode({{"type", "card_present"}, {"card_present[number]", card_number(tap)}})});
  must_work(desk.set_fault(kModelReader, sim::TerminalFault::none), "clear the reader's faults");
  const sim::GatewayIntent* intent = side.ledger.find_intent(attempt.intent_id);
  if (tapped.status != 200 || intent == nullptr || intent->status != sim::GatewayIntentStatus::requires_capture) {
    throw std::runtime_error("the tap of " + session_id + " placed no hold: HTTP " + std::to_string(tapped.status));
  }
  side.placed_holds.insert(attempt.intent_id);
  side.hold_lapses_at_s[attempt.intent_id] = lapses_at_s;
  PlacedHold hold{attempt.customer, attempt.intent_id, "", "", false, std::nullopt, ""};
  const passgate::TerminalOutcome read = read_hold(side, attempt);
  using Kind = passgate::TerminalOutcomeKind;
  if (read.kind == Kind::unverified || read.kind == Kind::rejected) {
    hold.not_believed = read.error.empty() ? "not believed" : read.error;
    return hold;
  }
  if (read.kind != Kind::succeeded || read.intent_status != "requires_capture" || !read.card) {
    throw std::runtime_error("the read of the hold of " + session_id + " shows no held card: " + read.error);
  }
  hold.fingerprint = read.card->fingerprint;
  hold.generated_card = read.card->generated_card;
  hold.incremental = read.card->incremental_authorization_supported;
  hold.capture_before_s = read.card->capture_before;
  return hold;
}

void void_card_hold(GatewaySide& side, const std::string& session_id, const PlacedHold& hold) {
  passgate::TerminalAttempt attempt = attempt_of(session_id, 0);
  attempt.customer = hold.customer;
  attempt.intent_id = hold.intent_id;
  (void)id_of(terminal_step(side, passgate::TerminalStep::void_intent, attempt), "void");
}

std::string tapped_fingerprint(const CardTap& tap) { return sim::card_fingerprint(card_number(tap), tap.wallet); }

void lapse_due_holds(GatewaySide& side) {
  if (!side.network_now_ms) return;
  const std::int64_t now_s = side.network_now_ms() / 1000;
  for (auto it = side.hold_lapses_at_s.begin(); it != side.hold_lapses_at_s.end();) {
    const sim::GatewayIntent* intent = side.ledger.find_intent(it->first);
    if (now_s < it->second && intent && intent->status == sim::GatewayIntentStatus::requires_capture) {
      ++it;
      continue;
    }
    if (intent && intent->status == sim::GatewayIntentStatus::requires_capture) {
      const sim::GatewayReply lapsed =
          side.ledger.handle(sim::GatewayRequest{"POST", "/v1/payment_intents/" + it->first + "/cancel",
                                                 "Bearer " + std::string(kModelApiKey), "lapse:" + it->first, ""});
      if (lapsed.status != 200) throw std::runtime_error("the gateway cannot lapse hold " + it->first);
      side.lapsed_holds.insert(it->first);
    }
    it = side.hold_lapses_at_s.erase(it);
  }
}

}  // namespace passgate::model
