#include "crypto/jws_signature.hpp"

#include "crypto/openssl_error.hpp"
#include "crypto/openssl_handles.hpp"

namespace passgate::crypto {
namespace {

constexpr int kHalf = static_cast<int>(kJwsSignatureBytes / 2);

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* bytes_of(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

// ES256 hashes with SHA-256 inside the signature; Ed25519 takes the message itself.
const EVP_MD* digest_for(JwsAlg alg) { return alg == JwsAlg::es256 ? EVP_sha256() : nullptr; }

}  // namespace

std::optional<JwsAlg> jws_alg_from_name(std::string_view name) {
  if (name == "ES256") return JwsAlg::es256;
  if (name == "EdDSA") return JwsAlg::eddsa;
  return std::nullopt;
}

std::string_view jws_alg_name(JwsAlg alg) { return alg == JwsAlg::es256 ? "ES256" : "EdDSA"; }

KeyType key_type_for(JwsAlg alg) {
  return alg == JwsAlg::es256 ? KeyType::ec_p256 : KeyType::ed25519;
}

bool verify_jws_signature(JwsAlg alg, EVP_PKEY& key, std::string_view signing_input,
                          std::string_view signature) {
  if (signature.size() != kJwsSignatureBytes) return false;
  std::string der;
  if (alg == JwsAlg::es256) {
    auto converted = ecdsa_raw_to_der(signature);
    if (!converted) return false;
    der = std::move(converted).value();
    signature = der;
  }
  const EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  const bool valid =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, digest_for(alg), nullptr, &key) == 1 &&
      EVP_DigestVerify(ctx.get(), bytes_of(signature), signature.size(), bytes_of(signing_input),
                       signing_input.size()) == 1;
  discard_openssl_errors();  // a failed check queues reasons nobody needs
  return valid;
}

Result<std::string> sign_jws(JwsAlg alg, EVP_PKEY& key, std::string_view signing_input) {
  if (EVP_PKEY_is_a(&key, alg == JwsAlg::es256 ? "EC" : "ED25519") != 1) {
    return make_error("signing_failed", "a " + std::string(jws_alg_name(alg)) +
                                            " signature needs " +
                                            (alg == JwsAlg::es256 ? "a P-256" : "an Ed25519") +
                                            " key");
  }
  const EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t length = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, digest_for(alg), nullptr, &key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, bytes_of(signing_input),
                     signing_input.size()) != 1) {
    return openssl_error("signing_failed", "cannot sign with this key");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), bytes_of(signature), &length, bytes_of(signing_input),
                     signing_input.size()) != 1) {
    return openssl_error("signing_failed", "cannot sign with this key");
  }
  signature.resize(length);
  if (alg == JwsAlg::es256) return ecdsa_der_to_raw(signature);
  return signature;
}

Result<std::string> ecdsa_raw_to_der(std::string_view raw) {
  if (raw.size() != kJwsSignatureBytes) {
    return make_error("invalid_signature", "raw ECDSA signature is " + std::to_string(raw.size()) +
                                               " bytes; expected R||S of 64 bytes");
  }
  const EcdsaSigPtr sig(ECDSA_SIG_new());
  BignumPtr r(BN_bin2bn(bytes_of(raw), kHalf, nullptr));
  BignumPtr s(BN_bin2bn(bytes_of(raw) + kHalf, kHalf, nullptr));
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return openssl_error("invalid_signature", "cannot build an ECDSA signature");
  }
  static_cast<void>(r.release());  // owned by sig now
  static_cast<void>(s.release());
  const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) return openssl_error("invalid_signature", "cannot DER-encode the signature");
  std::string der(static_cast<std::size_t>(length), '\0');
  unsigned char* out = bytes_of(der);
  if (i2d_ECDSA_SIG(sig.get(), &out) != length) {
    return openssl_error("invalid_signature", "cannot DER-encode the signature");
  }
  return der;
}

Result<std::string> ecdsa_der_to_raw(std::string_view der) {
  const unsigned char* in = bytes_of(der);
  const EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der.size())));
  if (!sig || in != bytes_of(der) + der.size()) {
    return openssl_error("invalid_signature", "not a DER ECDSA signature");
  }
  std::string raw(kJwsSignatureBytes, '\0');
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), bytes_of(raw), kHalf) != kHalf ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), bytes_of(raw) + kHalf, kHalf) != kHalf) {
    return openssl_error("invalid_signature", "ECDSA signature values do not fit 32 bytes");
  }
  return raw;
}

}  // namespace passgate::crypto
