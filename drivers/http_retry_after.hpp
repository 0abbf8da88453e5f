// Reading an HTTP Retry-After header (RFC 9110 §10.2.3), for clients that honour a
// server's "come back later" (the payment gateway's 429 and 409). Pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "common/clock.hpp"

namespace passgate::drivers {

// The longest wait a Retry-After may ask for; longer values are cut to it.
inline constexpr std::chrono::hours kMaxRetryAfter{24};

// The wait a Retry-After value asks for: delta-seconds ("120"), or an IMF-fixdate
// ("Sun, 06 Nov 1994 08:49:37 GMT", the HTTP-date form servers must send) relative to
// `now`, where a date in the past means no wait. At most kMaxRetryAfter. nullopt when the
// value is neither (obsolete date formats included).
[[nodiscard]] std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, WallTime now);

}  // namespace passgate::drivers
