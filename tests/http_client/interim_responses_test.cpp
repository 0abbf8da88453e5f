// The HTTP client and interim (1xx) responses: an Early Hints or Continue before the answer is
// skipped, never taken for the answer; a peer that sends only interim responses is cut off;
// a connection with bytes left after the answer is not reused (they belong to no request).
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include <boost/asio/io_context.hpp>

#include "ports/tracking_port.hpp"
#include "drivers/http_client.hpp"
#include "tests/http_client/hostile_server.hpp"
#include "tests/support/run_until.hpp"

namespace passgate::test {
namespace {

using passgate::HttpReply;
using namespace std::chrono_literals;

struct Client {
  boost::asio::io_context io;
  HostileServer server;
  std::unique_ptr<drivers::HttpClient> client;
  Client(std::string head, std::string filler = "") : server(io, std::move(head), std::move(filler)) {
    drivers::HttpClientOptions options;
    options.base_url = server.base_url();
    auto made = drivers::HttpClient::create(io, options);
    REQUIRE(made);
    client = std::move(made.value());
  }
  std::optional<HttpReply> get() {
    return await_reply<HttpReply>(io, [&](auto done) { client->request(drivers::HttpMethod::get, "/", {}, 60s, done); });
  }
};

}  // namespace

TEST_CASE("interim responses before the answer are skipped, not taken for it") {
  Client c("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\n"
           "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  const auto reply = c.get();
  REQUIRE(reply);
  CHECK(reply->status == 200);
  CHECK(reply->body == "ok");
  CHECK(c.client->idle_connections() == 1);
}

TEST_CASE("a peer that answers with interim responses only is cut off") {
  Client c("", "HTTP/1.1 103 Early Hints\r\n\r\n");
  const auto reply = c.get();
  REQUIRE(reply);
  CHECK(reply->status == 0);
  CHECK(reply->error.find("interim (1xx) responses") != std::string::npos);
  CHECK(c.client->idle_connections() == 0);
}

TEST_CASE("a connection with bytes left after the answer is not reused") {
  Client c("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale");
  const auto reply = c.get();
  REQUIRE(reply);
  CHECK(reply->status == 200);
  CHECK(reply->body == "ok");
  CHECK(c.client->idle_connections() == 0);
}

}  // namespace passgate::test
