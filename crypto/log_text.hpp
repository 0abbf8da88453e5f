// quote_for_log: makes untrusted text (a token's header value, a JSON member name) safe to
// put in a log line or an error message: quoted, escaped, and cut to a bounded length.
// Never use it on payment references: those must not be logged at all.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace passgate::crypto {

// `"text"` with `"`, `\` and every byte outside printable ASCII escaped (\", \\, \xNN);
// text longer than `max_bytes` is cut and marked with "...".
[[nodiscard]] std::string quote_for_log(std::string_view text, std::size_t max_bytes = 64);

}  // namespace passgate::crypto
