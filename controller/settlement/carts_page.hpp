// The final-carts feed's page (the tracking engine's contract, docs/settlement.md): the page's
// envelope is read strictly (a JSON object with an array of carts and, after carts, a
// cursor) or the whole page is refused with the first problem named, and the cursor stays.
// Each cart is then judged on its own: a final cart with a session id, the gate's currency
// and a whole total from 0 to payments.max_cart_minor is to be settled; any other cart (one
// the gate cannot read, a foreign currency, a total above the bound) is quarantined with its
// reason and its JSON as received, so one bad cart never stalls the carts after it and is
// never charged as it came. A cart naming a session an earlier cart of the page named is a
// repeat (a session is settled on its first cart, or quarantined on it): dropped here, counted,
// so that the store never sees a later cart of the page before the first one.
// A plain function of the bytes, also driven by fuzz_carts_page.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "db/cart_quarantine.hpp"
#include "db/settlement_store.hpp"

namespace passgate::controller {

// What the gate charges: its own currency (payments.currency), up to payments.max_cart_minor.
struct CartLimits {
  std::string currency = "USD";
  std::int64_t max_cart_minor = 10'000'000;
};

struct CartsPage {
  std::vector<db::FinalCart> carts;             // to be settled
  std::vector<db::QuarantinedCart> quarantined;  // never charged as they came
  std::size_t repeats = 0;                       // later carts of a session named earlier in the page
  std::string next_cursor;                       // may be empty when the page is empty
};

// Error code "bad_feed" with what is wrong with the envelope, e.g. "next_cursor: expected a
// cursor after carts".
[[nodiscard]] Result<CartsPage> parse_carts_page(std::string_view body, const CartLimits& limits);

}  // namespace passgate::controller
