// TestPki: a throwaway certificate authority for TLS tests, made at test time with
// OpenSSL's key and X.509 API (no openssl command). It issues server certificates for
// given DNS names and IP addresses and client certificates, written as PEM files into a
// directory. EC P-256 keys, SHA-256 signatures, valid from an hour ago for a day.
// Throws std::runtime_error if OpenSSL fails.
#pragma once

#include <openssl/x509.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "crypto/openssl_handles.hpp"

namespace passgate::test {

struct PemPair {
  std::filesystem::path cert;
  std::filesystem::path key;
};

class TestPki {
 public:
  // Creates the CA and writes its certificate to <dir>/<stem>-ca.pem.
  TestPki(std::filesystem::path dir, const std::string& stem);

  [[nodiscard]] const std::filesystem::path& ca_file() const { return ca_file_; }
  // A server certificate whose subjectAltName lists `dns_names` and `ip_addresses`.
  [[nodiscard]] PemPair issue_server(const std::string& stem, const std::vector<std::string>& dns_names,
                                     const std::vector<std::string>& ip_addresses);
  // A client certificate (extendedKeyUsage clientAuth) for `common_name`.
  [[nodiscard]] PemPair issue_client(const std::string& stem, const std::string& common_name);

 private:
  using X509Ptr = std::unique_ptr<X509, crypto::OpenSslDeleter<&X509_free>>;
  // {extension NID, value in OpenSSL's config syntax}
  using Extensions = std::vector<std::pair<int, std::string>>;
  PemPair issue(const std::string& stem, const std::string& common_name, const Extensions& extensions);
  // `issuer` null: self-signed with `key`.
  X509Ptr make_cert(const std::string& common_name, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
                    const Extensions& extensions);

  std::filesystem::path dir_;
  std::filesystem::path ca_file_;
  crypto::EvpPkeyPtr ca_key_;
  X509Ptr ca_cert_;
  long next_serial_ = 1;
};

}  // namespace passgate::test
