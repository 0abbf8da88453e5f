// A [store] section whose one etcd endpoint never answers, for the status page's tests of its
// store view: the endpoint is a loopback port held by a socket that is bound but never
// listens (every connection is refused, and no other process can take the port meanwhile);
// fallback "local". The CA and client certificate are real files, as the config loader wants.
// Keep the object alive while passgated runs.
#pragma once

#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "tests/support/temp_dir.hpp"
#include "tests/support/test_certs.hpp"

namespace passgate::test {

class UnreachableStore {
 public:
  explicit UnreachableStore(const TempDir& dir) {
    using boost::asio::ip::tcp;
    held_.open(tcp::v4());
    held_.bind(tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
    TestPki pki(dir.path(), "store");
    client_ = pki.issue_client("store-client", "gate-scenario");
    ca_file_ = pki.ca_file();
  }

  // The [store] table's keys (GateOptions::store_section).
  [[nodiscard]] std::string section() const {
    return "endpoints = [\"https://127.0.0.1:" + std::to_string(held_.local_endpoint().port()) + "\"]\nca_file = \"" +
           ca_file_.string() + "\"\ncert_file = \"" + client_.cert.string() + "\"\nkey_file = \"" +
           client_.key.string() + "\"\nfallback = \"local\"\n";
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket held_{io_};
  PemPair client_;
  std::filesystem::path ca_file_;
};

}  // namespace passgate::test
