#include "drivers/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>

#include "crypto/openssl_error.hpp"

namespace passgate::drivers {
namespace {

using crypto::openssl_error;
using ContextPtr = std::unique_ptr<boost::asio::ssl::context>;

[[nodiscard]] Error file_error(const std::string& what, const std::filesystem::path& file) {
  return openssl_error("tls_file", "cannot use " + what + " " + file.string());
}

[[nodiscard]] Result<ContextPtr> new_context(boost::asio::ssl::context::method method) {
  auto ctx = std::make_unique<boost::asio::ssl::context>(method);
  if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1) {
    return openssl_error("tls_config", "cannot require TLS 1.2 or newer");
  }
  return ctx;
}

// Loads a certificate chain and its private key; OpenSSL refuses a key that does not
// belong to the certificate ("key values mismatch").
[[nodiscard]] Status use_certificate(SSL_CTX* ctx, const std::filesystem::path& cert,
                                     const std::filesystem::path& key) {
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1) {
    return file_error("certificate", cert);
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    return openssl_error("tls_file", "cannot use private key " + key.string() + " with certificate " + cert.string());
  }
  return {};
}

// How many CA certificates the context trusts (CRLs in a bundle do not count).
[[nodiscard]] int trusted_certificates(SSL_CTX* ctx) {
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(SSL_CTX_get_cert_store(ctx));
  int count = 0;
  for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i) {
    if (X509_OBJECT_get_type(sk_X509_OBJECT_value(objects, i)) == X509_LU_X509) ++count;
  }
  return count;
}

// Called on a context that trusts nothing yet: the bundle must give it a certificate.
[[nodiscard]] Status trust_ca_file(SSL_CTX* ctx, const std::filesystem::path& ca) {
  const auto no_certificate = [&ca] {
    return make_error("tls_file", "cannot use CA bundle " + ca.string() +
                                      ": it holds no certificate, expected the PEM certificates of the CAs to trust");
  };
  if (SSL_CTX_load_verify_file(ctx, ca.c_str()) != 1) {
    // OpenSSL 3 refuses a file without a single PEM block (empty, or only text) this way.
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_NO_CERTIFICATE_OR_CRL_FOUND) {
      ERR_clear_error();
      return no_certificate();
    }
    return file_error("CA bundle", ca);
  }
  if (trusted_certificates(ctx) == 0) return no_certificate();
  return {};
}

}  // namespace

Result<ContextPtr> make_tls_client_context(const TlsClientFiles& files) {
  if (files.client_cert.empty() != files.client_key.empty()) {
    return make_error("tls_config",
                      "a client certificate needs its private key and a key needs its "
                      "certificate: set both client_cert and client_key, or neither");
  }
  auto made = new_context(boost::asio::ssl::context::tls_client);
  if (!made) return made.error();
  SSL_CTX* ctx = made.value()->native_handle();
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (files.ca_bundle.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
      return openssl_error("tls_file", "cannot load the system's trusted CA certificates");
    }
  } else if (auto trusted = trust_ca_file(ctx, files.ca_bundle); !trusted) {
    return trusted.error();
  }
  if (!files.client_cert.empty()) {
    if (auto used = use_certificate(ctx, files.client_cert, files.client_key); !used) {
      return used.error();
    }
  }
  return made;
}

Result<ContextPtr> make_tls_server_context(const TlsServerFiles& files) {
  if (files.cert.empty() || files.key.empty()) {
    return make_error("tls_config", "a TLS server needs both a certificate and its private key");
  }
  auto made = new_context(boost::asio::ssl::context::tls_server);
  if (!made) return made.error();
  SSL_CTX* ctx = made.value()->native_handle();
  if (auto used = use_certificate(ctx, files.cert, files.key); !used) return used.error();
  if (!files.client_ca.empty()) {
    if (auto trusted = trust_ca_file(ctx, files.client_ca); !trusted) return trusted.error();
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.client_ca.c_str());
    if (names == nullptr) return file_error("client CA", files.client_ca);
    SSL_CTX_set_client_CA_list(ctx, names);  // takes ownership
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  return made;
}

Status expect_tls_peer(SSL* ssl, const std::string& host) {
  boost::system::error_code not_an_address;
  boost::asio::ip::make_address(host, not_an_address);
  if (!not_an_address) {
    // RFC 6066: no SNI for address literals; the certificate must list the address.
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) != 1) {
      return openssl_error("tls_config", "cannot expect TLS peer address " + host);
    }
    return {};
  }
  // SSL_set_tlsext_host_name() without its C cast.
  const long sni_set = SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                                const_cast<char*>(host.c_str()));
  if (sni_set != 1 || SSL_set1_host(ssl, host.c_str()) != 1) {
    return openssl_error("tls_config", "cannot expect TLS peer name " + host);
  }
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return {};
}

std::string tls_verify_failure(const SSL* ssl) {
  const long result = SSL_get_verify_result(ssl);
  return result == X509_V_OK ? std::string() : X509_verify_cert_error_string(result);
}

}  // namespace passgate::drivers
