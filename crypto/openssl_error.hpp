// The one place where OpenSSL's thread-local error queue becomes a Passgate Error value.
// Every crypto/ function that calls OpenSSL reports failures through openssl_error() and
// leaves the queue empty, so a later call never sees a stale error.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace passgate::crypto {

// An Error with `code` whose message is "<what_failed>: <OpenSSL's queued reasons>".
// Empties the queue.
[[nodiscard]] Error openssl_error(std::string code, std::string_view what_failed);

// Empties the queue where a failure is an expected outcome (e.g. a signature that does
// not verify) and needs no report.
void discard_openssl_errors();

}  // namespace passgate::crypto
