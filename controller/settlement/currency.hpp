// Amounts as operators read them: currency codes upper case as ISO 4217 writes them ("usd"
// -> "USD"), and an amount in minor units with its currency's minor unit ("12.34 USD"; 2
// digits for most currencies, 0 for JPY or KRW, 3 for KWD or BHD). Used by passgated's
// control answers and by passgatectl's tables.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/minor_sum.hpp"

namespace passgate::controller {

[[nodiscard]] std::string currency_code(std::string_view currency);
// The same amounts keyed by currency code ("usd" and "USD" added up under "USD").
[[nodiscard]] std::map<std::string, MinorSum> by_currency_code(const std::map<std::string, MinorSum>& amounts);
[[nodiscard]] std::string format_amount(std::int64_t minor, std::string_view currency);

}  // namespace passgate::controller
