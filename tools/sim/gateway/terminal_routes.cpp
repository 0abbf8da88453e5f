// TerminalDesk's reader endpoints: GET reader, the reader actions (collect, confirm,
// process, cancel_action), the simulated tap, and the reader faults (terminal_desk.hpp).
#include <utility>

#include "tools/sim/gateway/terminal_desk.hpp"
#include "tools/sim/gateway/test_cards.hpp"

namespace passgate::sim {
namespace {

using nlohmann::json;

GatewayReply no_such_reader(const std::string& id) { return api::no_such("terminal.reader", id, "reader"); }

GatewayReply reader_reply(const Reader& reader) { return api::reply(200, reader_json(reader), reader.id); }

GatewayReply reader_error(const Reader& reader, const std::string& code, const std::string& message) {
  return api::invalid_request(400, code, message, json::object(), reader.id);
}

GatewayReply reader_offline(const Reader& reader) {
  return reader_error(reader, "terminal_reader_offline",
                      "Reader " + reader.id + " is offline: the API cannot reach it; nothing was done");
}

// The failure a pending collect fault makes.
std::pair<const char*, const char*> collect_failure(TerminalFault fault) {
  switch (fault) {
    case TerminalFault::customer_cancel: return {"customer_canceled", "The customer canceled the payment on the reader."};
    case TerminalFault::card_removed: return {"card_read_error", "The card was removed before it could be read."};
    default: break;
  }
  return {"reader_timeout", "No card was presented before the reader's collect window ended."};
}

}  // namespace

GatewayReply TerminalDesk::show_reader(const std::string& id) const {
  const Reader* reader = find_reader(id);
  return reader == nullptr ? no_such_reader(id) : reader_reply(*reader);
}

GatewayReply TerminalDesk::reader_action(const std::string& id, const std::string& reader_op,
                                         const std::string& body) {
  Reader* reader = find(id);
  if (reader == nullptr) return no_such_reader(id);
  auto params = api::decode_params(body, "the body");
  if (!params) return api::bad_form(params.error());
  GatewayParams& p = params.value();
  const bool cancel = reader_op == "cancel_action";
  const std::string intent_id = cancel ? std::string() : p.text("payment_intent");
  p.finish();
  if (!p.ok()) return api::bad_params(p);
  if (reader->faults.offline) return reader_offline(*reader);

  GatewayReply result;
  if (cancel) {
    result = cancel_action(*reader);
  } else {
    if (reader->busy()) {
      return reader_error(*reader, "terminal_reader_busy",
                          "Reader " + id + " is busy with an action for " +
                              (reader->faults.busy ? busy_intent_of(*reader) : reader->action->payment_intent) +
                              "; cancel it with cancel_action or wait");
    }
    GatewayIntent* intent = intents_.find(intent_id);
    if (intent == nullptr) return api::no_such("payment_intent", intent_id, "payment_intent");
    if (!intent->card_present) {
      return api::invalid_request(400, "parameter_invalid",
                             "payment_intent: " + intent_id + " does not accept card_present payment methods",
                             json{{"param", "payment_intent"}}, intent_id);
    }
    result = reader_op == "confirm_payment_intent" ? confirm(*reader, *intent)
             : reader_op == "process_payment_intent"
                 ? start(*reader, ReaderActionType::process_payment_intent, *intent)
                 : start(*reader, ReaderActionType::collect_payment_method, *intent);
  }
  if (result.status == 200 && std::exchange(reader->faults.timeout_next_action, false)) {
    return reader_error(*reader, "terminal_reader_timeout",
                        "Reader " + id + " did not answer in time; the action may or may not have reached it");
  }
  return result;
}

GatewayReply TerminalDesk::start(Reader& reader, ReaderActionType type, GatewayIntent& intent) {
  if (intent.status != GatewayIntentStatus::requires_payment_method) {
    return api::unexpected_state(intent, "collected on a reader", "requires_payment_method");
  }
  reader.action = ReaderAction{type, ReaderActionStatus::in_progress, intent.id, std::nullopt, {}, {}, std::nullopt};
  if (const auto fault = std::exchange(reader.faults.next_collect, std::nullopt)) {
    const auto [code, message] = collect_failure(*fault);
    reader.fail_action(code, message);
  }
  return reader_reply(reader);
}

GatewayReply TerminalDesk::confirm(Reader& reader, GatewayIntent& intent) {
  const auto& card = intent.card_present->card;
  if (intent.status != GatewayIntentStatus::requires_confirmation || !card || card->reader != reader.id) {
    return api::unexpected_state(intent, "confirmed on reader " + reader.id,
                            "requires_confirmation, with its card read by that reader");
  }
  reader.action = ReaderAction{ReaderActionType::confirm_payment_intent, ReaderActionStatus::in_progress, intent.id,
                               std::nullopt, {}, {}, std::nullopt};
  run_authorization(reader, intent);
  return reader_reply(reader);
}

void TerminalDesk::run_authorization(Reader& reader, GatewayIntent& intent) {
  const auto fault = std::exchange(reader.faults.next_confirm, std::nullopt);
  if (fault != TerminalFault::confirm_fail) authorize(reader, intent);
  if (fault && reader.action->status != ReaderActionStatus::failed) {
    reader.fail_action("reader_hardware_error", "The reader failed while authorizing the payment.");
  }
}

GatewayReply TerminalDesk::cancel_action(Reader& reader) {
  reader.faults.busy = false;
  if (reader.action && reader.action->status == ReaderActionStatus::in_progress) {
    reader.fail_action("canceled", "The action was canceled through the API.");
  }
  return reader_reply(reader);
}

GatewayReply TerminalDesk::present(const std::string& id, const std::string& body) {
  Reader* reader = find(id);
  if (reader == nullptr) return no_such_reader(id);
  auto params = api::decode_params(body, "the body");
  if (!params) return api::bad_form(params.error());
  GatewayParams& p = params.value();
  (void)p.optional_one_of("type", {"card_present"});
  const std::string number = p.optional_text("card_present[number]").value_or(kDefaultTestCard);
  const TestCard* test_card = find_test_card(number);
  if (test_card == nullptr) {
    p.problem("card_present[number]", "parameter_invalid",
              "card_present[number]: not a test card of the simulator (" + test_card_numbers() + ")");
  }
  p.finish();
  if (!p.ok()) return api::bad_params(p);
  if (reader->faults.offline) return reader_offline(*reader);
  const auto& action = reader->action;
  if (reader->faults.busy || !action || action->status != ReaderActionStatus::in_progress ||
      action->type == ReaderActionType::confirm_payment_intent) {
    return reader_error(*reader, "terminal_reader_not_collecting",
                        "Reader " + id + " is not collecting a payment method for an intent of the simulator");
  }
  GatewayIntent& intent = *intents_.find(action->payment_intent);
  const bool wallet = std::exchange(reader->faults.wallet_next_tap, false);
  const std::string last4 = number.substr(number.size() - 4);
  TappedCard card{new_object_id("pm_"), number,  test_card->brand, last4, card_fingerprint(number, wallet),
                  wallet,               reader->id};
  reader->action->card = card;
  intent.card_present->card = card;
  intent.payment_method = card.payment_method;
  intent.status = GatewayIntentStatus::requires_confirmation;
  if (action->type == ReaderActionType::process_payment_intent) {
    run_authorization(*reader, intent);
  } else {
    reader->action->status = ReaderActionStatus::succeeded;
  }
  return reader_reply(*reader);
}

void TerminalDesk::intent_canceled(const std::string& id) {
  for (auto& reader : readers_) {
    if (reader.armed_intent() == id) reader.fail_action("payment_intent_canceled", "The PaymentIntent was canceled.");
  }
}

Status TerminalDesk::set_fault(const std::string& id, TerminalFault fault) {
  Reader* reader = find(id);
  if (reader == nullptr) return make_error("no_such_reader", "no reader " + id + " (start with --reader " + id + ")");
  ReaderFaults& faults = reader->faults;
  switch (fault) {
    case TerminalFault::none: faults = {}; break;
    case TerminalFault::offline: faults.offline = true; break;
    case TerminalFault::online: faults.offline = false; break;
    case TerminalFault::busy: faults.busy = true; break;
    case TerminalFault::customer_cancel:
    case TerminalFault::card_removed:
    case TerminalFault::tap_timeout:
      if (!reader->armed_intent().empty()) {  // a collect (or process) waiting for its tap
        const auto [code, message] = collect_failure(fault);
        reader->fail_action(code, message);
      } else {
        faults.next_collect = fault;
      }
      break;
    case TerminalFault::wallet: faults.wallet_next_tap = true; break;
    case TerminalFault::no_increment: faults.no_increment = true; break;
    case TerminalFault::reader_timeout: faults.timeout_next_action = true; break;
    case TerminalFault::confirm_fail:
    case TerminalFault::confirm_fail_held: faults.next_confirm = fault; break;
    case TerminalFault::drop_response:
    case TerminalFault::delay_ms:
    case TerminalFault::api_down: break;  // GatewayServer's
  }
  return {};
}

Status TerminalDesk::report_next_capture_before(const std::string& id, std::optional<std::int64_t> capture_before) {
  Reader* reader = find(id);
  if (reader == nullptr) return make_error("no_such_reader", "no reader " + id + " (start with --reader " + id + ")");
  reader->faults.next_capture_before = capture_before;
  return {};
}

}  // namespace passgate::sim
