// Identifiers the gate generates: random UUID v4 strings for sessions and passages,
// drawn from OpenSSL's CSPRNG.
#pragma once

#include <string>

namespace passgate {

// A lowercase canonical UUID v4, e.g. "0d5c1f0e-3b1a-4c2e-9a41-7d2f0c9e5b13".
[[nodiscard]] std::string new_uuid_v4();

}  // namespace passgate
