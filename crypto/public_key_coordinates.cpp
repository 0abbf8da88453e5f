#include "crypto/public_key_coordinates.hpp"

#include <openssl/core_names.h>

#include <array>

#include "crypto/base64url.hpp"
#include "crypto/openssl_error.hpp"

namespace passgate::crypto {
namespace {

unsigned char* bytes_of(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

Status check_length(std::string_view name, const std::string& value) {
  if (value.size() == kCoordinateBytes) return {};
  return make_error("invalid_key", std::string(name) + " is " + std::to_string(value.size()) +
                                       " bytes; expected " + std::to_string(kCoordinateBytes));
}

Result<EvpPkeyPtr> ec_p256_key(const PublicKeyCoordinates& c) {
  if (auto ok = check_length("x", c.x); !ok) return ok.error();
  if (auto ok = check_length("y", c.y); !ok) return ok.error();
  std::string point;  // SEC 1 uncompressed point: 0x04 || x || y
  point.reserve(1 + 2 * kCoordinateBytes);
  point += '\x04';
  point += c.x;
  point += c.y;
  std::string group{"prime256v1"};
  std::array<OSSL_PARAM, 3> params{
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group.data(), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end()};
  const EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* made = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &made, EVP_PKEY_PUBLIC_KEY, params.data()) != 1) {
    return openssl_error("invalid_key", "x and y are not a point on the P-256 curve");
  }
  EvpPkeyPtr key(made);
  const EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    return openssl_error("invalid_key", "x and y are not a valid P-256 public key");
  }
  return key;
}

Result<EvpPkeyPtr> ed25519_key(const PublicKeyCoordinates& c) {
  if (auto ok = check_length("x", c.x); !ok) return ok.error();
  EvpPkeyPtr key(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(c.x.data()), c.x.size()));
  if (!key) return openssl_error("invalid_key", "x is not an Ed25519 public key");
  return key;
}

Result<std::string> coordinate(const EVP_PKEY& key, const char* param) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(&key, param, &raw) != 1) {
    return openssl_error("unsupported_key", "cannot read the EC public point");
  }
  const BignumPtr value(raw);
  std::string out(kCoordinateBytes, '\0');
  if (BN_bn2binpad(value.get(), bytes_of(out), static_cast<int>(out.size())) < 0) {
    return openssl_error("unsupported_key", "EC coordinate does not fit 32 bytes");
  }
  return out;
}

}  // namespace

Result<EvpPkeyPtr> public_key_from_coordinates(const PublicKeyCoordinates& c) {
  return c.type == KeyType::ec_p256 ? ec_p256_key(c) : ed25519_key(c);
}

Result<PublicKeyCoordinates> public_key_coordinates(const EVP_PKEY& key) {
  if (EVP_PKEY_is_a(&key, "ED25519") == 1) {
    PublicKeyCoordinates c{KeyType::ed25519, std::string(kCoordinateBytes, '\0'), {}};
    std::size_t length = c.x.size();
    if (EVP_PKEY_get_raw_public_key(&key, bytes_of(c.x), &length) != 1 ||
        length != kCoordinateBytes) {
      return openssl_error("unsupported_key", "cannot read the Ed25519 public key");
    }
    return c;
  }
  if (EVP_PKEY_is_a(&key, "EC") == 1) {
    std::array<char, 64> group{};
    std::size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(&key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(),
                                       group.size(), &length) != 1) {
      return openssl_error("unsupported_key", "cannot read the EC key's curve");
    }
    if (std::string_view(group.data(), length) != "prime256v1") {
      return make_error("unsupported_key", "EC key on curve " + std::string(group.data(), length) +
                                               "; expected P-256 (prime256v1)");
    }
    auto x = coordinate(key, OSSL_PKEY_PARAM_EC_PUB_X);
    if (!x) return x.error();
    auto y = coordinate(key, OSSL_PKEY_PARAM_EC_PUB_Y);
    if (!y) return y.error();
    return PublicKeyCoordinates{KeyType::ec_p256, std::move(x).value(), std::move(y).value()};
  }
  const char* type = EVP_PKEY_get0_type_name(&key);
  return make_error("unsupported_key", std::string("key type ") + (type ? type : "unknown") +
                                           "; expected an EC P-256 or an Ed25519 key");
}

nlohmann::json public_jwk(const PublicKeyCoordinates& c, std::string_view kid) {
  const bool ec = c.type == KeyType::ec_p256;
  nlohmann::json jwk{{"kty", ec ? "EC" : "OKP"},
                     {"crv", ec ? "P-256" : "Ed25519"},
                     {"x", encode_base64url(c.x)}};
  if (ec) jwk["y"] = encode_base64url(c.y);
  jwk["kid"] = kid;
  jwk["alg"] = ec ? "ES256" : "EdDSA";
  jwk["use"] = "sig";
  return jwk;
}

}  // namespace passgate::crypto
