// The Authorization header a browser sends for an HTTP Basic login (RFC 7617), for the status
// page's tests.
#pragma once

#include <openssl/evp.h>

#include <string>

namespace passgate::test {

[[nodiscard]] inline std::string basic_authorization(const std::string& user, const std::string& password) {
  const std::string plain = user + ":" + password;
  std::string encoded(4 * ((plain.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                reinterpret_cast<const unsigned char*>(plain.data()), static_cast<int>(plain.size()));
  encoded.resize(static_cast<std::size_t>(n));
  return "Basic " + encoded;
}

}  // namespace passgate::test
