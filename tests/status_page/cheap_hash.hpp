// A crypt(3) hash that costs little to check (yescrypt N=1024 r=8, a few milliseconds; a
// users file takes it, being cheaper than passgatectl's), for the status page's tests that
// check many logins within its hashing budget.
#pragma once

#include <crypt.h>

#include <cstdlib>
#include <memory>
#include <string>

#include <catch2/catch.hpp>

namespace passgate::test {

[[nodiscard]] inline std::string cheap_hash(const std::string& password) {
  const std::unique_ptr<char, decltype(&std::free)> setting(crypt_gensalt_ra("$y$", 1, nullptr, 0), &std::free);
  REQUIRE(setting != nullptr);
  crypt_data data{};
  const char* hash = crypt_r(password.c_str(), setting.get(), &data);
  REQUIRE(hash != nullptr);
  REQUIRE(hash[0] == '$');
  return hash;
}

}  // namespace passgate::test
