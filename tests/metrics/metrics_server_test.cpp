// MetricsServer on loopback sockets: GET /metrics and /healthz, 404 and 405, malformed and
// oversized requests answered and closed, keep-alive, the connection cap (the oldest idle
// connection makes room), the header deadline, and that it keeps serving after bad and
// hostile clients (500 idle and 8 slowloris connections).
#include <catch2/catch.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/http_client.hpp"
#include "drivers/metrics_server.hpp"
#include "tests/support/run_until.hpp"

using namespace std::chrono_literals;
using passgate::HttpReply;
using passgate::drivers::HttpClient;
using passgate::drivers::HttpMethod;
using passgate::drivers::MetricsServer;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// A client that writes raw bytes and reads raw HTTP responses: what a broken or hostile
// client does. Connecting and writing block (loopback, small), reading runs the loop.
class RawClient {
 public:
  RawClient(asio::io_context& io, std::uint16_t port) : io_(io), socket_(io) {
    socket_.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
  }
  void send(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }
  // The next response; empty if the connection ended first.
  std::optional<http::response<http::string_body>> response() {
    http::response<http::string_body> response;
    std::optional<boost::system::error_code> result;
    http::async_read(socket_, buffer_, response,
                     [&result](const boost::system::error_code& ec, std::size_t) { result = ec; });
    REQUIRE(passgate::test::run_until(io_, [&] { return result.has_value(); }));
    if (*result) return std::nullopt;
    return response;
  }
  // True once the server has closed the connection.
  bool closed_by_server() {
    std::optional<boost::system::error_code> result;
    socket_.async_read_some(asio::buffer(byte_),
                            [&result](const boost::system::error_code& ec, std::size_t) { result = ec; });
    REQUIRE(passgate::test::run_until(io_, [&] { return result.has_value(); }));
    return *result == asio::error::eof || *result == asio::error::connection_reset;
  }

 private:
  asio::io_context& io_;
  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  std::array<char, 1> byte_{};
};

struct ServerFixture {
  ServerFixture() {
    auto opened = MetricsServer::open(io, "127.0.0.1", 0,
                                      {[this] {
                                         ++pages;
                                         return std::string("# HELP up x\n# TYPE up gauge\nup 1\n");
                                       },
                                       [this] { return problem; }});
    REQUIRE(opened.ok());
    server = std::move(*opened);
    REQUIRE(server->port() != 0);
    passgate::drivers::HttpClientOptions options;
    options.base_url = "http://127.0.0.1:" + std::to_string(server->port());
    auto created = HttpClient::create(io, std::move(options));
    REQUIRE(created.ok());
    client = std::move(*created);
  }

  HttpReply call(HttpMethod method, const std::string& target) {
    auto reply = passgate::test::await_reply<HttpReply>(
        io, [&](std::function<void(HttpReply)> done) { client->request(method, target, {}, 5s, std::move(done)); });
    REQUIRE(reply.has_value());
    return *reply;
  }

  asio::io_context io;
  std::unique_ptr<MetricsServer> server;
  std::unique_ptr<HttpClient> client;
  std::optional<std::string> problem;
  int pages = 0;
};

}  // namespace

TEST_CASE_METHOD(ServerFixture, "GET /metrics answers the page in the text format 0.0.4") {
  const HttpReply reply = call(HttpMethod::get, "/metrics");
  CHECK(reply.status == 200);
  CHECK(reply.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(reply.body == "# HELP up x\n# TYPE up gauge\nup 1\n");
  CHECK(call(HttpMethod::get, "/metrics?name[]=up").status == 200);  // a query is ignored
  CHECK(pages == 2);
}

TEST_CASE_METHOD(ServerFixture, "GET /healthz says ok, or 503 with the reason") {
  HttpReply reply = call(HttpMethod::get, "/healthz");
  CHECK(reply.status == 200);
  CHECK(reply.body == "ok\n");
  problem = "database: disk full";
  reply = call(HttpMethod::get, "/healthz");
  CHECK(reply.status == 503);
  CHECK(reply.body == "unhealthy: database: disk full\n");
}

TEST_CASE_METHOD(ServerFixture, "another path is 404, another method 405 with Allow: GET") {
  CHECK(call(HttpMethod::get, "/").status == 404);
  CHECK(call(HttpMethod::get, "/metricsx").status == 404);
  const HttpReply reply = call(HttpMethod::post, "/metrics");
  CHECK(reply.status == 405);
  CHECK(reply.header("Allow") == "GET");
  CHECK(pages == 0);
}

TEST_CASE_METHOD(ServerFixture, "a keep-alive connection serves one request after another") {
  RawClient raw(io, server->port());
  raw.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  auto first = raw.response();
  auto second = raw.response();
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->body() == "ok\n");
  CHECK(second->result_int() == 200);
  CHECK(pages == 1);
  raw.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  REQUIRE(raw.response());
  CHECK(raw.closed_by_server());
}

TEST_CASE_METHOD(ServerFixture, "a malformed request is answered 400 and closed, and the server goes on") {
  RawClient raw(io, server->port());
  raw.send("THIS IS NOT HTTP\r\n\r\n");
  auto reply = raw.response();
  REQUIRE(reply);
  CHECK(reply->result_int() == 400);
  CHECK(raw.closed_by_server());
  CHECK(call(HttpMethod::get, "/healthz").status == 200);
}

TEST_CASE_METHOD(ServerFixture, "an oversized header is 431 and an oversized body 413") {
  {
    RawClient raw(io, server->port());
    raw.send("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(MetricsServer::kMaxHeaderBytes, 'a') +
             "\r\n\r\n");
    auto reply = raw.response();
    REQUIRE(reply);
    CHECK(reply->result_int() == 431);
  }
  {
    RawClient raw(io, server->port());
    raw.send("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: " +
             std::to_string(MetricsServer::kMaxBodyBytes + 1) + "\r\n\r\n");
    auto reply = raw.response();
    REQUIRE(reply);
    CHECK(reply->result_int() == 413);
  }
  CHECK(pages == 0);
  CHECK(call(HttpMethod::get, "/metrics").status == 200);
}

TEST_CASE_METHOD(ServerFixture, "with every slot taken, the oldest idle connection makes room for a new one") {
  std::vector<std::unique_ptr<RawClient>> idle;
  for (std::size_t i = 0; i < MetricsServer::kMaxConnections; ++i) {
    idle.push_back(std::make_unique<RawClient>(io, server->port()));
  }
  RawClient probe(io, server->port());
  probe.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto reply = probe.response();
  REQUIRE(reply);
  CHECK(reply->result_int() == 200);
  CHECK(idle.front()->closed_by_server());
}

TEST_CASE_METHOD(ServerFixture, "a request header that trickles in is cut off after the header deadline") {
  RawClient slow(io, server->port());
  slow.send("GET /healthz HTTP/1.1\r\nHost: x\r\n");  // and never the blank line
  const auto started = std::chrono::steady_clock::now();
  CHECK(slow.closed_by_server());
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK(took >= MetricsServer::kHeaderTimeout - 100ms);
  CHECK(took < MetricsServer::kHeaderTimeout + 2s);
}

// The bound: a scrape and a health check get through whatever idle and slow clients
// hold connections.
TEST_CASE_METHOD(ServerFixture, "under 500 idle and 8 slowloris connections /healthz answers within 100 ms") {
  constexpr std::size_t kIdle = 500;
  constexpr std::size_t kSlow = 8;
  std::vector<std::unique_ptr<RawClient>> held;
  for (std::size_t i = 0; i < kIdle; ++i) held.push_back(std::make_unique<RawClient>(io, server->port()));
  for (std::size_t i = 0; i < kSlow; ++i) {
    held.push_back(std::make_unique<RawClient>(io, server->port()));
    held.back()->send("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ");
  }
  // The server has taken every one in once the last it had to shed is closed.
  REQUIRE(held.at(held.size() - MetricsServer::kMaxConnections - 1)->closed_by_server());
  for (std::size_t i = held.size() - kSlow; i < held.size(); ++i) held[i]->send("a");  // still trickling
  const auto started = std::chrono::steady_clock::now();
  RawClient health(io, server->port());
  health.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto reply = health.response();
  const auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  REQUIRE(reply);
  CHECK(reply->result_int() == 200);
  INFO("/healthz answered in " << took.count() << " us");
  CHECK(took < 100ms);
}

TEST_CASE_METHOD(ServerFixture, "destroying the server closes its connections") {
  RawClient raw(io, server->port());
  raw.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(raw.response());
  server.reset();
  CHECK(raw.closed_by_server());
}

TEST_CASE("a port in use is an error naming the address") {
  asio::io_context io;
  tcp::acceptor taken(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  const auto port = taken.local_endpoint().port();
  auto opened = MetricsServer::open(io, "127.0.0.1", port, {[] { return std::string(); }, [] {
                                                              return std::optional<std::string>();
                                                            }});
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == "listen_failed");
  CHECK(opened.error().message.find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
}
