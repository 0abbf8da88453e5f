// How passgatectl shows amounts and ages to an operator: "12.34 USD" (the currency's ISO 4217
// minor unit: 2 digits for most, 0 for JPY or KRW, 3 for KWD or BHD), several currencies as
// "12.34 USD, 5.00 EUR", times (Unix milliseconds) in RFC 3339, ages as "42s", "5m 12s",
// "3h 05m", "2d 04h" or, for JSON, whole seconds.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace passgate::ctl {

// Currency codes upper case, as ISO 4217 writes them ("usd" -> "USD").
[[nodiscard]] std::string currency_code(std::string_view currency);
[[nodiscard]] std::string format_amount(std::int64_t minor, std::string_view currency);
// The same amounts keyed by currency code ("usd" and "USD" added up under "USD").
[[nodiscard]] std::map<std::string, std::int64_t> by_currency_code(const std::map<std::string, std::int64_t>& amounts);
// Amounts keyed by currency, in code order; "none" when empty.
[[nodiscard]] std::string format_amounts(const std::map<std::string, std::int64_t>& by_currency);
// A Unix time in milliseconds as RFC 3339 UTC: "2026-11-18T10:13:20.000Z".
[[nodiscard]] std::string format_time(std::int64_t unix_ms);
// Whole seconds from `since_ms` to `now_ms`, 0 if `since_ms` is later (clock skew).
[[nodiscard]] std::int64_t age_seconds(std::int64_t since_ms, std::int64_t now_ms);
// A duration in milliseconds, at most two units; a negative one (clock skew) shows as "0s".
[[nodiscard]] std::string format_age(std::int64_t age_ms);

}  // namespace passgate::ctl
