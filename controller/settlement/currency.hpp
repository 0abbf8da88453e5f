// Amounts by currency for the settlement and the control answers: the formatting itself is
// common/currency.hpp's ("12.34 USD"), and sums keyed by currency code.
#pragma once

#include <map>
#include <string>

#include "common/currency.hpp"
#include "common/minor_sum.hpp"

namespace passgate::controller {

using passgate::currency_code;
using passgate::format_amount;
// The same amounts keyed by currency code ("usd" and "USD" added up under "USD").
[[nodiscard]] std::map<std::string, MinorSum> by_currency_code(const std::map<std::string, MinorSum>& amounts);

}  // namespace passgate::controller
