// The Stripe-compatible HTTP dialect that the payment gateway's client and the payment
// terminal's client both speak (docs/interfaces/payment-gateway.md#transport,
// docs/interfaces/payment-terminal.md#transport): the bearer key's rules, Idempotency-Key
// rules, JSON members and the PaymentIntent object, the {"error":{...}} object, and
// ReplyReader, which sorts a reply by its HTTP status as both contracts do and keeps
// secrets out of every text taken from the peer. Pure functions; the clients' helpers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/core/string.hpp>
#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/http_reply.hpp"
#include "common/result.hpp"
#include "ports/payment_gateway.hpp"
#include "drivers/http_retry_after.hpp"

namespace passgate::drivers {

inline constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded";
// The most bytes of the peer's error message kept in an outcome's error text.
inline constexpr std::size_t kMaxGatewayMessage = 200;
// The most bytes kept of one word from the peer: error type, code, decline code, status.
inline constexpr std::size_t kMaxGatewayWord = 64;
// The longest Idempotency-Key the API accepts.
inline constexpr std::size_t kMaxIdempotencyKey = 255;
// The longest metadata value the API accepts.
inline constexpr std::size_t kMaxMetadataValue = 500;

// What must never appear in an outcome's texts: the API key, payment references, keys
// (empty ones are ignored).
using Secrets = std::vector<std::string_view>;

// Why `key` cannot be sent as a bearer token, or "" if it can; never quotes the key.
[[nodiscard]] std::string api_key_problem(const std::string& key);
// The offset of the first character that is a space, not printable ASCII, or one of
// `also_forbidden`, if any.
[[nodiscard]] std::optional<std::size_t> first_unprintable(std::string_view text,
                                                           std::string_view also_forbidden = {});
// Why `key` cannot be an Idempotency-Key (empty, too long, a space or control character),
// or "" if it can.
[[nodiscard]] std::string idempotency_key_problem(std::string_view key);
// Whether `code` is three ASCII letters (an ISO 4217 code in any case).
[[nodiscard]] bool is_currency_code(std::string_view code);
[[nodiscard]] std::string lower(std::string_view text);

// The member `name` of a JSON object as a string, "" when absent or not a string.
[[nodiscard]] std::string text_member(const nlohmann::json& object, const char* name);
// The integer member `name`, or why there is none ("has no \"amount\"").
[[nodiscard]] Result<std::int64_t> integer_member(const nlohmann::json& object, const char* name);
// The body as JSON, or "is not JSON".
[[nodiscard]] Result<nlohmann::json> parse_json(const std::string& body);
// A PaymentIntent object with every member the contract says it has at least (metadata may
// lack a key: the match says so); the error says what is missing or malformed.
[[nodiscard]] Result<PaymentIntentView> parse_intent(const nlohmann::json& object);

// The API's {"error":{...}} object.
struct GatewayError {
  std::string type;
  std::string code;
  std::string decline_code;
  std::string message;
};
[[nodiscard]] std::optional<GatewayError> parse_gateway_error(const std::string& body);

// How a reply that is not a 200 is sorted (payment-gateway.md#answers-and-errors).
enum class ReplyClass {
  declined,     // 402 card_error
  rejected,     // 400, 401, 403, 404
  retry_later,  // 409, 429
  unknown,      // 5xx, or no response at all
  unverified,   // a status the contract does not name, or a 402 that is not a card_error
};

struct ReplyFailure {
  ReplyClass kind = ReplyClass::unknown;
  std::string error;         // why, cleaned; for unverified without what it means
  std::string decline_code;  // declined: decline_code, or code when there is none (cleaned)
  std::string error_code;    // rejected: the error object's code, if any (cleaned)
  std::optional<GatewayError> body_error;  // the error object as sent (uncleaned: match only)
};

// One reply being classified, with what its texts must not contain.
class ReplyReader {
 public:
  ReplyReader(const HttpReply& reply, const Secrets& secrets, WallTime now)
      : reply_(reply), secrets_(secrets), now_(now) {}

  // The one success status the contracts name; any other 2xx is not an answer they name.
  [[nodiscard]] bool success() const { return reply_.status == 200; }
  [[nodiscard]] const HttpReply& reply() const { return reply_; }

  // What every outcome takes from the reply, whatever its status: http_status, sends,
  // replayed (Idempotent-Replayed: true) and retry_after (Retry-After).
  template <class Outcome>
  [[nodiscard]] Outcome base() const {
    Outcome outcome;
    outcome.http_status = reply_.status;
    outcome.sends = reply_.sends;
    const auto replayed = reply_.header("Idempotent-Replayed");
    outcome.replayed = replayed && boost::beast::iequals(*replayed, "true");
    if (const auto retry_after = reply_.header("Retry-After")) {
      outcome.retry_after = parse_retry_after(*retry_after, now_);
    }
    return outcome;
  }

  // Any reply but a 200 (REQUIRES: !success()).
  [[nodiscard]] ReplyFailure failure() const;

  // "unreadable <what> in an HTTP 200 response (<why>)".
  [[nodiscard]] std::string unreadable(const std::string& what, const std::string& why) const;

  // Text from the peer made fit for a log line: secrets redacted, control characters
  // turned into spaces, at most `limit` bytes kept (never half a UTF-8 sequence), "..."
  // marking a cut.
  [[nodiscard]] std::string text(std::string_view from_peer, std::size_t limit) const;

  // "HTTP 402 type=card_error code=card_declined decline_code=insufficient_funds: <message>",
  // or the start of the body when it has no error object (e.g. a proxy's page).
  [[nodiscard]] std::string describe(const std::optional<GatewayError>& error) const;

 private:
  [[nodiscard]] std::string redacted(std::string_view text) const;

  const HttpReply& reply_;
  const Secrets& secrets_;
  WallTime now_;
};

}  // namespace passgate::drivers
