// TLS contexts for our HTTPS clients and for the simulators' HTTPS servers, and the
// per-connection peer-name check. Policy lives here: TLS 1.2 or newer, the peer always
// verified (chain against the configured CA bundle, or the system's trust store; host name
// or IP address against the certificate), optional client certificate (mutual TLS).
// Errors name the file and give OpenSSL's reason.
#pragma once

#include <openssl/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "common/result.hpp"

namespace boost::asio::ssl {
class context;
}

namespace passgate::drivers {

struct TlsClientFiles {
  std::filesystem::path ca_bundle;    // PEM CA certificates; empty: system default paths
  std::filesystem::path client_cert;  // PEM chain, leaf first; empty: no client certificate
  std::filesystem::path client_key;   // PEM private key of client_cert; set with it or not at all
};

struct TlsServerFiles {
  std::filesystem::path cert;       // PEM chain, leaf first
  std::filesystem::path key;        // PEM private key of cert
  std::filesystem::path client_ca;  // set: clients must present a certificate issued by it
};

// Error codes: "tls_config" (inconsistent settings), "tls_file" (a file could not be used).
// The context type is only declared here (it drags OpenSSL's and Asio's SSL headers in):
// callers include <boost/asio/ssl/context.hpp> themselves.
[[nodiscard]] Result<std::unique_ptr<boost::asio::ssl::context>> make_tls_client_context(
    const TlsClientFiles& files);
[[nodiscard]] Result<std::unique_ptr<boost::asio::ssl::context>> make_tls_server_context(
    const TlsServerFiles& files);

// Prepares a client connection to `host` (a DNS name, or an IPv4/IPv6 literal without
// brackets): SNI for names, and the name or address the server certificate must match.
// Call before the handshake. Error code "tls_config".
[[nodiscard]] Status expect_tls_peer(SSL* ssl, const std::string& host);

// Why the peer's certificate was rejected, e.g. "hostname mismatch", or "" when the
// handshake failed for another reason. Use to complete a handshake failure message.
[[nodiscard]] std::string tls_verify_failure(const SSL* ssl);

}  // namespace passgate::drivers
