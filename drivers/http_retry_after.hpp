// Reading an HTTP Retry-After header (RFC 9110 §10.2.3), for clients that honour a
// server's "come back later" (the payment gateway's 429 and 409). Pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "common/clock.hpp"

namespace passgate::drivers {

// The longest wait a Retry-After in delta-seconds may ask for; longer values are cut to it.
inline constexpr std::chrono::hours kMaxRetryAfter{24};
// The longest wait a Retry-After given as an HTTP-date may ask for. The date is read against
// the gate's wall clock, which can be hours behind (a board without a clock battery): the
// wait would grow by as much, and after a 429 pause every payment send. A server that still
// wants the client to wait answers again. The payment queue's default retry_max_ms.
inline constexpr std::chrono::minutes kMaxRetryAfterDate{5};

// The wait a Retry-After value asks for: delta-seconds ("120"), at most kMaxRetryAfter, or
// an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", the HTTP-date form servers must send)
// relative to `now`, where a date in the past means no wait, at most kMaxRetryAfterDate.
// nullopt when the value is neither (obsolete date formats included).
[[nodiscard]] std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, WallTime now);

}  // namespace passgate::drivers
