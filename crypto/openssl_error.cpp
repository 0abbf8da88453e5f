#include "crypto/openssl_error.hpp"

#include <openssl/err.h>

#include <array>

namespace passgate::crypto {

Error openssl_error(std::string code, std::string_view what_failed) {
  std::string message(what_failed);
  message += ": ";
  bool first = true;
  while (const unsigned long e = ERR_get_error()) {
    std::array<char, 256> text{};
    ERR_error_string_n(e, text.data(), text.size());
    if (!first) message += "; ";
    message += text.data();
    first = false;
  }
  if (first) message += "OpenSSL gave no reason";
  return make_error(std::move(code), std::move(message));
}

void discard_openssl_errors() { ERR_clear_error(); }

}  // namespace passgate::crypto
