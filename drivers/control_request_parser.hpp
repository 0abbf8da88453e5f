// What the control socket (drivers/control_server.hpp) takes as a request, as plain
// functions the server and the command handlers use and tests/fuzz/fuzz_control_request.cpp
// drives: one line of bytes becomes a JSON object with a string "cmd" or a "malformed"
// refusal; every integer field of it is read by integer_argument, which takes only a JSON
// integer within the field's range (never a float, a string or a number out of range cut
// down to some other value).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace passgate::drivers {

// The request a line holds: a JSON object with a string "cmd". Error "malformed" otherwise
// (invalid JSON, another JSON value, no "cmd" or a "cmd" that is not a string).
[[nodiscard]] Result<nlohmann::json> parse_control_request(std::string_view line);

// What the read-only control socket serves ([control] readonly_group): looking, never acting.
inline constexpr std::array<std::string_view, 5> kReadOnlyCommands = {"status", "lanes", "sessions", "queue",
                                                                      "outbox"};
[[nodiscard]] inline bool is_read_only_command(std::string_view cmd) {
  return std::find(kReadOnlyCommands.begin(), kReadOnlyCommands.end(), cmd) != kReadOnlyCommands.end();
}

// The values an integer field of a request may take, both ends included.
struct IntegerRange {
  std::int64_t min = 0;
  std::int64_t max = 0;
};
inline constexpr IntegerRange kCountRange{0, std::numeric_limits<int>::max()};        // limits
inline constexpr IntegerRange kLaneRange{1, std::numeric_limits<int>::max()};         // lane numbers
inline constexpr IntegerRange kIdRange{1, std::numeric_limits<std::int64_t>::max()};  // row ids

// The request's integer `key`: a JSON integer within `range`; a float (1.9, 1e10), a string,
// a boolean or a number out of range is refused with error "invalid_argument" naming the
// field, the range and what was given. Absent: `fallback`, or that error if there is none.
[[nodiscard]] Result<std::int64_t> integer_argument(const nlohmann::json& request, const char* key,
                                                    IntegerRange range,
                                                    std::optional<std::int64_t> fallback = std::nullopt);

}  // namespace passgate::drivers
