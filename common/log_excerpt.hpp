// log_excerpt: a short, safe stand-in for text a peer sent (a reply body from the tracking
// engine or the payment gateway), for log lines and error messages: a peer's body can be
// megabytes of anything, and is never logged whole.
//   spdlog::error("event=outbox_conflict ... body={}", log_value(log_excerpt(reply.body)));
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace passgate {

inline constexpr std::size_t kLogExcerptBytes = 200;

// At most `limit` bytes of `text` (cut before a UTF-8 continuation byte, never inside a
// character), control characters written as \xNN; when cut, followed by "... (N bytes)" with
// the whole text's length.
[[nodiscard]] std::string log_excerpt(std::string_view text, std::size_t limit = kLogExcerptBytes);

}  // namespace passgate
