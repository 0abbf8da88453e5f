#include "drivers/gateway_response.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include <boost/beast/core/string.hpp>
#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "ports/payment_intent_match.hpp"
#include "drivers/http_retry_after.hpp"

namespace passgate::drivers {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxGatewayWord = 64;  // error type, code, decline code, status, id

// The statuses docs/interfaces/payment-gateway.md#answers-and-errors names (0: no response at all).
bool named_status(int status) {
  switch (status) {
    case 0: case 200: case 400: case 401: case 402: case 403: case 404: case 409: case 429:
      return true;
    default:
      return status >= 500 && status <= 599;
  }
}

// The member `name` of a JSON object as a string, "" when absent or not a string.
std::string text_member(const json& object, const char* name) {
  const auto found = object.find(name);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// The integer member `name`, or why there is none.
Result<std::int64_t> integer_member(const json& object, const char* name) {
  const auto found = object.find(name);
  if (found == object.end() || found->is_null()) return make_error("bad_intent", std::string("has no \"") + name + "\"");
  if (!found->is_number_integer()) return make_error("bad_intent", std::string("has a non-integer \"") + name + "\"");
  return found->get<std::int64_t>();
}

// A PaymentIntent object with every member the contract says it has at least (metadata may
// lack a key: the match says so); the error says what is missing or malformed.
Result<PaymentIntentView> parse_intent(const json& object) {
  if (!object.is_object()) return make_error("bad_intent", "is not a JSON object");
  PaymentIntentView intent;
  intent.id = text_member(object, "id");
  intent.status = text_member(object, "status");
  if (intent.id.empty()) return make_error("bad_intent", "has no \"id\"");
  if (intent.status.empty()) return make_error("bad_intent", "has no \"status\"");
  if (object.contains("object") && text_member(object, "object") != "payment_intent")
    return make_error("bad_intent", "is not a payment_intent object");
  for (const auto& [name, field] : {std::pair{"amount", &intent.amount},
                                    std::pair{"amount_capturable", &intent.amount_capturable},
                                    std::pair{"amount_received", &intent.amount_received}}) {
    auto value = integer_member(object, name);
    if (!value) return value.error();
    *field = *value;
  }
  intent.currency = text_member(object, "currency");
  if (intent.currency.empty()) return make_error("bad_intent", "has no \"currency\"");
  if (const auto metadata = object.find("metadata"); metadata != object.end() && metadata->is_object()) {
    intent.session_id = text_member(*metadata, "session_id");
    intent.op = text_member(*metadata, "op");
  }
  return intent;
}

Result<json> parse_json(const std::string& body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded()) return make_error("bad_json", "is not JSON");
  return parsed;
}

// The gateway's {"error":{...}} object.
struct GatewayError {
  std::string type;
  std::string code;
  std::string decline_code;
  std::string message;
};

std::optional<GatewayError> parse_gateway_error(const std::string& body) {
  const auto parsed = parse_json(body);
  if (!parsed || !parsed->is_object()) return std::nullopt;
  const auto error = parsed->find("error");
  if (error == parsed->end() || !error->is_object()) return std::nullopt;
  return GatewayError{text_member(*error, "type"), text_member(*error, "code"), text_member(*error, "decline_code"),
                      text_member(*error, "message")};
}

// One reply being classified, with what its texts must not contain.
class ReplyReader {
 public:
  ReplyReader(const HttpReply& reply, const Secrets& secrets, WallTime now)
      : reply_(reply), secrets_(secrets), now_(now) {}

  // The one success status the contract names; any other 2xx is not an answer it names.
  [[nodiscard]] bool success() const { return reply_.status == 200; }

  // What every outcome takes from the reply, whatever its status.
  [[nodiscard]] PaymentOutcome base() const {
    PaymentOutcome outcome;
    outcome.http_status = reply_.status;
    outcome.sends = reply_.sends;
    const auto replayed = reply_.header("Idempotent-Replayed");
    outcome.replayed = replayed && boost::beast::iequals(*replayed, "true");
    if (const auto retry_after = reply_.header("Retry-After")) {
      outcome.retry_after = parse_retry_after(*retry_after, now_);
    }
    return outcome;
  }

  // Any reply but a 2xx.
  [[nodiscard]] PaymentOutcome failure() const {
    PaymentOutcome outcome = base();
    if (reply_.status == 0) {
      outcome.kind = PaymentOutcomeKind::unknown;
      outcome.error = "no response, the gateway may have executed it: " + text(reply_.error, kMaxGatewayMessage);
      return outcome;
    }
    const auto error = parse_gateway_error(reply_.body);
    if (!named_status(reply_.status)) {
      // The body is not quoted unless it is an error object: it may carry a PaymentIntent.
      return unverified("HTTP " + std::to_string(reply_.status) +
                        " is not an answer the payment gateway contract names" +
                        (error ? " (" + describe(error) + ")" : std::string()));
    }
    if (reply_.status == 402 && !(error && error->type == "card_error")) {
      // Quoted only when it is an error object, as above: the body may carry a PaymentIntent.
      return unverified((error ? describe(error) : std::string("HTTP 402 without a gateway error object")) +
                        " (a 402 that is not a card_error is not an answer the payment gateway contract names)");
    }
    outcome.error = describe(error);
    if (reply_.status >= 500) {
      outcome.kind = PaymentOutcomeKind::unknown;
    } else if (reply_.status == 409 || reply_.status == 429) {
      outcome.kind = PaymentOutcomeKind::retry_later;
    } else if (reply_.status == 402) {
      outcome.kind = PaymentOutcomeKind::declined;
      outcome.decline_code = text(error->decline_code.empty() ? error->code : error->decline_code, kMaxGatewayWord);
    } else {
      outcome.kind = PaymentOutcomeKind::rejected;
    }
    return outcome;
  }

  // An answer that is not the operation's outcome, `why` (from this file or cleaned).
  [[nodiscard]] PaymentOutcome unverified(const std::string& why) const {
    PaymentOutcome outcome = base();
    outcome.kind = PaymentOutcomeKind::unverified;
    outcome.error = why + "; " + std::string(kUnverifiedConsequence);
    return outcome;
  }

  // "unreadable <what> in an HTTP 200 response (<why>)".
  [[nodiscard]] std::string unreadable(const std::string& what, const std::string& why) const {
    return "unreadable " + what + " in an HTTP " + std::to_string(reply_.status) + " response (" +
           text(why, kMaxGatewayMessage) + ")";
  }

  // Text from the gateway made fit for a log line: secrets redacted, control characters
  // turned into spaces, at most `limit` bytes kept (never half a UTF-8 sequence), "..."
  // marking a cut.
  [[nodiscard]] std::string text(std::string_view from_gateway, std::size_t limit) const {
    std::string out = redacted(from_gateway);
    if (out.size() > limit) {
      std::size_t cut = limit;
      while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
      out = out.substr(0, cut) + "...";
    }
    for (char& c : out)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    return out;
  }

 private:
  [[nodiscard]] std::string redacted(std::string_view text) const {
    static constexpr std::string_view kRedacted = "[redacted]";
    std::string out(text);
    for (const std::string_view secret : secrets_) {
      if (secret.empty()) continue;
      for (auto at = out.find(secret); at != std::string::npos; at = out.find(secret, at + kRedacted.size())) {
        out.replace(at, secret.size(), kRedacted);
      }
    }
    return out;
  }

  // "HTTP 402 type=card_error code=card_declined decline_code=insufficient_funds: <message>",
  // or the start of the body when it has no error object (e.g. a proxy's page).
  [[nodiscard]] std::string describe(const std::optional<GatewayError>& error) const {
    std::string out = "HTTP " + std::to_string(reply_.status);
    if (!error) {
      if (reply_.body.empty()) return out + " with an empty body";
      return out + " without a gateway error object: " + text(reply_.body, kMaxGatewayMessage);
    }
    for (const auto& [name, value] : {std::pair{" type=", &error->type}, std::pair{" code=", &error->code},
                                      std::pair{" decline_code=", &error->decline_code}}) {
      if (!value->empty()) out += name + text(*value, kMaxGatewayWord);
    }
    if (!error->message.empty()) out += ": " + text(error->message, kMaxGatewayMessage);
    return out;
  }

  const HttpReply& reply_;
  const Secrets& secrets_;
  WallTime now_;
};

// A search whose answer cannot be read: it changed nothing, so it is asked again later.
PaymentOutcome unknown_search(const ReplyReader& reader, std::string why) {
  PaymentOutcome outcome = reader.base();
  outcome.kind = PaymentOutcomeKind::unknown;
  outcome.error = std::move(why) + ", asking again later";
  return outcome;
}

}  // namespace

PaymentOutcome classify_payment_reply(const HttpReply& reply, const PaymentRequest& request,
                                      const Secrets& secrets, WallTime now) {
  const ReplyReader reader(reply, secrets, now);
  if (!reader.success()) return reader.failure();
  const auto parsed = parse_json(reply.body);
  if (!parsed) return reader.unverified(reader.unreadable("PaymentIntent", parsed.error().message));
  auto intent = parse_intent(*parsed);
  if (!intent) return reader.unverified(reader.unreadable("PaymentIntent", intent.error().message));
  PaymentOutcome outcome = reader.base();
  outcome.kind = PaymentOutcomeKind::succeeded;
  if (const auto mismatches = intent_mismatches(request, *intent); !mismatches.empty()) {
    const auto shown = [&reader](std::string_view got) { return reader.text(got, kMaxGatewayWord); };
    outcome = reader.unverified("the PaymentIntent in the HTTP 200 answer is not the outcome of this " +
                                std::string(to_string(request.op)) + ": " +
                                describe_mismatches(mismatches, shown));
  }
  outcome.intent = std::move(intent.value());
  return outcome;
}

PaymentOutcome classify_search_reply(const HttpReply& reply, const Secrets& secrets, WallTime now) {
  const ReplyReader reader(reply, secrets, now);
  if (!reader.success()) return reader.failure();
  const auto parsed = parse_json(reply.body);
  if (!parsed) return unknown_search(reader, reader.unreadable("search result", parsed.error().message));
  const bool is_search_result = parsed->is_object() && parsed->contains("data") && parsed->at("data").is_array() &&
                                (!parsed->contains("object") || text_member(*parsed, "object") == "search_result");
  if (!is_search_result) {
    return unknown_search(reader, reader.unreadable("search result", "not a search_result with a data array"));
  }
  PaymentOutcome outcome = reader.base();
  const json& data = parsed->at("data");
  for (std::size_t i = 0; i < data.size(); ++i) {
    auto intent = parse_intent(data[i]);
    if (!intent) {
      return unknown_search(reader,
                            reader.unreadable("search result", "data[" + std::to_string(i) + "] " + intent.error().message));
    }
    outcome.found.push_back(std::move(intent.value()));
  }
  outcome.kind = PaymentOutcomeKind::succeeded;
  return outcome;
}

}  // namespace passgate::drivers
