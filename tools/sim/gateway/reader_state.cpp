#include "tools/sim/gateway/reader_state.hpp"

#include <algorithm>
#include <iterator>

namespace passgate::sim {
namespace {

using nlohmann::json;

struct FaultName {
  TerminalFault fault;
  const char* name;
};

constexpr FaultName kFaultNames[] = {
    {TerminalFault::none, "none"},
    {TerminalFault::offline, "offline"},
    {TerminalFault::online, "online"},
    {TerminalFault::busy, "busy"},
    {TerminalFault::customer_cancel, "customer_cancel"},
    {TerminalFault::card_removed, "card_removed"},
    {TerminalFault::tap_timeout, "tap_timeout"},
    {TerminalFault::wallet, "wallet"},
    {TerminalFault::no_increment, "no_increment"},
    {TerminalFault::reader_timeout, "reader_timeout"},
    {TerminalFault::confirm_fail, "confirm_fail"},
    {TerminalFault::confirm_fail_held, "confirm_fail_held"},
    {TerminalFault::drop_response, "drop_response"},
    {TerminalFault::delay_ms, "delay_ms"},
    {TerminalFault::api_down, "api_down"},
};

json card_json(const TappedCard& card) {
  return json{{"id", card.payment_method},
              {"object", "payment_method"},
              {"type", "card_present"},
              {"card_present",
               {{"brand", card.brand},
                {"last4", card.last4},
                {"fingerprint", card.fingerprint},
                {"read_method", "contactless_emv"},
                {"wallet", card.wallet ? json{{"type", "apple_pay"}} : json()}}}};
}

}  // namespace

const char* to_string(TerminalFault fault) {
  for (const auto& [f, name] : kFaultNames) {
    if (f == fault) return name;
  }
  return "none";
}

std::optional<TerminalFault> parse_terminal_fault(std::string_view text) {
  const auto* found = std::find_if(std::begin(kFaultNames), std::end(kFaultNames),
                                   [text](const FaultName& f) { return text == f.name; });
  if (found == std::end(kFaultNames)) return std::nullopt;
  return found->fault;
}

std::string terminal_fault_names() {
  std::string text;
  for (const auto& f : kFaultNames) text += (text.empty() ? "" : ", ") + std::string(f.name);
  return text;
}

bool api_wide(TerminalFault fault) {
  return fault == TerminalFault::drop_response || fault == TerminalFault::delay_ms ||
         fault == TerminalFault::api_down;
}

const char* to_string(ReaderActionType type) {
  switch (type) {
    case ReaderActionType::confirm_payment_intent: return "confirm_payment_intent";
    case ReaderActionType::process_payment_intent: return "process_payment_intent";
    case ReaderActionType::collect_payment_method: break;
  }
  return "collect_payment_method";
}

const char* to_string(ReaderActionStatus status) {
  switch (status) {
    case ReaderActionStatus::succeeded: return "succeeded";
    case ReaderActionStatus::failed: return "failed";
    case ReaderActionStatus::in_progress: break;
  }
  return "in_progress";
}

std::string Reader::armed_intent() const {
  if (!action || action->status != ReaderActionStatus::in_progress) return {};
  return action->payment_intent;
}

json Reader::faults_json() const {
  json names = json::array();
  if (faults.offline) names.push_back("offline");
  if (faults.busy) names.push_back("busy");
  if (faults.next_collect) names.push_back(std::string("next collect ") + to_string(*faults.next_collect));
  if (faults.wallet_next_tap) names.push_back("wallet");
  if (faults.no_increment) names.push_back("no_increment");
  if (faults.timeout_next_action) names.push_back("reader_timeout");
  if (faults.next_confirm) names.push_back(std::string("next confirm ") + to_string(*faults.next_confirm));
  if (faults.next_capture_before) {
    names.push_back("next capture_before " +
                    (*faults.next_capture_before ? std::to_string(**faults.next_capture_before) : std::string("null")));
  }
  return names;
}

void Reader::fail_action(const std::string& code, const std::string& message) {
  action->status = ReaderActionStatus::failed;
  action->failure_code = code;
  action->failure_message = message;
  action->api_error.reset();
}

std::string busy_intent_of(const Reader& reader) { return "pi_busy_" + reader.id; }

json reader_json(const Reader& reader) {
  json body{{"id", reader.id},
            {"object", "terminal.reader"},
            {"device_type", "simulated_wisepos_e"},
            {"label", reader.id},
            {"serial_number", reader.id},
            {"status", reader.faults.offline ? "offline" : "online"},
            {"livemode", false},
            {"action", nullptr}};
  if (reader.faults.busy) {
    body["action"] = {{"type", "collect_payment_method"},
                      {"status", "in_progress"},
                      {"failure_code", nullptr},
                      {"failure_message", nullptr},
                      {"api_error", nullptr},
                      {"collect_payment_method", {{"payment_intent", busy_intent_of(reader)}}}};
    return body;
  }
  if (!reader.action) return body;
  const ReaderAction& action = *reader.action;
  const bool failed = action.status == ReaderActionStatus::failed;
  json own{{"payment_intent", action.payment_intent}};
  if (action.type != ReaderActionType::confirm_payment_intent && action.card) {
    own["payment_method"] = card_json(*action.card);
  }
  json api_error;
  if (action.api_error) {
    api_error = {{"type", "card_error"},
                 {"code", "card_declined"},
                 {"decline_code", action.api_error->decline_code},
                 {"message", action.api_error->message}};
  }
  body["action"] = {{"type", to_string(action.type)},
                    {"status", to_string(action.status)},
                    {"failure_code", failed ? json(action.failure_code) : json()},
                    {"failure_message", failed ? json(action.failure_message) : json()},
                    {"api_error", std::move(api_error)},
                    {to_string(action.type), std::move(own)}};
  return body;
}

bool valid_reader_id(std::string_view id) {
  constexpr std::string_view kPrefix = "tmr_";
  if (!id.starts_with(kPrefix) || id.size() == kPrefix.size() || id.size() > kPrefix.size() + 60) return false;
  return std::all_of(id.begin() + kPrefix.size(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace passgate::sim
