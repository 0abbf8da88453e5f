// TerminalDesk's customers, card-present PaymentIntents, their authorization at a reader and
// increment_authorization (terminal_desk.hpp).
#include <utility>

#include "tools/sim/gateway/terminal_desk.hpp"
#include "tools/sim/gateway/test_cards.hpp"

namespace passgate::sim {
namespace {

using nlohmann::json;

// A card-present hold can be captured for two days (Stripe: in-person authorizations).
constexpr std::int64_t kCaptureWindowSeconds = 2 * 24 * 3600;

}  // namespace

Status TerminalDesk::add_reader(const std::string& id) {
  if (!valid_reader_id(id)) {
    return make_error("bad_reader", "a reader id is tmr_ then 1 to 60 letters, digits or _, got \"" + id + "\"");
  }
  if (find_reader(id) != nullptr) return make_error("bad_reader", "reader " + id + " given twice");
  readers_.push_back(Reader{id, std::nullopt, {}});
  return {};
}

const Reader* TerminalDesk::find_reader(const std::string& id) const {
  for (const auto& reader : readers_) {
    if (reader.id == id) return &reader;
  }
  return nullptr;
}

Reader* TerminalDesk::find(const std::string& id) { return const_cast<Reader*>(std::as_const(*this).find_reader(id)); }

const SavedCard* TerminalDesk::saved_card(const std::string& payment_method) const {
  const auto it = saved_cards_.find(payment_method);
  return it == saved_cards_.end() ? nullptr : &it->second;
}

GatewayReply TerminalDesk::create_customer(const std::string& body) {
  auto params = api::decode_params(body, "the body");
  if (!params) return api::bad_form(params.error());
  GatewayParams& p = params.value();
  const auto session_id = p.optional_text("metadata[session_id]");
  const auto gate_id = p.optional_text("metadata[gate_id]");
  p.finish();
  if (!p.ok()) return api::bad_params(p);
  const std::string id = new_object_id("cus_");
  customers_.insert(id);
  json metadata = json::object();
  if (session_id) metadata["session_id"] = *session_id;
  if (gate_id) metadata["gate_id"] = *gate_id;
  return api::reply(200, json{{"id", id}, {"object", "customer"}, {"created", intents_.now()}, {"metadata", metadata},
                         {"livemode", false}});
}

GatewayReply TerminalDesk::create_intent(const std::string& body) {
  auto params = api::decode_params(body, "the body");
  if (!params) return api::bad_form(params.error());
  GatewayParams& p = params.value();
  GatewayIntent intent;
  CardPresentIntent card_present;
  intent.amount = p.positive_integer("amount", kMaxGatewayAmount);
  intent.currency = p.currency("currency");
  (void)p.one_of("payment_method_types[]", {"card_present"});
  intent.capture_method = p.one_of("capture_method", {"manual"});
  intent.customer = p.text("customer");
  card_present.setup_future_usage = p.optional_one_of("setup_future_usage", {"off_session"}).has_value();
  card_present.request_incremental =
      p.optional_one_of("payment_method_options[card_present][request_incremental_authorization_support]",
                        {"true", "false"}) == "true";
  intent.session_id = p.text("metadata[session_id]");
  intent.gate_id = p.text("metadata[gate_id]");
  card_present.lane = p.text("metadata[lane]");
  intent.op = p.one_of("metadata[op]", {"tpreauth"});
  p.finish();
  if (!p.ok()) return api::bad_params(p);
  if (!customers_.contains(intent.customer)) return api::no_such("customer", intent.customer, "customer");
  intent.card_present = std::move(card_present);
  const GatewayIntent& made = intents_.add(std::move(intent));
  return api::reply(200, api::intent_json(made), made.id);
}

void TerminalDesk::authorize(Reader& reader, GatewayIntent& intent) {
  CardPresentIntent& card_present = *intent.card_present;
  const TappedCard card = *card_present.card;
  const TestCard* test_card = find_test_card(card.test_card);
  const auto decline = authorization_decline(*test_card, intent.amount);
  CardPresentCharge charge{new_object_id("ch_"), card, !decline, {}, {}, {}, 0, false};
  ReaderAction& action = *reader.action;
  if (decline) {
    charge.decline_code = decline->decline_code;
    charge.failure_message = decline->message;
    ++card_present.declines;
    card_present.card.reset();
    intent.payment_method.clear();
    intent.status = GatewayIntentStatus::requires_payment_method;
    action.status = ReaderActionStatus::failed;
    action.failure_code = "card_declined";
    action.failure_message = decline->message;
    action.api_error = ReaderApiError{decline->decline_code, decline->message};
  } else {
    charge.capture_before = intents_.now() + kCaptureWindowSeconds;
    if (auto told = std::exchange(reader.faults.next_capture_before, std::nullopt)) charge.capture_before = *told;
    charge.incremental_supported = card_present.request_incremental && !reader.faults.no_increment;
    if (card_present.setup_future_usage && !card.wallet) {
      charge.generated_card = new_object_id("pm_");
      saved_cards_.emplace(charge.generated_card, SavedCard{intent.customer, card.test_card});
    }
    card_present.authorized = true;
    intent.status = GatewayIntentStatus::requires_capture;
    intent.amount_capturable = intent.amount;
    action.status = ReaderActionStatus::succeeded;
  }
  card_present.latest_charge = std::move(charge);
}

GatewayReply TerminalDesk::increment(const std::string& id, const std::string& body) {
  auto params = api::decode_params(body, "the body");
  if (!params) return api::bad_form(params.error());
  GatewayParams& p = params.value();
  const std::int64_t amount = p.positive_integer("amount", kMaxGatewayAmount);
  p.finish();
  if (!p.ok()) return api::bad_params(p);
  GatewayIntent* intent = intents_.find(id);
  if (intent == nullptr) return api::no_such_intent(id);
  if (intent->status != GatewayIntentStatus::requires_capture) {
    return api::unexpected_state(*intent, "incremented", "requires_capture");
  }
  const auto& charge = intent->card_present ? intent->card_present->latest_charge : std::nullopt;
  if (!charge || !charge->incremental_supported) {
    return api::invalid_request(400, "incremental_authorization_not_supported",
                           "This PaymentIntent's authorization does not support incremental authorization "
                           "(latest_charge.payment_method_details.card_present.incremental_authorization_supported "
                           "is false)",
                           json::object(), id);
  }
  if (amount <= intent->amount) {
    return api::invalid_request(400, "parameter_invalid_integer",
                           "amount: must be more than the PaymentIntent's amount " + std::to_string(intent->amount) +
                               ", got " + std::to_string(amount),
                           json{{"param", "amount"}}, id);
  }
  if (const auto decline = authorization_decline(*find_test_card(charge->card.test_card), amount)) {
    return api::error_reply(402, "card_error", "card_declined", decline->message,
                       json{{"decline_code", decline->decline_code}, {"payment_intent", api::intent_json(*intent)}}, id);
  }
  intent->amount = amount;
  intent->amount_capturable = amount;
  ++intent->card_present->increments;
  return api::reply(200, api::intent_json(*intent), id);
}

}  // namespace passgate::sim
