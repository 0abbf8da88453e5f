// Amounts as people read them: currency codes upper case as ISO 4217 writes them ("usd" ->
// "USD"), and an amount in minor units with its currency's minor unit ("12.34 USD"; 2 digits
// for most currencies, 0 for JPY or KRW, 3 for KWD or BHD). Used by passgated's control
// answers, the config summary and passgatectl's output.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace passgate {

[[nodiscard]] std::string currency_code(std::string_view currency);
[[nodiscard]] std::string format_amount(std::int64_t minor, std::string_view currency);

}  // namespace passgate
