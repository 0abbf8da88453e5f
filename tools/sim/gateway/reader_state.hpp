// A simulated Terminal reader as the gateway simulator keeps it: its action (the one the
// API asked for last: collect_payment_method, confirm_payment_intent or
// process_payment_intent, in_progress until a tap or an outcome) and the faults switched on
// it (TerminalFault), plus its JSON (`terminal.reader`). Used by TerminalDesk and the report.
// Single-threaded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tools/sim/gateway/intent.hpp"

namespace passgate::sim {

// The simulator-only faults, set per reader through POST /_sim/readers/{reader} (form field
// fault=) on the API port, POST /control/readers/{reader} on the control port, or
// `passgate-sim gateway-ctl reader`. See GatewayServer for their scope and lifetime.
enum class TerminalFault {
  none,             // clears this reader's faults and the API-wide ones
  offline,          // reader offline until online: actions 400 terminal_reader_offline
  online,
  busy,             // another intent's action occupies the reader until none or a cancel_action
  customer_cancel,  // the collect in progress, else the next: failed customer_canceled
  card_removed,     // the collect in progress, else the next: failed card_read_error
  tap_timeout,      // the collect in progress, else the next: failed reader_timeout (no tap in time)
  wallet,           // the next tap is a phone wallet: its own fingerprint, no generated_card
  no_increment,     // holds placed on this reader until none: incremental authorization unsupported
  reader_timeout,   // the next action request runs, then is answered 400 terminal_reader_timeout
  confirm_fail,       // the next confirm/process fails at the reader, api_error null, nothing held
  confirm_fail_held,  // the same, but the hold was placed before the reader failed
  drop_response,    // API-wide: the next POST runs, then its connection is reset
  delay_ms,         // API-wide until none: every answer delay_ms late
  api_down,         // API-wide until none: every request 503
};
[[nodiscard]] const char* to_string(TerminalFault fault);
[[nodiscard]] std::optional<TerminalFault> parse_terminal_fault(std::string_view text);
// "none, offline, online, ...", for messages.
[[nodiscard]] std::string terminal_fault_names();
// Whether the fault is API-wide (GatewayServer's), not the reader's.
[[nodiscard]] bool api_wide(TerminalFault fault);

enum class ReaderActionType { collect_payment_method, confirm_payment_intent, process_payment_intent };
enum class ReaderActionStatus { in_progress, succeeded, failed };
[[nodiscard]] const char* to_string(ReaderActionType type);
[[nodiscard]] const char* to_string(ReaderActionStatus status);

// A failed authorization's API error (a card_error); absent when the reader itself failed.
struct ReaderApiError {
  std::string decline_code;
  std::string message;
};

struct ReaderAction {
  ReaderActionType type = ReaderActionType::collect_payment_method;
  ReaderActionStatus status = ReaderActionStatus::in_progress;
  std::string payment_intent;
  std::optional<TappedCard> card;  // collect/process: the card read, once tapped
  std::string failure_code;        // failed only
  std::string failure_message;     // failed only
  std::optional<ReaderApiError> api_error;
};

// The faults in force on one reader (API-wide ones live in GatewayServer).
struct ReaderFaults {
  bool offline = false;
  bool busy = false;                           // busy_intent occupies the reader
  std::optional<TerminalFault> next_collect;   // customer_cancel, card_removed or tap_timeout
  bool wallet_next_tap = false;
  bool no_increment = false;
  bool timeout_next_action = false;
  std::optional<TerminalFault> next_confirm;   // confirm_fail or confirm_fail_held
  // The capture_before the next hold authorized here reports, whatever it is (none: null),
  // for a terminal's odd answers; set only in process (TerminalDesk::report_next_capture_before).
  std::optional<std::optional<std::int64_t>> next_capture_before;
};

struct Reader {
  std::string id;  // tmr_…
  std::optional<ReaderAction> action;
  ReaderFaults faults;

  [[nodiscard]] bool busy() const {
    return faults.busy || (action && action->status == ReaderActionStatus::in_progress);
  }
  // The intent an in-progress action of ours works for ("" when none or busy by fault).
  [[nodiscard]] std::string armed_intent() const;
  // The faults in force, by name ("offline", "busy", "next collect customer_cancel", ...).
  [[nodiscard]] nlohmann::json faults_json() const;
  // Ends the action with a failure at the reader (api_error null).
  void fail_action(const std::string& code, const std::string& message);
};

// The id the busy fault's foreign action names: not an intent of the ledger.
[[nodiscard]] std::string busy_intent_of(const Reader& reader);

// `terminal.reader` JSON: id, object, device_type, status (online|offline), action (null,
// or type, status, failure_code, failure_message, api_error, and the type's own member with
// payment_intent and, for a collect that read a card, payment_method.card_present).
[[nodiscard]] nlohmann::json reader_json(const Reader& reader);

// Whether `id` may name a reader: "tmr_" then 1 to 60 letters, digits or '_'.
[[nodiscard]] bool valid_reader_id(std::string_view id);

}  // namespace passgate::sim
