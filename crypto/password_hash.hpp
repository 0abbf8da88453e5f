// Password hashes for the status page's users file: crypt(3) hashes made and checked by
// libxcrypt (crypt_gensalt_ra, crypt_ra): yescrypt ("$y$...") for new ones; bcrypt ("$2b$")
// and sha512-crypt ("$6$") are checked too. A check costs tens of milliseconds of CPU on
// purpose, and as much as the hash's parameters say: check_crypt_hash reads them (without
// hashing) and refuses any that would cost much more than a hash_password hash, so that no
// single check holds the event loop for long; callers still bound how often they check.
// Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace passgate::crypto {

// The bounds on a hash's cost: about twice what hash_password's costs (yescrypt N=4096 r=32,
// "$y$j9T$"), which takes 60-100 ms on the gate box.
inline constexpr std::uint64_t kMaxYescryptWork = 2ULL * 4096 * 32;  // N * r
inline constexpr int kMaxBcryptCost = 11;                           // 2^11 rounds
inline constexpr std::uint64_t kMaxShaCryptRounds = 300'000;

// A new yescrypt hash of `password` with a fresh random salt. Error "hash_failed" (libxcrypt's
// reason); never contains the password.
[[nodiscard]] Result<std::string> hash_password(std::string_view password);

// Whether `password` hashes to `hash` (compared in constant time). False for a hash libxcrypt
// refuses (malformed, a disabled method such as DES, "*" or "!" for a locked account) and for
// a password or hash holding a NUL byte. Costs what the hash's parameters say: take only
// hashes check_crypt_hash accepted.
[[nodiscard]] bool password_matches(std::string_view password, const std::string& hash);

// What a hash is, read from its setting.
struct HashSetting {
  std::string method;  // "yescrypt", "bcrypt", "sha512-crypt"
  std::string cost;    // its parameters as an operator reads them: "N=4096 r=32", "cost 12", "rounds=5000"
};

// Whether `hash` is one a users file may hold: yescrypt, bcrypt or sha512-crypt, which
// libxcrypt accepts and of the right shape (setting, salt, digest length: checked by hashing
// with the cheapest parameters of its method, well under a millisecond), within the bounds
// above. Errors, whose messages follow "the hash of <user> " and never quote the hash:
// "malformed" (not such a hash), "unsupported" (another method, or yescrypt parameters other
// than N and r), "too_costly" (over a bound: the message says its cost and the bound).
[[nodiscard]] Result<HashSetting> check_crypt_hash(const std::string& hash);

}  // namespace passgate::crypto
