// TrackingClient over HTTPS against the simulator with certificates made at test time:
// the server's chain and name (or address) are verified, a client certificate is presented
// when the engine requires one, and bad TLS files are refused with the file's name.
#include <catch2/catch.hpp>

#include <fstream>

#include <boost/asio/ssl/context.hpp>

#include "drivers/tls_context.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/tracking_client/client_fixture.hpp"
#include "tests/support/test_certs.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

namespace {

struct Pki {
  TempDir dir;
  TestPki ca{dir.path(), "store"};
  PemPair server = ca.issue_server("tracking", {"localhost"}, {"127.0.0.1"});
  PemPair gate = ca.issue_client("gate-a", "gate-a");
};

sim::TrackingServerOptions tls_server(const PemPair& cert, const std::filesystem::path& client_ca = {}) {
  sim::TrackingServerOptions options;
  options.tls = drivers::TlsServerFiles{cert.cert, cert.key, client_ca};
  return options;
}

}  // namespace

TEST_CASE("https with the store CA succeeds by address and by host name, and reuses the TLS connection") {
  Pki pki;
  ClientFixture f(tls_server(pki.server));
  for (const char* host : {"127.0.0.1", "localhost"}) {
    INFO(host);
    auto config = f.config("https", host);
    config.tls.ca_bundle = pki.ca.ca_file();
    auto client = f.client(config);
    const auto before = f.server->connections_accepted();
    const HttpReply first = f.open_session(*client);
    CHECK(first.status == 201);
    CHECK(first.error.empty());
    CHECK(f.open_session(*client).status == 201);
    CHECK(f.server->connections_accepted() == before + 1);
  }
}

TEST_CASE("over https too, a connection the server closed while idle is replaced transparently") {
  Pki pki;
  ClientFixture f(tls_server(pki.server));
  auto config = f.config("https");
  config.tls.ca_bundle = pki.ca.ca_file();
  auto client = f.client(config);
  CHECK(f.open_session(*client).status == 201);
  f.server->drop_connections();
  CHECK(f.open_session(*client).status == 201);
  CHECK(f.server->connections_accepted() == 2);
}

TEST_CASE("a server certificate from another CA fails verification") {
  Pki pki;
  TestPki stranger(pki.dir.path(), "stranger");
  ClientFixture f(tls_server(pki.server));
  auto config = f.config("https");
  config.tls.ca_bundle = stranger.ca_file();
  auto client = f.client(config);
  const HttpReply reply = f.open_session(*client);
  CHECK(reply.status == 0);
  CHECK_THAT(reply.error, Contains("TLS handshake") && Contains("certificate verify failed"));
  CHECK(f.server->sessions().empty());
}

TEST_CASE("a server certificate for another host name or address fails verification") {
  Pki pki;
  const PemPair elsewhere = pki.ca.issue_server("elsewhere", {"tracking.elsewhere.example"}, {"127.0.0.9"});
  ClientFixture f(tls_server(elsewhere));
  for (const auto& [host, why] : {std::pair{"localhost", "hostname mismatch"}, std::pair{"127.0.0.1", "IP address mismatch"}}) {
    INFO(host);
    auto config = f.config("https", host);
    config.tls.ca_bundle = pki.ca.ca_file();
    auto client = f.client(config);
    const HttpReply reply = f.open_session(*client);
    CHECK(reply.status == 0);
    CHECK_THAT(reply.error, Contains(why));
  }
  CHECK(f.server->sessions().empty());
}

TEST_CASE("mutual TLS: the engine admits the gate with its client certificate and refuses it without") {
  Pki pki;
  ClientFixture f(tls_server(pki.server, pki.ca.ca_file()));
  auto config = f.config("https");
  config.tls.ca_bundle = pki.ca.ca_file();

  SECTION("with the client certificate") {
    config.tls.client_cert = pki.gate.cert;
    config.tls.client_key = pki.gate.key;
    auto client = f.client(config);
    CHECK(f.open_session(*client).status == 201);
  }
  SECTION("without one") {
    auto client = f.client(config);
    const HttpReply reply = f.open_session(*client);
    CHECK(reply.status == 0);
    CHECK_FALSE(reply.error.empty());
    CHECK(f.server->sessions().empty());
  }
  SECTION("with a certificate from a CA the engine does not trust") {
    TestPki stranger(pki.dir.path(), "stranger");
    const PemPair impostor = stranger.issue_client("impostor", "gate-a");
    config.tls.client_cert = impostor.cert;
    config.tls.client_key = impostor.key;
    auto client = f.client(config);
    CHECK(f.open_session(*client).status == 0);
    CHECK(f.server->sessions().empty());
  }
}

TEST_CASE("TLS files that cannot be used are refused up front, naming the file") {
  Pki pki;
  drivers::TlsClientFiles files;

  SECTION("a missing CA bundle") {
    files.ca_bundle = pki.dir / "missing-ca.pem";
    auto made = drivers::make_tls_client_context(files);
    REQUIRE_FALSE(made);
    CHECK(made.error().code == "tls_file");
    CHECK_THAT(made.error().message, Contains("CA bundle") && Contains("missing-ca.pem"));
  }
  SECTION("a CA bundle without certificates") {
    files.ca_bundle = pki.dir / "empty.pem";
    std::ofstream(files.ca_bundle) << "not a certificate\n";
    auto made = drivers::make_tls_client_context(files);
    REQUIRE_FALSE(made);
    CHECK_THAT(made.error().message, Contains("empty.pem"));
  }
  SECTION("an empty CA bundle, or one holding nothing but text and blank lines") {
    for (const std::string content : {"", "\n\n", "# the store's CA goes here\n"}) {
      files.ca_bundle = pki.dir / "blank.pem";
      std::ofstream(files.ca_bundle, std::ios::trunc) << content;
      auto made = drivers::make_tls_client_context(files);
      REQUIRE_FALSE(made);
      CHECK(made.error().code == "tls_file");
      CHECK_THAT(made.error().message, Contains("blank.pem") && Contains("holds no certificate"));
    }
  }
  SECTION("a client key that belongs to another certificate") {
    const PemPair other = pki.ca.issue_client("other", "other");
    files.client_cert = pki.gate.cert;
    files.client_key = other.key;
    auto made = drivers::make_tls_client_context(files);
    REQUIRE_FALSE(made);
    CHECK_THAT(made.error().message,
               Contains("other-key.pem") && Contains("gate-a-cert.pem") && Contains("mismatch"));
  }
  SECTION("a client certificate without its key") {
    files.client_cert = pki.gate.cert;
    auto made = drivers::make_tls_client_context(files);
    REQUIRE_FALSE(made);
    CHECK(made.error().code == "tls_config");
  }
  SECTION("through TrackingClient::create, with the engine named") {
    boost::asio::io_context io;
    drivers::TrackingClientOptions config;
  config.gate_id = "gate-a";
    config.base_url = "https://tracking.store.local:8443";
    config.tls.ca_bundle = pki.dir / "missing-ca.pem";
    auto made = drivers::TrackingClient::create(io, config);
    REQUIRE_FALSE(made);
    CHECK_THAT(made.error().message, Contains("tracking engine") && Contains("missing-ca.pem"));
  }
}
