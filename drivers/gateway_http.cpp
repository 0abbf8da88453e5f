#include "drivers/gateway_http.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace passgate::drivers {

using nlohmann::json;

namespace {

// The statuses payment-gateway.md#answers-and-errors names (0: no response at all).
bool named_status(int status) {
  switch (status) {
    case 0: case 200: case 400: case 401: case 402: case 403: case 404: case 409: case 429:
      return true;
    default:
      return status >= 500 && status <= 599;
  }
}

}  // namespace

std::string api_key_problem(const std::string& key) {
  if (key.empty()) return "the API key is empty";
  const auto bad = std::find_if(key.begin(), key.end(), [](char c) { return c <= ' ' || c >= 0x7f; });
  if (bad == key.end()) return {};
  return "the API key has a space, line break or non-printable character at offset " +
         std::to_string(bad - key.begin()) + " (check its file for a trailing newline)";
}

std::optional<std::size_t> first_unprintable(std::string_view text, std::string_view also_forbidden) {
  const auto found = std::find_if(text.begin(), text.end(), [also_forbidden](char c) {
    return c <= ' ' || c >= 0x7f || also_forbidden.find(c) != std::string_view::npos;
  });
  if (found == text.end()) return std::nullopt;
  return static_cast<std::size_t>(found - text.begin());
}

std::string idempotency_key_problem(std::string_view key) {
  if (key.empty()) return "idempotency_key is empty";
  if (key.size() > kMaxIdempotencyKey)
    return "idempotency_key is longer than " + std::to_string(kMaxIdempotencyKey) + " characters";
  if (auto at = first_unprintable(key))
    return "idempotency_key has a space or a non-printable character at offset " + std::to_string(*at);
  return {};
}

bool is_currency_code(std::string_view code) {
  const auto letter = [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)) != 0; };
  return code.size() == 3 && std::all_of(code.begin(), code.end(), letter);
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string text_member(const json& object, const char* name) {
  const auto found = object.find(name);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

Result<std::int64_t> integer_member(const json& object, const char* name) {
  const auto found = object.find(name);
  if (found == object.end() || found->is_null()) return make_error("bad_member", std::string("has no \"") + name + "\"");
  if (!found->is_number_integer()) return make_error("bad_member", std::string("has a non-integer \"") + name + "\"");
  return found->get<std::int64_t>();
}

Result<json> parse_json(const std::string& body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded()) return make_error("bad_json", "is not JSON");
  return parsed;
}

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
    intent.op_key = text_member(*metadata, "op_key");
  }
  return intent;
}

std::optional<GatewayError> parse_gateway_error(const std::string& body) {
  const auto parsed = parse_json(body);
  if (!parsed || !parsed->is_object()) return std::nullopt;
  const auto error = parsed->find("error");
  if (error == parsed->end() || !error->is_object()) return std::nullopt;
  return GatewayError{text_member(*error, "type"), text_member(*error, "code"), text_member(*error, "decline_code"),
                      text_member(*error, "message")};
}

ReplyFailure ReplyReader::failure() const {
  ReplyFailure out;
  if (reply_.status == 0) {
    out.kind = ReplyClass::unknown;
    out.error = "no response, the gateway may have executed it: " + text(reply_.error, kMaxGatewayMessage);
    return out;
  }
  out.body_error = parse_gateway_error(reply_.body);
  const auto& error = out.body_error;
  if (!named_status(reply_.status)) {
    // The body is not quoted unless it is an error object: it may carry a PaymentIntent.
    out.kind = ReplyClass::unverified;
    out.error = "HTTP " + std::to_string(reply_.status) + " is not an answer the payment gateway contract names" +
                (error ? " (" + describe(error) + ")" : std::string());
    return out;
  }
  if (reply_.status == 402 && !(error && error->type == "card_error")) {
    // Quoted only when it is an error object, as above: the body may carry a PaymentIntent.
    out.kind = ReplyClass::unverified;
    out.error = (error ? describe(error) : std::string("HTTP 402 without a gateway error object")) +
                " (a 402 that is not a card_error is not an answer the payment gateway contract names)";
    return out;
  }
  out.error = describe(error);
  if (reply_.status >= 500) {
    out.kind = ReplyClass::unknown;
  } else if (reply_.status == 409 || reply_.status == 429) {
    out.kind = ReplyClass::retry_later;
  } else if (reply_.status == 402) {
    out.kind = ReplyClass::declined;
    out.decline_code = text(error->decline_code.empty() ? error->code : error->decline_code, kMaxGatewayWord);
  } else {
    out.kind = ReplyClass::rejected;
    if (error) out.error_code = text(error->code, kMaxGatewayWord);
  }
  return out;
}

std::string ReplyReader::unreadable(const std::string& what, const std::string& why) const {
  return "unreadable " + what + " in an HTTP " + std::to_string(reply_.status) + " response (" +
         text(why, kMaxGatewayMessage) + ")";
}

std::string ReplyReader::text(std::string_view from_peer, std::size_t limit) const {
  std::string out = redacted(from_peer);
  if (out.size() > limit) {
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out = out.substr(0, cut) + "...";
  }
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return out;
}

std::string ReplyReader::redacted(std::string_view text) const {
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

std::string ReplyReader::describe(const std::optional<GatewayError>& error) const {
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

}  // namespace passgate::drivers
