#include "drivers/etcd_check.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <memory>

#include <boost/asio/ssl/context.hpp>

namespace passgate::drivers {
namespace {

struct StoreCtxFree {
  void operator()(X509_STORE_CTX* ctx) const { X509_STORE_CTX_free(ctx); }
};

}  // namespace

Status check_store_tls(const TlsClientFiles& files) {
  auto context = make_tls_client_context(files);
  if (!context) return context.error();
  SSL_CTX* ctx = context.value()->native_handle();
  X509* leaf = SSL_CTX_get0_certificate(ctx);
  if (leaf == nullptr) return make_error("tls_config", "no client certificate: etcd members require one");
  STACK_OF(X509)* chain = nullptr;
  SSL_CTX_get0_chain_certs(ctx, &chain);
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> verify(X509_STORE_CTX_new());
  if (!verify || X509_STORE_CTX_init(verify.get(), SSL_CTX_get_cert_store(ctx), leaf, chain) != 1 ||
      X509_STORE_CTX_set_purpose(verify.get(), X509_PURPOSE_SSL_CLIENT) != 1) {
    return make_error("tls_file", "cannot set up the certificate check");
  }
  if (X509_verify_cert(verify.get()) != 1) {
    return make_error("tls_file", "the CA bundle " + files.ca_bundle.string() + " does not vouch for " +
                                      files.client_cert.string() + " as a TLS client: " +
                                      X509_verify_cert_error_string(X509_STORE_CTX_get_error(verify.get())));
  }
  return {};
}

}  // namespace passgate::drivers
