// The terminal API's objects as the terminal client reads them (docs/interfaces/payment-terminal.md):
// a terminal.reader with its action, the card_present details of a PaymentIntent's expanded
// latest_charge, references that may come as an id or an expanded object, and every card
// reference an answer holds (for scrubbing). Reading only: whether an object is the answer to
// a call is drivers/terminal_response.hpp's. Pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "ports/payment_terminal.hpp"
#include "drivers/gateway_http.hpp"

namespace passgate::drivers {

// The longest card field kept whole (a fingerprint, a payment method id).
inline constexpr std::size_t kMaxCardField = 255;

// The member `name` if it is an object, else null.
[[nodiscard]] const nlohmann::json* object_member(const nlohmann::json& object, const char* name);
// A reference that may come as an id or as the expanded object with an id; "" if neither.
[[nodiscard]] std::string id_member(const nlohmann::json& object, const char* name);
// Whether a card field is printable, without spaces, and at most kMaxCardField bytes.
[[nodiscard]] bool usable_card_field(const std::string& value);

// The reader object as read, with what its action says.
struct ReaderRead {
  std::string id;
  std::string status;
  bool has_action = false;
  ReaderActionView action;
  std::string failure_code;
  std::string failure_message;
  std::optional<GatewayError> api_error;  // null when the reader itself failed
  std::string fingerprint;                // a finished collect's card
};

// A terminal.reader object; `intent_id` is the PaymentIntent its action is compared with
// (ReaderActionView::on_this_intent). The error says what is missing or malformed.
[[nodiscard]] Result<ReaderRead> parse_reader(const nlohmann::json& object, const std::string& intent_id);

// latest_charge.payment_method_details.card_present of a PaymentIntent, when the charge is
// expanded and has one; an error when a field is malformed or over its bound.
[[nodiscard]] Result<std::optional<TerminalCard>> parse_card(const nlohmann::json& intent);

// The longest a card hold may stand after the hold was made: a capture_before further out is
// not a hold's deadline in Unix seconds (e.g. one in milliseconds).
inline constexpr std::int64_t kMaxHoldWindowS = 31 * 24 * 3600;
// Why `capture_before` of the held PaymentIntent `intent` is not what was asked for, "" if it
// is plausible: a Unix time in seconds after the hold was made (the `created` of its
// latest_charge, the tap, else the PaymentIntent's own, from before the tap: the gateway's
// clock, as capture_before) and at most kMaxHoldWindowS after it. An answer that dates neither
// is only held to a Unix time in seconds (after 1970, before the year 10000).
[[nodiscard]] std::string implausible_capture_before(const nlohmann::json& intent, std::int64_t capture_before);

// Every "fingerprint" and "generated_card" string in `value`, at most kMaxCardDepth objects
// deep, so that no text shows one even where the API put it elsewhere.
inline constexpr int kMaxCardDepth = 8;
void collect_card_references(const nlohmann::json& value, int depth, std::vector<std::string>& out);

}  // namespace passgate::drivers
