// Timestamps as other systems expect them: RFC 3339 UTC with milliseconds
// ("2026-11-21T18:04:05.123Z"), and Unix seconds.
#pragma once

#include <cstdint>
#include <string>

#include "common/clock.hpp"

namespace passgate {

[[nodiscard]] std::string format_rfc3339_ms(WallTime t);
[[nodiscard]] std::int64_t unix_seconds(WallTime t);
[[nodiscard]] std::int64_t unix_millis(WallTime t);

}  // namespace passgate
