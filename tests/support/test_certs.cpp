#include "tests/support/test_certs.hpp"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <stdexcept>

#include "crypto/openssl_error.hpp"

namespace passgate::test {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(crypto::openssl_error("test_pki", what).message);
}

crypto::EvpPkeyPtr new_key() {
  crypto::EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) fail("EC P-256 key generation");
  return key;
}

crypto::BioPtr open_for_writing(const std::filesystem::path& file) {
  crypto::BioPtr bio(BIO_new_file(file.c_str(), "w"));
  if (!bio) fail("open " + file.string());
  return bio;
}

std::string subject_alt_names(const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses) {
  std::string text;
  for (const auto& name : dns_names) text += (text.empty() ? "DNS:" : ",DNS:") + name;
  for (const auto& ip : ip_addresses) text += (text.empty() ? "IP:" : ",IP:") + ip;
  return text;
}

constexpr long kHour = 3600;

}  // namespace

TestPki::TestPki(std::filesystem::path dir, const std::string& stem)
    : dir_(std::move(dir)), ca_file_(dir_ / (stem + "-ca.pem")), ca_key_(new_key()) {
  ca_cert_ = make_cert(stem + " Test CA", ca_key_.get(), nullptr, ca_key_.get(),
                       {{NID_basic_constraints, "critical,CA:TRUE"},
                        {NID_key_usage, "critical,keyCertSign,cRLSign"},
                        {NID_subject_key_identifier, "hash"}});
  if (PEM_write_bio_X509(open_for_writing(ca_file_).get(), ca_cert_.get()) != 1) fail("write " + ca_file_.string());
}

PemPair TestPki::issue_server(const std::string& stem, const std::vector<std::string>& dns_names,
                              const std::vector<std::string>& ip_addresses) {
  return issue(stem, dns_names.empty() ? ip_addresses.at(0) : dns_names.at(0),
               {{NID_basic_constraints, "CA:FALSE"},
                {NID_key_usage, "critical,digitalSignature"},
                {NID_ext_key_usage, "serverAuth"},
                {NID_subject_alt_name, subject_alt_names(dns_names, ip_addresses)},
                {NID_authority_key_identifier, "keyid"}});
}

PemPair TestPki::issue_client(const std::string& stem, const std::string& common_name) {
  return issue(stem, common_name,
               {{NID_basic_constraints, "CA:FALSE"},
                {NID_key_usage, "critical,digitalSignature"},
                {NID_ext_key_usage, "clientAuth"},
                {NID_authority_key_identifier, "keyid"}});
}

PemPair TestPki::issue(const std::string& stem, const std::string& common_name, const Extensions& extensions) {
  const auto key = new_key();
  const auto cert = make_cert(common_name, key.get(), ca_cert_.get(), ca_key_.get(), extensions);
  PemPair files{dir_ / (stem + "-cert.pem"), dir_ / (stem + "-key.pem")};
  if (PEM_write_bio_X509(open_for_writing(files.cert).get(), cert.get()) != 1) fail("write " + files.cert.string());
  if (PEM_write_bio_PrivateKey(open_for_writing(files.key).get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    fail("write " + files.key.string());
  }
  return files;
}

TestPki::X509Ptr TestPki::make_cert(const std::string& common_name, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
                                    const Extensions& extensions) {
  X509Ptr cert(X509_new());
  if (!cert) fail("X509_new");
  X509_NAME* subject = X509_get_subject_name(cert.get());
  const bool filled =
      X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
      ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), next_serial_++) == 1 &&
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kHour) != nullptr &&
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * kHour) != nullptr && X509_set_pubkey(cert.get(), key) == 1 &&
      X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0) == 1 &&
      X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : subject) == 1;
  if (!filled) fail("fill in certificate " + common_name);

  X509V3_CTX ctx{};
  X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : extensions) {
    std::unique_ptr<X509_EXTENSION, crypto::OpenSslDeleter<&X509_EXTENSION_free>> ext(
        X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    if (!ext || X509_add_ext(cert.get(), ext.get(), -1) != 1) fail("add extension " + value + " to " + common_name);
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) fail("sign certificate " + common_name);
  return cert;
}

}  // namespace passgate::test
