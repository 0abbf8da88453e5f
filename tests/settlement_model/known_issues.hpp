// Known gate bugs being fixed elsewhere that the generated days would otherwise hit again and
// again (each hides every other failure of the days it breaks). While its knob is off, the day
// runner keeps each one's case out of the days, or the invariant it breaks excuses exactly that
// case; each says where it comes from (a finding of the ninth payments read, card settlement,
// or this model). Turn them all on with
// PASSGATE_MODEL_KNOWN_ISSUES=1 to see whether the fix has landed (then delete the knob).
#pragma once

#include <cstdlib>

namespace passgate::model {

enum class KnownIssue {
  // Not a finding of that read, a gap the card rules state (controller/settlement/card_rules.hpp):
  // the gate sends no increment_authorization (no PaymentOpKind for it), so a cart above a hold
  // that supports one is captured up to the hold and the rest charged to the saved card, and a
  // wallet's rest is left unpaid. Off: the model accepts that; on, it wants the hold raised
  // (card_invariants.hpp, "an incremental hold covers the cart").
  increment_not_sent,
};

[[nodiscard]] inline bool known_issue_enabled(KnownIssue) {
  const char* all = std::getenv("PASSGATE_MODEL_KNOWN_ISSUES");
  return all != nullptr && *all != '\0' && *all != '0';
}

}  // namespace passgate::model
