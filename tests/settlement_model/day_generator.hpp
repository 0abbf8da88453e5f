// The generator of random store days: a seed gives one day's steps (day_steps.hpp), always
// the same ones (std::mt19937_64). Shoppers come in with and without holds, some with a card
// that declines, some refused by the engine; carts of every kind (0, below, equal to and above
// the hold, duplicates, late ones for ended sessions); gateway faults of every mode; crashes
// (a few long enough for the gateway to forget its idempotency keys; some right after an
// answer arrived, its batch record still pending), wall-clock steps both
// ways, and the operator's retries and write-offs, among stretches of time.
// A day with card shoppers (DayMix::with_cards) mixes in card shoppers' taps (saved card or
// wallet, incremental authorization or not, a saved card whose off-session charge declines,
// holds whose capture_before comes within the day, so that they lapse, holds whose read says
// no capture_before or one no hold can have), config reloads, and more of the operator's
// retries, some after the shopper's card can pay again (Funds::restored); app-only days are
// what they were, seed for seed.
// Half the app-only days (drawn apart from the rest, so the others stay what they were) are
// store days: a gate with [store] whose etcd goes silent at unverified admissions and answers
// again (claims made, or found double uses: the store's other gate array admitted the token),
// hours around the claim wait (SettlementStore::kClaimWaitMaxS), now and then [store] removed,
// carts above payments.max_cart_minor, and the operator's charges of quarantined carts.
#pragma once

#include <cstdint>
#include <vector>

#include "tests/settlement_model/day_steps.hpp"

namespace passgate::model {

enum class DayMix { app_only, with_cards };

[[nodiscard]] std::vector<Step> generate_day(std::uint64_t seed, DayMix mix = DayMix::app_only);

}  // namespace passgate::model
