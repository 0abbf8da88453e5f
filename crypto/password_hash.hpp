// Password hashes for the status page's users file: crypt(3) hashes made and checked by
// libxcrypt (crypt_gensalt_ra, crypt_ra): yescrypt ("$y$...") for new ones; sha512-crypt
// ("$6$...") and the other strong methods libxcrypt knows are checked too. Each hash or check
// costs tens of milliseconds of CPU on purpose: callers bound how often they check.
// Thread-safe (no shared state).
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace passgate::crypto {

// A new yescrypt hash of `password` with a fresh random salt. Error "hash_failed" (libxcrypt's
// reason); never contains the password.
[[nodiscard]] Result<std::string> hash_password(std::string_view password);

// Whether `password` hashes to `hash` (compared in constant time). False for a hash libxcrypt
// refuses (malformed, a disabled method such as DES, "*" or "!" for a locked account) and for
// a password or hash holding a NUL byte.
[[nodiscard]] bool password_matches(std::string_view password, const std::string& hash);

// Whether libxcrypt accepts `hash` as a strong crypt(3) hash ("$<id>$...") of the right shape
// (its setting, salt and digest length): what a users file may hold. Costs one hash.
[[nodiscard]] bool is_crypt_hash(const std::string& hash);

}  // namespace passgate::crypto
