// The invariants of card sessions (docs/settlement.md, "Card sessions"), beside those every
// session keeps (day_invariants.hpp), with the reference model (shop_model.hpp) saying what
// each card session owes.
// After every step:
//   - at most one hold per session: no session ever had two holds placed at the ledger;
//   - never a hold captured and a full charge both: a card session whose hold was captured has
//     no succeeded charge of its whole cart, nor one replacing that capture ("<sid>:charge:capture",
//     or an operator's new attempt at it, "<sid>:charge:capture:retry<n>");
//   - no hold left open once its session is settled: once a session's settlement is decided
//     and none of its operations can move by itself, its hold is not requires_capture (unless
//     its charge's answer is unverified, or its increment waits as a dead letter: the operator's);
//   - every payment reference opens: no operation failed for a sealed payment reference its
//     gate could not open (a reload's new sealing keys dropped one still in use);
//   - the blocklist holds a card iff the card has an unresolved partially paid session: an
//     admitted card session whose unpaid remainder ("<sid>:charge:remainder",
//     "<sid>:charge:capture:remainder", or an operator's new attempt at one, the key plus
//     ":retry<n>") is neither paid nor written off nor replaced by a new attempt (it must be
//     listed: while the new attempt is pending, in flight or a dead letter too), or, with its
//     remainder settled, another operation of it still unresolved (in flight, pending, a dead
//     letter with its alert on and not replaced; never a void, which collects nothing: it may
//     stay listed until that is settled). A new attempt that collects lifts the entry.
// At the day's end, after quiescing:
//   - every card session settled exactly once: each card session that ended (a cart, or
//     cancelled) has one settlement decision, from its first cart, and each of its operations
//     one idempotency key;
//   - an incremental hold covers the cart: a card supporting incremental authorization, its
//     hold not lapsed (by the network's clock), its card not declining and its increment not
//     declined by the issuer, leaves nothing unpaid (the hold is raised to the cart's total and
//     captured);
//   - a lapsed hold's capture is replaced: no capture of a hold that lapsed is left a dead
//     letter.
// Money collected within the cart, one charge per key and the cart collected or dead-lettered
// are day_invariants.hpp's, for card sessions too (their tap hold counts as a hold).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "db/payment_queue.hpp"
#include "tests/settlement_model/day_invariants.hpp"
#include "tests/settlement_model/ledger_money.hpp"

namespace passgate::model {

[[nodiscard]] std::optional<Violation> check_card_step(const DayEvidence& day,
                                                       const std::map<std::string, SessionMoney>& money,
                                                       const std::vector<db::PaymentOpRecord>& ops);
[[nodiscard]] std::optional<Violation> check_card_day_end(const DayEvidence& day,
                                                          const std::map<std::string, SessionMoney>& money,
                                                          const std::vector<db::PaymentOpRecord>& ops);

}  // namespace passgate::model
