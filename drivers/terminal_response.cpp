#include "drivers/terminal_response.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ports/payment_intent_match.hpp"
#include "drivers/terminal_objects.hpp"

namespace passgate::drivers {

using nlohmann::json;

namespace {

// The PaymentIntent statuses the terminal contract names.
constexpr std::array<std::string_view, 7> kIntentStatuses{"requires_payment_method", "requires_confirmation",
                                                          "requires_action",         "processing",
                                                          "requires_capture",        "succeeded",
                                                          "canceled"};
constexpr std::string_view kHoldOp = "tpreauth";

bool known_action_type(std::string_view type) {
  return type == "collect_payment_method" || type == "confirm_payment_intent" || type == "process_payment_intent";
}

void compare(std::vector<IntentMismatch>& out, const char* field, std::string_view expected, std::string_view got) {
  if (expected != got) out.push_back({field, std::string(expected), std::string(got)});
}

void compare(std::vector<IntentMismatch>& out, const char* field, std::int64_t expected, std::int64_t got) {
  if (expected != got) out.push_back({field, std::to_string(expected), std::to_string(got)});
}

// Every field of a PaymentIntent that differs from what `call` asked for.
std::vector<IntentMismatch> hold_mismatches(const TerminalCall& call, const PaymentIntentView& intent,
                                            const std::string& customer) {
  const TerminalAttempt& a = call.attempt;
  std::vector<IntentMismatch> out;
  if (call.step != TerminalStep::create_hold && intent.id != a.intent_id) out.push_back({"id", {}, {}, true});
  if (call.step == TerminalStep::create_hold && !customer.empty() && customer != a.customer)
    out.push_back({"customer", {}, {}, true});
  switch (call.step) {
    case TerminalStep::create_hold:
      compare(out, "status", "requires_payment_method", intent.status);
      compare(out, "amount", a.hold_minor, intent.amount);
      break;
    case TerminalStep::read_intent:
      if (std::find(kIntentStatuses.begin(), kIntentStatuses.end(), intent.status) == kIntentStatuses.end())
        out.push_back({"status", "a PaymentIntent status the contract names", intent.status});
      if (intent.amount < a.hold_minor)
        out.push_back({"amount", "at least " + std::to_string(a.hold_minor), std::to_string(intent.amount)});
      if (intent.amount_capturable < 0 || intent.amount_capturable > intent.amount)
        out.push_back({"amount_capturable", "0 to amount (" + std::to_string(intent.amount) + ")",
                       std::to_string(intent.amount_capturable)});
      break;
    case TerminalStep::void_intent:
      compare(out, "status", "canceled", intent.status);
      compare(out, "amount_received", 0, intent.amount_received);
      break;
    case TerminalStep::increment:
      compare(out, "status", "requires_capture", intent.status);
      compare(out, "amount", call.amount_minor, intent.amount);
      compare(out, "amount_capturable", call.amount_minor, intent.amount_capturable);
      break;
    default: break;
  }
  if (lower(intent.currency) != lower(a.currency)) out.push_back({"currency", lower(a.currency), intent.currency});
  compare(out, "metadata[session_id]", a.session_id, intent.session_id);
  compare(out, "metadata[op]", kHoldOp, intent.op);
  return out;
}

TerminalOutcomeKind terminal_kind(ReplyClass kind) {
  switch (kind) {
    case ReplyClass::declined: return TerminalOutcomeKind::declined;
    case ReplyClass::rejected: return TerminalOutcomeKind::rejected;
    case ReplyClass::retry_later: return TerminalOutcomeKind::retry_later;
    case ReplyClass::unknown: return TerminalOutcomeKind::unknown;
    case ReplyClass::unverified: return TerminalOutcomeKind::unverified;
  }
  return TerminalOutcomeKind::unverified;
}

// One reply being read as the answer to one call; `parsed` its body when it is JSON.
class TerminalReplyCheck {
 public:
  TerminalReplyCheck(const ReplyReader& reader, const TerminalCall& call, const Result<json>& parsed)
      : reader_(reader), call_(call), parsed_(parsed) {}

  [[nodiscard]] TerminalOutcome outcome() const {
    if (!reader_.success()) return failure();
    if (!parsed_) return unverified(reader_.unreadable(answer_name(), parsed_.error().message));
    const json& parsed = *parsed_;
    switch (call_.step) {
      case TerminalStep::create_customer: return customer(parsed);
      case TerminalStep::create_hold:
      case TerminalStep::read_intent:
      case TerminalStep::void_intent:
      case TerminalStep::increment: return intent(parsed);
      default: return reader(parsed);
    }
  }

 private:
  [[nodiscard]] std::string answer_name() const {
    switch (call_.step) {
      case TerminalStep::create_customer: return "customer";
      case TerminalStep::create_hold:
      case TerminalStep::read_intent:
      case TerminalStep::void_intent:
      case TerminalStep::increment: return "PaymentIntent";
      default: return "reader";
    }
  }

  [[nodiscard]] TerminalOutcome with(TerminalOutcomeKind kind, std::string error = {}) const {
    auto out = reader_.base<TerminalOutcome>();
    out.kind = kind;
    out.error = std::move(error);
    return out;
  }

  [[nodiscard]] TerminalOutcome unverified(const std::string& why) const {
    return with(TerminalOutcomeKind::unverified, why + "; " + std::string(kTerminalUnverifiedConsequence));
  }

  [[nodiscard]] std::string word(std::string_view from_api) const { return reader_.text(from_api, kMaxGatewayWord); }

  [[nodiscard]] TerminalOutcome not_asked(const std::vector<IntentMismatch>& mismatches) const {
    const auto shown = [this](std::string_view got) { return word(got); };
    return unverified("the " + answer_name() + " in the HTTP 200 answer is not the outcome of this " +
                      std::string(to_string(call_.step)) + ": " + describe_mismatches(mismatches, shown));
  }

  [[nodiscard]] TerminalOutcome failure() const {
    ReplyFailure failed = reader_.failure();
    if (failed.kind == ReplyClass::unverified) return unverified(failed.error);
    auto kind = terminal_kind(failed.kind);
    if (reader_.reply().status == 400 && failed.body_error) {
      const std::string& code = failed.body_error->code;
      if (code == "terminal_reader_offline") kind = TerminalOutcomeKind::offline;
      if (code == "terminal_reader_busy") kind = TerminalOutcomeKind::busy;
      if (code == "terminal_reader_timeout") kind = TerminalOutcomeKind::unknown;
    }
    auto out = with(kind, std::move(failed.error));
    out.decline_code = std::move(failed.decline_code);
    return out;
  }

  [[nodiscard]] TerminalOutcome customer(const json& object) const {
    if (!object.is_object() || (object.contains("object") && text_member(object, "object") != "customer"))
      return unverified(reader_.unreadable("customer", "not a customer object"));
    const std::string id = text_member(object, "id");
    if (id.empty()) return unverified(reader_.unreadable("customer", "has no \"id\""));
    std::string session;
    if (const json* metadata = object_member(object, "metadata")) session = text_member(*metadata, "session_id");
    std::vector<IntentMismatch> mismatches;
    compare(mismatches, "metadata[session_id]", call_.attempt.session_id, session);
    if (!mismatches.empty()) return not_asked(mismatches);
    auto out = with(TerminalOutcomeKind::succeeded);
    out.customer = id;
    return out;
  }

  [[nodiscard]] TerminalOutcome intent(const json& object) const {
    auto view = parse_intent(object);
    if (!view) return unverified(reader_.unreadable("PaymentIntent", view.error().message));
    if (auto mismatches = hold_mismatches(call_, *view, id_member(object, "customer")); !mismatches.empty())
      return not_asked(mismatches);
    auto card = parse_card(object);
    if (!card) return unverified(reader_.unreadable("PaymentIntent", card.error().message));
    const bool held = view->status == "requires_capture";
    if (call_.step == TerminalStep::read_intent && held && !(*card && !(*card)->fingerprint.empty())) {
      return unverified("the PaymentIntent is requires_capture but its latest_charge has no card_present "
                        "fingerprint");
    }
    if (call_.step == TerminalStep::read_intent && held && (*card)->capture_before) {
      // The held card's deadline, watched by the settlement: a value the hold cannot have is
      // not believed, whatever else the answer says.
      if (const std::string why = implausible_capture_before(object, *(*card)->capture_before); !why.empty())
        return unverified("the PaymentIntent is requires_capture but its card's " + why);
    }
    const bool processing = call_.step == TerminalStep::read_intent && view->status == "processing";
    auto out = with(processing ? TerminalOutcomeKind::in_progress : TerminalOutcomeKind::succeeded);
    out.intent_id = view->id;
    out.intent_status = view->status;
    out.amount = view->amount;
    out.amount_capturable = view->amount_capturable;
    if (*card) {
      out.card = std::move(**card);
      out.card->brand = word(out.card->brand);
      out.card->last4 = word(out.card->last4);
    }
    return out;
  }

  [[nodiscard]] TerminalOutcome reader(const json& object) const {
    const TerminalAttempt& a = call_.attempt;
    auto read = parse_reader(object, a.intent_id);
    if (!read) return unverified(reader_.unreadable("reader", read.error().message));
    std::vector<IntentMismatch> mismatches;
    compare(mismatches, "id", a.reader_id, read->id);
    if (read->status != "online" && read->status != "offline")
      mismatches.push_back({"status", "online or offline", read->status});
    if (!mismatches.empty()) return not_asked(mismatches);
    auto out = with(TerminalOutcomeKind::succeeded);
    out.reader_status = read->status;
    out.action = read->action;
    if (read->status == "offline") {
      out.kind = TerminalOutcomeKind::offline;
      out.error = "the reader " + a.reader_id + " is offline";
      return out;
    }
    const std::string_view started = reader_action_type(call_.step);
    if (!started.empty()) {
      if (!read->has_action) mismatches.push_back({"action", std::string(started), {}});
      else compare(mismatches, "action.type", started, read->action.type);
      if (read->has_action && !read->action.on_this_intent) mismatches.push_back({"action.payment_intent", {}, {}, true});
      if (!mismatches.empty()) return not_asked(mismatches);
      return by_action(std::move(out), *read);
    }
    if (call_.step == TerminalStep::cancel_action) {
      if (read->has_action && read->action.status == "in_progress") {
        out.kind = TerminalOutcomeKind::in_progress;
        out.error = "the reader's action is still in progress after cancel_action";
      }
      return out;
    }
    // read_reader
    if (a.intent_id.empty()) return out;
    if (!read->has_action) {
      out.kind = TerminalOutcomeKind::unknown;
      out.error = "the reader shows no action: read the PaymentIntent";
      return out;
    }
    if (!read->action.on_this_intent) {
      const bool running = read->action.status == "in_progress";
      out.kind = running ? TerminalOutcomeKind::busy : TerminalOutcomeKind::unknown;
      out.error = running ? "the reader runs an action for another PaymentIntent"
                          : "the reader's last action is for another PaymentIntent: read the PaymentIntent";
      return out;
    }
    if (!known_action_type(read->action.type))
      return not_asked({{"action.type", "an action the contract names", read->action.type}});
    return by_action(std::move(out), *read);
  }

  // The outcome of the reader's action on this attempt's PaymentIntent.
  [[nodiscard]] TerminalOutcome by_action(TerminalOutcome out, const ReaderRead& read) const {
    const bool collecting = read.action.type == "collect_payment_method";
    if (read.action.status == "in_progress") {
      out.kind = TerminalOutcomeKind::in_progress;
      return out;
    }
    if (read.action.status == "succeeded") {
      if (collecting) {
        if (read.fingerprint.empty() || !usable_card_field(read.fingerprint))
          return unverified("the collect succeeded without a usable card_present fingerprint");
        out.card = TerminalCard{};
        out.card->fingerprint = read.fingerprint;
      }
      return out;
    }
    if (read.action.status != "failed")
      return not_asked({{"action.status", "in_progress, succeeded or failed", read.action.status}});
    const bool card_error = (read.api_error && read.api_error->type == "card_error") || read.failure_code == "card_declined";
    std::string why = "the reader's " + word(read.action.type) + " failed";
    if (!read.failure_code.empty()) why += ": failure_code=" + word(read.failure_code);
    if (read.api_error) {
      for (const auto& [name, value] : {std::pair{" api_error.type=", &read.api_error->type},
                                        std::pair{" api_error.code=", &read.api_error->code},
                                        std::pair{" api_error.decline_code=", &read.api_error->decline_code}}) {
        if (!value->empty()) why += name + word(*value);
      }
    }
    if (!read.failure_message.empty()) why += " (" + reader_.text(read.failure_message, kMaxGatewayMessage) + ")";
    out.error = why;
    if (card_error) {
      out.kind = TerminalOutcomeKind::declined;
      const GatewayError none;
      const GatewayError& e = read.api_error ? *read.api_error : none;
      out.decline_code = word(!e.decline_code.empty() ? e.decline_code : !e.code.empty() ? e.code : read.failure_code);
    } else if (collecting && !read.api_error) {
      out.kind = TerminalOutcomeKind::reader_failed;
    } else {
      out.kind = TerminalOutcomeKind::unknown;  // the PaymentIntent decides
    }
    return out;
  }

  const ReplyReader& reader_;
  const TerminalCall& call_;
  const Result<json>& parsed_;
};

}  // namespace

TerminalOutcome classify_terminal_reply(const HttpReply& reply, const TerminalCall& call, const Secrets& secrets,
                                        WallTime now) {
  const Result<json> parsed = reply.status == 200 ? parse_json(reply.body) : make_error("unread", "not read");
  std::vector<std::string> cards;
  if (parsed) collect_card_references(*parsed, 0, cards);
  Secrets all = secrets;
  all.insert(all.end(), cards.begin(), cards.end());
  const ReplyReader reader(reply, all, now);
  return TerminalReplyCheck(reader, call, parsed).outcome();
}

}  // namespace passgate::drivers
