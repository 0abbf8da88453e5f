#include "controller/settlement/search_verdict.hpp"

#include <algorithm>
#include <cctype>

#include "ports/payment_intent_match.hpp"

namespace passgate::controller {

namespace {

bool same_currency(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

// The intent that is (or would be) this operation's: for a created one, of its kind (for a
// remainder charge also of its amount and currency) (the best state first: the expected one, then processing, then a decline,
// then any other); for a capture or void, the hold it acts on.
std::optional<PaymentIntentView> intent_of(const PaymentRequest& request, const std::vector<PaymentIntentView>& found) {
  const bool created = request.op == PaymentOpKind::preauth || request.op == PaymentOpKind::charge;
  const std::string_view key = request.idempotency_key;
  const bool remainder = key.size() > 10 && key.substr(key.size() - 10) == ":remainder";
  const std::string expected(expected_intent_status(request.op));
  const auto rank = [&](const PaymentIntentView& intent) {
    if (intent.status == expected) return 0;
    if (intent.status == "processing") return 1;
    if (intent.status == "requires_payment_method") return 2;
    return 3;
  };
  std::optional<PaymentIntentView> best;
  for (const PaymentIntentView& intent : found) {
    // A remainder charge is told from the session's first charge by its amount; any other
    // created operation is the session's only one of its kind, so a differing amount is a
    // mismatch for the adoption check to report, not another operation.
    const bool ours = created ? intent.op == std::string(to_string(request.op)) &&
                                    (!remainder || (intent.amount == request.amount_minor &&
                                                    same_currency(intent.currency, request.currency)))
                              : !request.intent_id.empty() && intent.id == request.intent_id;
    if (ours && (!best || rank(intent) < rank(*best))) best = intent;
  }
  return best;
}

SearchVerdict verdict(SearchVerdict::Kind kind, const std::optional<PaymentIntentView>& intent, std::string reason = {}) {
  return SearchVerdict{kind, intent, std::move(reason)};
}

}  // namespace

SearchVerdict search_verdict(const PaymentRequest& request, const std::vector<PaymentIntentView>& found) {
  using Kind = SearchVerdict::Kind;
  const auto intent = intent_of(request, found);
  const bool created = request.op == PaymentOpKind::preauth || request.op == PaymentOpKind::charge;
  // Nothing found: not done yet. (A capture or void is sent too: acting on a hold twice
  // moves no more money, and a search may not show a new PaymentIntent at once.)
  if (!intent) return verdict(Kind::send, std::nullopt);
  const std::string& status = intent->status;
  if (status == expected_intent_status(request.op)) return verdict(Kind::adopt, intent);
  if (status == "processing") {
    return verdict(Kind::poll, intent, "the gateway is still processing the PaymentIntent found by search");
  }
  if (created && status == "requires_payment_method") return verdict(Kind::declined, intent);
  if (!created && status == "requires_capture") return verdict(Kind::send, intent);  // the hold is untouched
  return verdict(Kind::unverified, intent,
                 "the PaymentIntent found by search is " + (status.empty() ? std::string("in no state") : status) +
                     ", which is not the outcome of a " + std::string(to_string(request.op)));
}

}  // namespace passgate::controller
