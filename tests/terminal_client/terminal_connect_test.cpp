// The connect limit (docs/interfaces/payment-terminal.md#transport): a request that needs a new
// connection the API does not accept within [terminal] connect_timeout_ms ends as unknown with
// nothing sent, by the connect limit rather than the request's.
#include <catch2/catch.hpp>

#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "tests/terminal_client/terminal_fixture.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;
namespace asio = boost::asio;
using asio::ip::tcp;

TEST_CASE("an API that does not take the connection within the connect limit: unknown, nothing sent") {
  asio::io_context io;
  // A listener that never accepts, its queue full: the kernel drops further connection
  // requests, so a connect neither succeeds nor fails until its own limit.
  tcp::acceptor listener(io);
  listener.open(tcp::v4());
  listener.bind(tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  listener.listen(0);
  const auto port = listener.local_endpoint().port();
  std::vector<std::unique_ptr<tcp::socket>> fillers;
  for (int i = 0; i < 2; ++i) {
    fillers.push_back(std::make_unique<tcp::socket>(io));
    fillers.back()->async_connect(listener.local_endpoint(), [](const boost::system::error_code&) {});
  }

  drivers::TerminalClientOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(port);
  options.api_key = kTermApiKey;
  options.connect_timeout = std::chrono::milliseconds(300);
  options.request_timeout = std::chrono::seconds(60);
  auto terminal = drivers::TerminalClient::create(io, options);
  REQUIRE(terminal);
  auto outcome = await_reply<TerminalOutcome>(io, [&](auto done) { (*terminal)->confirm(term_attempt(), done); });
  REQUIRE(outcome);
  CHECK(outcome->kind == TerminalOutcomeKind::unknown);
  CHECK(outcome->sends == 0);
  CHECK(outcome->http_status == 0);
  CHECK_THAT(outcome->error, Contains("cannot connect to 127.0.0.1:" + std::to_string(port) + " within 300 ms"));
}
