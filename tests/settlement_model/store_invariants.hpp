// The invariants of a store day with [store] (docs/store-coordination.md, docs/settlement.md
// "Decision"), beside those every session keeps (day_invariants.hpp), with the reference model
// (shop_model.hpp) saying which sessions were admitted unverified and whose token the store's
// other gate array admitted too (a double use).
// After every step:
//   - a double use is reported only where another array took the token: every token double
//     use the gate records is of an unverified session whose token the model's other array
//     claimed while this gate's claim was owed;
//   - an unverified cart waits for its claim: no settlement collecting a cart (a capture or a
//     charge) was planned while the session's token claim was still owed, unless it was planned
//     after the claim wait (the token's end + SettlementStore::kClaimWaitMaxS, by the gate's
//     clock at the planning);
//   - a double use's cart is charged only by the operator: no settlement collecting a cart was
//     planned for a session marked double_use unless the operator charged that session's
//     quarantined row saying double_use; and the ledger collected nothing for a session whose
//     double use the gate found unless the operator did so, or its cart was planned before
//     that (after the claim wait, above: the gate then reports the cart as already settled);
//   - a double use's quarantined cart says double_use: once the double use is found, the
//     admitted session's open quarantined row (one quarantined first as over_limit, or charged
//     after correction and not settled yet: moved back) reads double_use. (A cancelled
//     session's cart stays not_admitted if it was settled when the double use was found: never
//     chargeable either way.)
// At the day's end, the store answering again (unless [store] was removed):
//   - a double use is found while it can be: an unverified session whose token the other array
//     took has its double use reported, unless its claim lapsed first (the token's end + the
//     lease skew + a day + a lease bucket) or [store] was removed.
// An unverified session's cart, once the claim is made (or after the wait), is collected once
// like any other (day_invariants.hpp); a cart left in the quarantine (double_use, over_limit) is
// one the operator sees there, so it counts as neither lost nor owed.
// The plan log (install_plan_log) is the test's own table in the gate's database, written by a
// trigger in the transaction of each settlement: whether the session's token claim was still
// owed, and whether it was marked double_use, as the planner saw it.
#pragma once

#include <optional>

#include "db/database.hpp"
#include "tests/settlement_model/day_invariants.hpp"
#include "tests/settlement_model/ledger_money.hpp"

namespace passgate::model {

void install_plan_log(db::Database& database);
// The gate's token double uses, into the model (ModelSession::double_use_found).
[[nodiscard]] std::optional<Violation> observe_double_uses(const DayEvidence& day);
[[nodiscard]] std::optional<Violation> check_store_step(const DayEvidence& day,
                                                        const std::map<std::string, SessionMoney>& money);
[[nodiscard]] std::optional<Violation> check_store_day_end(const DayEvidence& day);
// Whether the session's cart sits open in the quarantine (its reason, if so).
[[nodiscard]] std::optional<std::string> quarantined_reason(GateProcess& gate, const std::string& session_id);

}  // namespace passgate::model
