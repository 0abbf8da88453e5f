// The final-carts feed's page (spec/tracking-engine-api.md §4), parsed strictly: every cart
// must be a final cart with a session id, an ISO 4217 currency, a non-negative integer total
// and a finalization time, or the whole page is refused with the first problem named, so a
// cart the gate cannot read is never skipped silently (the cursor does not move past it).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "db/settlement_store.hpp"

namespace passgate::controller {

struct CartsPage {
  std::vector<db::FinalCart> carts;
  std::string next_cursor;  // may be empty when the page is empty
};

// Error code "bad_feed" with what is wrong and where, e.g. "carts[2].total_minor: expected
// a non-negative integer".
[[nodiscard]] Result<CartsPage> parse_carts_page(std::string_view body);

}  // namespace passgate::controller
