// The shared HTTP listener (drivers/http_listener.hpp) as the status page uses it: an answer
// that opens an event stream (its head without a length, then each event as sent, until
// either side closes), a viewer that stops reading dropped once its unsent events pass the
// bound (never waited for), the handler seeing the request's Authorization and the client's
// address, and TLS: a TLS listener answers a TLS client and gives a plain one nothing. Its
// accept rate (in virtual time): past a client's share its new connections are closed at
// once, others still get in, and those refused spend nothing of the rate in all; past the rate
// in all a new connection is closed at once, unless its address logged in lately (trust), and
// the listener goes on accepting, pausing a moment past max_refused_per_second refusals.
// At the connection cap, the client holding the most makes room.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/write.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/virtual_time.hpp"
#include "drivers/http_client.hpp"
#include "drivers/http_listener.hpp"
#include "drivers/tls_context.hpp"
#include "tests/support/captured_log.hpp"
#include "tests/support/run_until.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_certs.hpp"

namespace passgate::drivers {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A listener whose /events opens a stream the test then sends on; other paths echo what the
// handler saw of the request.
struct StreamFixture {
  explicit StreamFixture(HttpLimits limits = {}, asio::ssl::context* tls = nullptr, VirtualTime* time = nullptr) {
    HttpListenerOptions options;
    options.name = "test";
    options.address = "127.0.0.1";
    options.limits = limits;
    options.tls = tls;
    options.clock = time;
    auto opened = HttpListener::open(io, std::move(options), [this](const HttpRequest& request) {
      if (request.path == "/events") {
        HttpAnswer answer;
        answer.content_type = "text/event-stream";
        answer.on_stream = [this](std::shared_ptr<EventStream> opened_stream) { stream = std::move(opened_stream); };
        return answer;
      }
      return plain_answer(200, request.method + " " + request.path + " auth=" + request.authorization +
                                   " peer=" + request.peer_address);
    });
    REQUIRE(opened.ok());
    listener = std::move(*opened);
  }

  asio::io_context io;
  std::unique_ptr<HttpListener> listener;
  std::shared_ptr<EventStream> stream;
};

// A raw client: writes a request and reads what comes back, running the loop. From
// `source` (another loopback address, another client) when given.
class RawClient {
 public:
  RawClient(asio::io_context& io, std::uint16_t port, const std::string& source = "") : io_(io), socket_(io) {
    if (!source.empty()) {
      socket_.open(tcp::v4());
      socket_.bind(tcp::endpoint(asio::ip::make_address(source), 0));
    }
    socket_.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
  }
  void send(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }
  // Starts reading until `text` has arrived or the connection ended; finished() says when.
  void start_read(const std::string& text) {
    result_.reset();
    asio::async_read_until(socket_, asio::dynamic_buffer(received_), text,
                           [this](const boost::system::error_code& ec, std::size_t) { result_ = ec; });
  }
  [[nodiscard]] bool finished() const { return result_.has_value(); }
  // Reads until `text` has arrived (true) or the connection ended (false).
  bool read_until(const std::string& text) {
    start_read(text);
    REQUIRE(test::run_until(io_, [&] { return finished(); }));
    return !*result_;
  }
  [[nodiscard]] const std::string& received() const { return received_; }
  void close() { socket_.close(); }

 private:
  asio::io_context& io_;
  tcp::socket socket_;
  std::string received_;
  std::optional<boost::system::error_code> result_;
};

std::string get(const std::string& path) { return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n"; }

TEST_CASE("an event stream sends its head without a length, then each event as it is sent") {
  StreamFixture fx;
  RawClient client(fx.io, fx.listener->port());
  client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(test::run_until(fx.io, [&] { return fx.stream != nullptr; }));
  REQUIRE(client.read_until("\r\n\r\n"));
  const std::string head = client.received();
  CHECK(head.starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(head.find("Content-Type: text/event-stream\r\n") != std::string::npos);
  CHECK(head.find("Cache-Control: no-store\r\n") != std::string::npos);
  CHECK(head.find("Content-Length") == std::string::npos);
  CHECK(head.find("Transfer-Encoding") == std::string::npos);
  CHECK(fx.stream->send("data: one\n\n"));
  CHECK(fx.stream->send("data: two\n\n"));
  REQUIRE(client.read_until("data: two\n\n"));
  CHECK(client.received().substr(head.size()) == "data: one\n\ndata: two\n\n");

  client.close();  // the viewer leaves: the stream closes
  REQUIRE(test::run_until(fx.io, [&] { return !fx.stream->open(); }));
  CHECK_FALSE(fx.stream->send("data: three\n\n"));
}

TEST_CASE("a viewer that stops reading is dropped once its unsent events pass the bound") {
  HttpLimits limits;
  limits.max_stream_pending = 64 * 1024;
  StreamFixture fx(limits);
  test::CapturedLog log;
  RawClient client(fx.io, fx.listener->port());
  client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(test::run_until(fx.io, [&] { return fx.stream != nullptr; }));
  // The client reads nothing: the kernel's buffers fill, then the stream's queue.
  const std::string event = "data: " + std::string(16 * 1024, 'x') + "\n\n";
  int sent = 0;
  while (fx.stream->send(event)) {
    ++sent;
    REQUIRE(sent < 10000);
    fx.io.poll();
  }
  CHECK_FALSE(fx.stream->open());
  CHECK(log.count("event=test_stream_dropped") == 1);
  CHECK(log.count("reason=falls_behind") == 1);
}

TEST_CASE("the handler sees the request's method, path, Authorization and the client's address") {
  StreamFixture fx;
  RawClient client(fx.io, fx.listener->port());
  client.send("GET /x?y=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Basic abc\r\n\r\n");
  REQUIRE(client.read_until("peer=127.0.0.1"));
  CHECK(client.received().find("GET /x auth=Basic abc peer=127.0.0.1") != std::string::npos);
}

TEST_CASE("a TLS listener answers a TLS client and gives a plain one nothing") {
  test::TempDir dir;
  test::TestPki pki(dir.path(), "page");
  const auto pair = pki.issue_server("page", {"localhost"}, {"127.0.0.1"});
  auto tls = make_tls_server_context(TlsServerFiles{pair.cert, pair.key, {}});
  REQUIRE(tls.ok());
  StreamFixture fx({}, tls->get());

  HttpClientOptions options;
  options.base_url = "https://127.0.0.1:" + std::to_string(fx.listener->port());
  options.tls.ca_bundle = pki.ca_file();
  auto client = HttpClient::create(fx.io, std::move(options));
  REQUIRE(client.ok());
  const auto reply = test::await_reply<HttpReply>(fx.io, [&](std::function<void(HttpReply)> done) {
    (*client)->request(HttpMethod::get, "/hello", {}, 5s, std::move(done));
  });
  REQUIRE(reply);
  CHECK(reply->status == 200);
  CHECK(reply->body.starts_with("GET /hello"));

  RawClient plain(fx.io, fx.listener->port());
  plain.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK_FALSE(plain.read_until("HTTP/1.1 200"));
  CHECK(plain.received().find("GET /hello") == std::string::npos);
}

// A listener taking new connections at `rate`, in virtual time.
struct RatedFixture {
  explicit RatedFixture(AcceptRate rate) : fx(limits_of(rate), nullptr, &time) {}
  static HttpLimits limits_of(AcceptRate rate) {
    HttpLimits limits;
    limits.accept_rate = rate;
    return limits;
  }
  // A client from `source` that has sent a request and had its answer.
  std::unique_ptr<RawClient> answered(const std::string& source) {
    auto client = std::make_unique<RawClient>(fx.io, fx.listener->port(), source);
    client->send(get("/hello"));
    REQUIRE(client->read_until("peer=" + source));
    return client;
  }
  VirtualTime time;
  test::CapturedLog log;
  StreamFixture fx;
};

TEST_CASE("past a client's accept rate its new connections are closed at once, others still get in") {
  RatedFixture rated({.per_second = 100, .burst = 100, .per_client_per_second = 1, .per_client_burst = 2});
  auto first = rated.answered("127.0.0.1");
  auto second = rated.answered("127.0.0.1");
  RawClient third(rated.fx.io, rated.fx.listener->port(), "127.0.0.1");
  third.send(get("/3"));
  CHECK_FALSE(third.read_until("peer=127.0.0.1"));
  CHECK(third.received().empty());
  CHECK(rated.log.count("event=test_connection_refused peer=127.0.0.1 reason=client_rate") == 1);
  CHECK(rated.log.count("event=test_connection_shed") == 0);

  (void)rated.answered("127.0.0.2");
  rated.time.advance(std::chrono::seconds(1));
  (void)rated.answered("127.0.0.1");
  first->send(get("/again"));  // the first two were never touched
  REQUIRE(first->read_until("GET /again"));
}

TEST_CASE("a client past its own accept rate spends nothing of the rate in all: another gets in at once") {
  RatedFixture rated({.per_second = 1, .burst = 2, .per_client_per_second = 1, .per_client_burst = 1});
  auto first = rated.answered("127.0.0.1");  // one token of the rate in all left
  std::vector<std::unique_ptr<RawClient>> flood;
  for (int i = 0; i < 5; ++i) {
    flood.push_back(std::make_unique<RawClient>(rated.fx.io, rated.fx.listener->port(), "127.0.0.1"));
    flood.back()->send(get("/flood"));
  }
  REQUIRE(test::run_until(rated.fx.io, [&] {
    return rated.log.count("event=test_connection_refused peer=127.0.0.1 reason=client_rate") == 5;
  }));
  (void)rated.answered("127.0.0.2");  // no time has passed
  CHECK(rated.log.count("reason=busy") == 0);
}

TEST_CASE("past the accept rate in all only an address that logged in gets in; the listener goes on accepting") {
  RatedFixture rated({.per_second = 1, .burst = 2, .per_client_per_second = 100, .per_client_burst = 100});
  auto first = rated.answered("127.0.0.1");
  (void)rated.answered("127.0.0.2");
  rated.fx.listener->trust("127.0.0.5", "tech");  // the technician logged in from there before

  // A flood's connections are closed at once, before any answer...
  std::vector<std::unique_ptr<RawClient>> flood;
  for (int i = 0; i < 5; ++i) {
    flood.push_back(std::make_unique<RawClient>(rated.fx.io, rated.fx.listener->port(), "127.0.0.3"));
    flood.back()->send(get("/flood"));
  }
  REQUIRE(test::run_until(rated.fx.io, [&] {
    return rated.log.count("event=test_connection_refused peer=127.0.0.3 reason=busy") == 5;
  }));
  CHECK_FALSE(flood.back()->read_until("peer=127.0.0.3"));
  // ...and the listener still accepts: the technician gets in at once, no time having passed.
  (void)rated.answered("127.0.0.5");
  CHECK(rated.log.count("event=test_connection_shed") == 0);
  first->send(get("/again"));  // those kept were never touched
  REQUIRE(first->read_until("GET /again"));
  rated.time.advance(std::chrono::seconds(1));
  (void)rated.answered("127.0.0.4");
}

TEST_CASE("past max_refused_per_second refusals the listener pauses accepting, then accepts again") {
  RatedFixture rated({.per_second = 1,
                      .burst = 2,
                      .per_client_per_second = 100,
                      .per_client_burst = 100,
                      .max_refused_per_second = 3,
                      .refused_pause = 20ms});
  (void)rated.answered("127.0.0.1");
  (void)rated.answered("127.0.0.2");
  rated.fx.listener->trust("127.0.0.5", "tech");
  std::vector<std::unique_ptr<RawClient>> flood;
  for (int i = 0; i < 5; ++i) {
    flood.push_back(std::make_unique<RawClient>(rated.fx.io, rated.fx.listener->port(), "127.0.0.3"));
    flood.back()->send(get("/flood"));
  }
  // The third refusal pauses accepting; the rest of the flood waits in the kernel's backlog
  // and is refused once the pause is over.
  REQUIRE(test::run_until(rated.fx.io, [&] {
    return rated.log.count("event=test_connection_refused peer=127.0.0.3 reason=busy") == 5;
  }));
  CHECK(rated.log.count("event=test_accept_paused pause_ms=20 reason=too_many_refused") == 1);
  (void)rated.answered("127.0.0.5");
}

TEST_CASE("with every slot taken, the client holding the most connections makes room, not a lone one") {
  HttpLimits limits;
  limits.max_connections = 4;
  StreamFixture fx(limits);
  RawClient lone(fx.io, fx.listener->port(), "127.0.0.2");  // the oldest, and idle
  lone.send(get("/lone"));
  REQUIRE(lone.read_until("peer=127.0.0.2"));
  std::vector<std::unique_ptr<RawClient>> flood;
  for (int i = 0; i < 3; ++i) {
    flood.push_back(std::make_unique<RawClient>(fx.io, fx.listener->port(), "127.0.0.3"));
    flood.back()->send(get("/flood"));
    REQUIRE(flood.back()->read_until("peer=127.0.0.3"));
  }
  RawClient newcomer(fx.io, fx.listener->port(), "127.0.0.4");
  newcomer.send(get("/new"));
  REQUIRE(newcomer.read_until("peer=127.0.0.4"));
  CHECK_FALSE(flood.front()->read_until("never sent"));  // closed to make room
  lone.send(get("/lone-again"));
  CHECK(lone.read_until("GET /lone-again"));
}

}  // namespace
}  // namespace passgate::drivers
