// The HTTP client against backends that never stop sending, or send too much: every reply
// fails at once with an error naming the bound it broke, is logged so, closes its
// connection, and leaves the process's peak memory within a few MiB.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include <boost/asio/io_context.hpp>

#include "ports/tracking_port.hpp"
#include "drivers/http_client.hpp"
#include "tests/http_client/hostile_server.hpp"
#include "tests/http_client/peak_memory.hpp"
#include "tests/support/captured_log.hpp"
#include "tests/support/run_until.hpp"

namespace passgate::test {
namespace {

using Catch::Matchers::Contains;
using passgate::HttpReply;
using namespace std::chrono_literals;

constexpr std::size_t kMaxGrowthKib = 4 * 1024;

struct Hostile {
  const char* name;
  std::string head;
  std::string filler;    // repeated until the client hangs up; empty: head only
  const char* expected;  // in the error: the bound
  const char* bound;     // in the log line
};

std::string many_headers(int count) {
  std::string out = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < count; ++i) out += "X-H: v\r\n";
  return out + "Content-Length: 0\r\n\r\n";
}

const std::string kFill(64 * 1024, 'a');

}  // namespace

TEST_CASE("a hostile reply fails at once on its bound, closes the connection and keeps memory bounded") {
  const Hostile hostile = GENERATE(
      Hostile{"endless chunk extension", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;", kFill,
              "a chunk header line (or the trailer) exceeds 1024 bytes", "bound=chunk_header_limit"},
      Hostile{"endless header line", "HTTP/1.1 200 OK\r\nX-Endless: ", kFill,
              "the status line and headers exceed 16384 bytes", "bound=header_limit"},
      Hostile{"100,000 headers", many_headers(100'000), "", "the status line and headers exceed 16384 bytes",
              "bound=header_limit"},
      Hostile{"endless body without Content-Length", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", kFill,
              "the body is larger than 1048576 bytes", "bound=body_limit"},
      Hostile{"Content-Length 10^20", "HTTP/1.1 200 OK\r\nContent-Length: 100000000000000000000\r\n\r\n", kFill,
              "1048576-byte body limit", "bound=body_limit"});
  INFO(hostile.name);
  boost::asio::io_context io;
  // A first request starts what every later one shares (the resolver's thread, the
  // logger): not what a hostile reply costs.
  HostileServer benign(io, "HTTP/1.1 204 No Content\r\n\r\n", "");
  {
    drivers::HttpClientOptions warm_up_options;
    warm_up_options.base_url = benign.base_url();
    auto warm_up = drivers::HttpClient::create(io, warm_up_options);
    REQUIRE(warm_up);
    auto answered = await_reply<HttpReply>(io, [&](auto done) {
      warm_up.value()->request(drivers::HttpMethod::get, "/", {}, 60s, done);
    });
    REQUIRE(answered);
    REQUIRE(answered->status == 204);
  }
  HostileServer server(io, hostile.head, hostile.filler);
  drivers::HttpClientOptions options;
  options.base_url = server.base_url();
  auto made = drivers::HttpClient::create(io, options);
  REQUIRE(made);
  CapturedLog log;

  const PeakMemory memory;
  REQUIRE(memory.measuring());
  // The deadline is far beyond what the bound needs: the failure must come from the bound.
  auto reply = await_reply<HttpReply>(io, [&](auto done) {
    made.value()->request(drivers::HttpMethod::get, "/v1/carts", {}, 60s, done);
  });
  const std::size_t growth_kib = memory.growth_kib();

  REQUIRE(reply);
  CHECK(reply->status == 0);
  CHECK(reply->unreachable());
  CHECK_THAT(reply->error, Contains("refused: ") && Contains(hostile.expected));
  CHECK(log.count("event=http_response_refused") == 1);
  CHECK(log.count(hostile.bound) == 1);
  CHECK(made.value()->idle_connections() == 0);
  CHECK(run_until(io, [&server] { return server.closed_by_client() == 1; }));
  INFO("peak resident memory grew by " << growth_kib << " KiB; the server sent " << server.bytes_sent()
                                       << " bytes");
  CHECK(growth_kib < kMaxGrowthKib);
}

}  // namespace passgate::test
