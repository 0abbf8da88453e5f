// Header-only helpers for tests that verify entry tokens (tests/crypto, tests/token_sim):
// unwrap a Result, and name a verification's outcome so Catch shows it on failure.
#pragma once

#include <stdexcept>
#include <string>
#include <variant>

#include <catch2/catch.hpp>

#include "common/result.hpp"
#include "crypto/token_verifier.hpp"

namespace passgate::test {

// The value of `r`; throws (failing the test) with the error when there is none.
template <class T>
T must(Result<T> r) {
  if (!r) throw std::runtime_error("unexpected error " + r.error().code + ": " + r.error().message);
  return std::move(r).value();
}

// "accepted", or the denial reason's name ("malformed", ...).
inline std::string outcome(const crypto::Verification& v) {
  if (const auto* denial = std::get_if<crypto::Denial>(&v)) {
    return std::string(to_string(denial->reason));
  }
  return "accepted";
}

// The denial's detail, or "" for an accepted token.
inline std::string detail(const crypto::Verification& v) {
  if (const auto* denial = std::get_if<crypto::Denial>(&v)) return denial->detail;
  return "";
}

// A copy of the claims of an accepted token; fails the test otherwise.
inline crypto::EntryClaims accepted(const crypto::Verification& v) {
  INFO("denied: " << outcome(v) << ": " << detail(v));
  REQUIRE(std::holds_alternative<crypto::EntryClaims>(v));
  return std::get<crypto::EntryClaims>(v);
}

}  // namespace passgate::test
