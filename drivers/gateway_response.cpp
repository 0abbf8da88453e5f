#include "drivers/gateway_response.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "ports/payment_intent_match.hpp"

namespace passgate::drivers {

using nlohmann::json;

namespace {

PaymentOutcomeKind payment_kind(ReplyClass kind) {
  switch (kind) {
    case ReplyClass::declined: return PaymentOutcomeKind::declined;
    case ReplyClass::rejected: return PaymentOutcomeKind::rejected;
    case ReplyClass::retry_later: return PaymentOutcomeKind::retry_later;
    case ReplyClass::unknown: return PaymentOutcomeKind::unknown;
    case ReplyClass::unverified: return PaymentOutcomeKind::unverified;
  }
  return PaymentOutcomeKind::unverified;
}

// An answer that is not the operation's outcome, `why` (from this file or cleaned).
PaymentOutcome unverified(const ReplyReader& reader, const std::string& why) {
  auto outcome = reader.base<PaymentOutcome>();
  outcome.kind = PaymentOutcomeKind::unverified;
  outcome.error = why + "; " + std::string(kUnverifiedConsequence);
  return outcome;
}

// Any reply but a 200.
PaymentOutcome failure(const ReplyReader& reader) {
  auto failed = reader.failure();
  if (failed.kind == ReplyClass::unverified) return unverified(reader, failed.error);
  auto outcome = reader.base<PaymentOutcome>();
  outcome.kind = payment_kind(failed.kind);
  outcome.error = std::move(failed.error);
  outcome.decline_code = std::move(failed.decline_code);
  outcome.error_code = std::move(failed.error_code);
  return outcome;
}

// A search or read whose answer cannot be read: it changed nothing, so it is asked again later.
PaymentOutcome unknown_read(const ReplyReader& reader, std::string why) {
  auto outcome = reader.base<PaymentOutcome>();
  outcome.kind = PaymentOutcomeKind::unknown;
  outcome.error = std::move(why) + ", asking again later";
  return outcome;
}

// Every field of the PaymentIntent read that is not what was asked for, or does not fit.
std::vector<IntentMismatch> read_mismatches(const PaymentIntentView& intent, const std::string& session_id,
                                            const std::string& intent_id) {
  std::vector<IntentMismatch> out;
  if (intent.id != intent_id) out.push_back({"id", {}, {}, true});
  const auto within = [&](const char* field, std::int64_t value) {
    if (value < 0 || value > intent.amount) {
      out.push_back({field, "0 to amount (" + std::to_string(intent.amount) + ")", std::to_string(value)});
    }
  };
  if (intent.amount < 0) out.push_back({"amount", "not negative", std::to_string(intent.amount)});
  within("amount_capturable", intent.amount_capturable);
  within("amount_received", intent.amount_received);
  if (!is_currency_code(intent.currency)) out.push_back({"currency", "a 3-letter ISO 4217 code", intent.currency});
  if (intent.session_id != session_id) out.push_back({"metadata[session_id]", session_id, intent.session_id});
  return out;
}

}  // namespace

PaymentOutcome classify_payment_reply(const HttpReply& reply, const PaymentRequest& request,
                                      const Secrets& secrets, WallTime now) {
  const ReplyReader reader(reply, secrets, now);
  if (!reader.success()) return failure(reader);
  const auto parsed = parse_json(reply.body);
  if (!parsed) return unverified(reader, reader.unreadable("PaymentIntent", parsed.error().message));
  auto intent = parse_intent(*parsed);
  if (!intent) return unverified(reader, reader.unreadable("PaymentIntent", intent.error().message));
  auto outcome = reader.base<PaymentOutcome>();
  outcome.kind = PaymentOutcomeKind::succeeded;
  if (const auto mismatches = intent_mismatches(request, *intent); !mismatches.empty()) {
    const auto shown = [&reader](std::string_view got) { return reader.text(got, kMaxGatewayWord); };
    outcome = unverified(reader, "the PaymentIntent in the HTTP 200 answer is not the outcome of this " +
                                     std::string(to_string(request.op)) + ": " +
                                     describe_mismatches(mismatches, shown));
  }
  outcome.intent = std::move(intent.value());
  return outcome;
}

PaymentOutcome classify_search_reply(const HttpReply& reply, const Secrets& secrets, WallTime now) {
  const ReplyReader reader(reply, secrets, now);
  if (!reader.success()) return failure(reader);
  const auto parsed = parse_json(reply.body);
  if (!parsed) return unknown_read(reader, reader.unreadable("search result", parsed.error().message));
  const bool is_search_result = parsed->is_object() && parsed->contains("data") && parsed->at("data").is_array() &&
                                (!parsed->contains("object") || text_member(*parsed, "object") == "search_result");
  if (!is_search_result) {
    return unknown_read(reader, reader.unreadable("search result", "not a search_result with a data array"));
  }
  auto outcome = reader.base<PaymentOutcome>();
  const json& data = parsed->at("data");
  for (std::size_t i = 0; i < data.size(); ++i) {
    auto intent = parse_intent(data[i]);
    if (!intent) {
      return unknown_read(reader,
                            reader.unreadable("search result", "data[" + std::to_string(i) + "] " + intent.error().message));
    }
    outcome.found.push_back(std::move(intent.value()));
  }
  outcome.kind = PaymentOutcomeKind::succeeded;
  return outcome;
}


PaymentOutcome classify_read_reply(const HttpReply& reply, const std::string& session_id, const std::string& intent_id,
                                   const Secrets& secrets, WallTime now) {
  const ReplyReader reader(reply, secrets, now);
  if (!reader.success()) return failure(reader);
  const auto parsed = parse_json(reply.body);
  if (!parsed) return unknown_read(reader, reader.unreadable("PaymentIntent", parsed.error().message));
  auto intent = parse_intent(*parsed);
  if (!intent) return unknown_read(reader, reader.unreadable("PaymentIntent", intent.error().message));
  auto outcome = reader.base<PaymentOutcome>();
  outcome.kind = PaymentOutcomeKind::succeeded;
  if (const auto mismatches = read_mismatches(*intent, session_id, intent_id); !mismatches.empty()) {
    const auto shown = [&reader](std::string_view got) { return reader.text(got, kMaxGatewayWord); };
    outcome = unverified(reader, "the PaymentIntent read is not the one asked for: " + describe_mismatches(mismatches, shown));
  }
  outcome.intent = std::move(intent.value());
  return outcome;
}

}  // namespace passgate::drivers
