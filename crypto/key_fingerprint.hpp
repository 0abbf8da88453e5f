// A short, stable, one-way name for a secret: the first 8 bytes of SHA-256 over a label and
// the secret, as 16 lower-case hex digits. Names a payment sealing key (its key id) or the
// gateway account an API key opens, in logs and the database, without revealing the secret.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace passgate::crypto {

// Code "crypto_error" if OpenSSL fails.
[[nodiscard]] Result<std::string> key_fingerprint(std::string_view label, std::string_view secret);
// The payment gateway account that `api_key` opens at `gateway_url`, as a fingerprint of both.
[[nodiscard]] Result<std::string> gateway_account_id(std::string_view gateway_url, std::string_view api_key);

}  // namespace passgate::crypto
