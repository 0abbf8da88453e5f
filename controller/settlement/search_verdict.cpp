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

bool created_op(const PaymentRequest& request) { return !acts_on_hold(request.op); }

// Whether `intent` is (or would be) this operation's PaymentIntent: for a created one, of its
// kind and its metadata[op_key] (an operation sent without one, by an older version: of its kind
// without one); for a capture or void, the hold it acts on.
bool ours(const PaymentRequest& request, const PaymentIntentView& intent) {
  if (!created_op(request)) return !request.intent_id.empty() && intent.id == request.intent_id;
  return intent.op == to_string(request.op) && intent.op_key == request.op_key;
}

// The operation's PaymentIntent among those found, the best state first: the expected one,
// then processing, then a decline, then any other.
std::optional<PaymentIntentView> intent_of(const PaymentRequest& request, const std::vector<PaymentIntentView>& found) {
  const std::string expected(expected_intent_status(request.op));
  const auto rank = [&](const PaymentIntentView& intent) {
    if (intent.status == expected) return 0;
    if (intent.status == "processing") return 1;
    if (intent.status == "requires_payment_method") return 2;
    return 3;
  };
  std::optional<PaymentIntentView> best;
  for (const PaymentIntentView& intent : found) {
    if (ours(request, intent) && (!best || rank(intent) < rank(*best))) best = intent;
  }
  return best;
}

SearchVerdict verdict(SearchVerdict::Kind kind, const std::optional<PaymentIntentView>& intent, std::string reason = {}) {
  return SearchVerdict{kind, intent, std::move(reason)};
}

}  // namespace

SearchVerdict search_verdict(const PaymentRequest& request, const std::vector<PaymentIntentView>& found,
                             int legacy_charges) {
  using Kind = SearchVerdict::Kind;
  const auto intent = intent_of(request, found);
  const bool created = created_op(request);
  // Nothing found: not done yet. (A capture or void is sent too: acting on a hold twice
  // moves no more money, and a search may not show a new PaymentIntent at once.)
  if (!intent) return verdict(Kind::send, std::nullopt);
  // A charge sent without metadata[op_key] (by an older version) cannot be told from the
  // session's other charges sent so: none is adopted or taken as declined, and it is not sent
  // again blindly either (one of them may be its own). Unless it is the session's only one
  // and the search finds only one such charge: that one is its own.
  const auto legacy_found = std::count_if(found.begin(), found.end(), [](const PaymentIntentView& i) {
    return i.op == to_string(PaymentOpKind::charge) && i.op_key.empty();
  });
  if (created && request.op_key.empty() && request.op == PaymentOpKind::charge &&
      (legacy_charges != 1 || legacy_found != 1)) {
    return verdict(Kind::unverified, intent,
                   "the charge was first sent without metadata[op_key] (by an older version), and a charge of the "
                   "session found by search without one cannot be told apart from the session's other charges");
  }
  const std::string& status = intent->status;
  if (request.op == PaymentOpKind::increment && status != "processing") {
    // The hold tells whether the increment went through, as when its answer was lost.
    switch (increment_on_hold(request, *intent)) {
      case IncrementOnHold::applied: return verdict(Kind::adopt, intent);
      case IncrementOnHold::not_applied: return verdict(Kind::send, intent);
      case IncrementOnHold::hold_gone: break;  // unverified, below (a card hold gone: the drainer reads it so)
      case IncrementOnHold::other:
        return verdict(Kind::unverified, intent,
                       "the hold found by search is not this increment's (another session or currency), or is " +
                           (status.empty() ? std::string("in no state") : status));
    }
  } else if (status == expected_intent_status(request.op)) {
    return verdict(Kind::adopt, intent);
  }
  if (status == "processing") {
    return verdict(Kind::poll, intent, "the gateway is still processing the PaymentIntent found by search");
  }
  if (created && status == "requires_payment_method") {
    if (intent->amount == request.amount_minor && same_currency(intent->currency, request.currency)) {
      return verdict(Kind::declined, intent);
    }
    return verdict(Kind::unverified, intent,
                   "the declined PaymentIntent found by search is of amount " + std::to_string(intent->amount) +
                       " or of another currency, not the " + std::to_string(request.amount_minor) + " " +
                       request.currency + " asked for");
  }
  if (!created && status == "requires_capture") return verdict(Kind::send, intent);  // the hold is untouched
  return verdict(Kind::unverified, intent,
                 "the PaymentIntent found by search is " + (status.empty() ? std::string("in no state") : status) +
                     ", which is not the outcome of a " + std::string(to_string(request.op)));
}

}  // namespace passgate::controller
