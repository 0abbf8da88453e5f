// RAII owners for OpenSSL objects: std::unique_ptr with the matching *_free function, so
// no OpenSSL handle in Passgate (crypto/ and the simulators that sign tokens) is freed by hand.
#pragma once

#include <memory>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

namespace passgate::crypto {

template <auto free_fn>
struct OpenSslDeleter {
  template <class T>
  void operator()(T* p) const {
    free_fn(p);
  }
};

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<&EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpenSslDeleter<&EVP_PKEY_CTX_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslDeleter<&EVP_MD_CTX_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<&BN_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OpenSslDeleter<&ECDSA_SIG_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<&BIO_free_all>>;

}  // namespace passgate::crypto
