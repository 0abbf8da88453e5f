#include "crypto/key_fingerprint.hpp"

#include <array>
#include <cstddef>

#include <openssl/evp.h>

#include "crypto/openssl_error.hpp"
#include "crypto/openssl_handles.hpp"

namespace passgate::crypto {

namespace {

constexpr std::size_t kFingerprintBytes = 8;

}  // namespace

Result<std::string> key_fingerprint(std::string_view label, std::string_view secret) {
  const EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), label.data(), label.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), secret.data(), secret.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest.data(), &length) != 1) {
    return openssl_error("crypto_error", "cannot derive a key fingerprint");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (std::size_t i = 0; i < kFingerprintBytes; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0x0f];
  }
  return hex;
}

Result<std::string> gateway_account_id(std::string_view gateway_url, std::string_view api_key) {
  return key_fingerprint("passgate gateway account v1", std::string(gateway_url) + "\n" + std::string(api_key));
}

}  // namespace passgate::crypto
