// Pool: a PoolServer and an HttpClient for it on one io_context, the client's idle ages on
// virtual time, for the tests of the client's pool of kept-alive connections; requests are
// started, or made and waited for.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <utility>

#include <boost/asio/io_context.hpp>

#include "common/virtual_time.hpp"
#include "drivers/http_client.hpp"
#include "tests/http_client/pool_server.hpp"
#include "tests/support/run_until.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_certs.hpp"

namespace passgate::test {

// A test CA and a server certificate for 127.0.0.1 from it, in a temporary directory: for a
// Pool over TLS (Pool p(&tls.files, tls.ca.ca_file())).
struct TestServerTls {
  TempDir dir;
  TestPki ca{dir.path(), "server"};
  PemPair cert = ca.issue_server("server", {"localhost"}, {"127.0.0.1"});
  drivers::TlsServerFiles files{cert.cert, cert.key, {}};
};

struct Pool {
  // `tls` null: plain http; else https, trusting `ca`.
  explicit Pool(const drivers::TlsServerFiles* tls = nullptr, const std::filesystem::path& ca = {})
      : server(io, tls) {
    drivers::HttpClientOptions options;
    options.base_url = server.base_url();
    options.tls.ca_bundle = ca;
    options.clock = &vt;
    auto made = drivers::HttpClient::create(io, options);
    REQUIRE(made);
    client = std::move(made.value());
  }

  // Starts `spec`; its reply goes to `into`.
  void start(drivers::HttpRequestSpec spec, std::optional<HttpReply>& into) {
    client->request(std::move(spec), std::chrono::seconds(60), [&into](HttpReply reply) { into = std::move(reply); });
  }
  HttpReply send(drivers::HttpRequestSpec spec) {
    std::optional<HttpReply> reply;
    start(std::move(spec), reply);
    REQUIRE(run_until(io, [&] { return reply.has_value(); }));
    return *reply;
  }
  HttpReply get() { return send(drivers::HttpRequestSpec{drivers::HttpMethod::get, "/", {}, {}, {}}); }

  boost::asio::io_context io;  // first: destroyed last
  PoolServer server;
  VirtualTime vt;
  std::unique_ptr<drivers::HttpClient> client;
};

}  // namespace passgate::test
