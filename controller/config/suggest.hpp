// Typo suggestions: the known word closest to an unknown one, by edit distance, so
// "grant_timout_ms" gets "did you mean \"grant_timeout_ms\"?". Used by config loading and by
// passgatectl's usage errors (an unknown command or option).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace passgate::controller {

// The candidate closest to `word` (case-insensitive edit distance), if it is close enough
// to be a plausible typo; the first such candidate wins a tie.
[[nodiscard]] std::optional<std::string> closest_match(std::string_view word,
                                                       const std::vector<std::string>& candidates);

}  // namespace passgate::controller
