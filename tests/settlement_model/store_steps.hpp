// The day runner's store steps (day_steps.hpp) on the gate running now: etcd answering or
// not, the store's other gate array admitting a session's token, the operator's charge of a
// quarantined cart and the retry of a double use's charge (each checked as it happens against
// docs/operations.md, "Quarantined carts"), and the claim wait passed at the day's end.
#pragma once

#include <cstdint>
#include <optional>

#include "controller/settlement/dead_letters.hpp"
#include "tests/settlement_model/day_invariants.hpp"
#include "tests/settlement_model/gate_process.hpp"
#include "tests/settlement_model/shop_model.hpp"
#include "tests/settlement_model/store_world.hpp"

namespace passgate::model {

// How long after its admission an unverified session's token ends (exp + clock skew).
inline constexpr std::int64_t kTokenLifeS = 120;

// Etcd answers from now on (the reconciler is kicked) or does not.
void set_store_answering(GateProcess& gate, StoreWorld& world, bool answering);
// The other array admits `session`'s token, if it is an unverified session being admitted or
// open (a token this gate claimed, or never owed, is this gate's in the store already):
// session.taken_elsewhere if it took the key.
void other_array_admits(GateProcess& gate, StoreWorld& world, ModelSession& session);
// passgatectl quarantine charge-cart of open row `pick` (Step::pick), with the session's total
// (corrected below payments.max_cart_minor): done for a row saying double_use or over_limit of
// an admitted session, unless the session is a double use and the row says otherwise (then
// refused, "double_use", and the row relabelled); refused for anything else.
[[nodiscard]] std::optional<Violation> operator_charges_cart(GateProcess& gate, ShopModel& shop, int pick);
// passgatectl queue retry of `op` answered `retried`: a charge of a session marked double_use
// is refused ("double_use"); nothing else is refused so.
[[nodiscard]] std::optional<Violation> check_double_use_retry(GateProcess& gate, const db::PaymentOpRecord& op,
                                                              const Result<controller::RetriedDeadLetter>& retried);
// How long until every unsettled cart of an unverified open session is past its claim wait
// (0: they are), for the day's end: a cart still waiting for a claim the store will never
// answer is released by the wait bound alone.
[[nodiscard]] std::int64_t claim_wait_left_ms(GateProcess& gate, const ShopModel& shop);

}  // namespace passgate::model
