// The HTTP client's pool of kept-alive connections: a connection the server closed, or sent
// an unsolicited 408 on, while it waited in the pool is never used for the next request,
// which gets its own answer on a new connection, sent once; a connection idle longer than
// kMaxIdleAge (on the client's clock) is not reused; a pooled socket is judged without
// blocking, and every connection has TCP keep-alive on.
// (The farewell test waits, looking every millisecond, for the kernel to have delivered the
// farewell to the client's socket: no handler signals that.)
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "drivers/http_client.hpp"
#include "drivers/pooled_socket.hpp"
#include "tests/http_client/pool_fixture.hpp"
#include "tests/support/run_until.hpp"

namespace passgate::test {
namespace {

using namespace std::chrono_literals;

// Runs the loop until `done` holds, looking again every millisecond: for a condition that no
// handler signals, such as the kernel's delivery of a segment.
bool poll_until(boost::asio::io_context& io, const std::function<bool()>& done) {
  boost::asio::steady_timer tick(io);
  std::function<void()> arm = [&] {
    tick.expires_after(1ms);
    tick.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) arm();
    });
  };
  arm();
  const bool held = run_until(io, done);
  tick.cancel();
  io.restart();
  io.poll();  // the cancelled wait, while `arm` and `tick` still exist
  return held;
}

int socket_option(int fd, int level, int name) {
  int value = 0;
  socklen_t size = sizeof value;
  REQUIRE(::getsockopt(fd, level, name, &value, &size) == 0);
  return value;
}

}  // namespace

TEST_CASE("a pooled connection the server closes or sends a 408 on while idle is not used for the next request") {
  Pool p;
  REQUIRE(p.get().body == "connection 1 request 1");
  REQUIRE(p.client->idle_connections() == 1);

  const auto how = GENERATE(PoolServer::Farewell::close, PoolServer::Farewell::unsolicited_408);
  p.server.farewell(how);
  REQUIRE(poll_until(p.io, [&] { return p.server.farewell_received(); }));
  // The client looks before reusing it.

  const HttpReply next = p.get();
  CHECK(next.status == 200);
  CHECK(next.body == "connection 2 request 1");  // its own answer, on a new connection
  CHECK(next.sends == 1);                        // not a resend after a failed reuse
  CHECK(p.server.connections_accepted() == 2);
  CHECK(p.server.received().size() == 2);
}

TEST_CASE("a pooled connection idle longer than kMaxIdleAge is not reused") {
  Pool p;
  REQUIRE(p.get().body == "connection 1 request 1");
  p.vt.advance(drivers::kMaxIdleAge);
  CHECK(p.get().body == "connection 1 request 2");  // idle exactly that long: still reused
  p.vt.advance(drivers::kMaxIdleAge + 1ms);
  const HttpReply late = p.get();
  CHECK(late.body == "connection 2 request 1");
  CHECK(late.sends == 1);
  CHECK(p.client->idle_connections() == 1);  // the old one closed, the new one pooled
}

TEST_CASE("an idle socket is usable only with nothing to read, no end of stream and no error") {
  std::array<int, 2> fds{};
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds.data()) == 0);
  CHECK(drivers::idle_socket_usable(fds[0]));
  REQUIRE(::write(fds[1], "H", 1) == 1);
  CHECK_FALSE(drivers::idle_socket_usable(fds[0]));  // a byte nobody asked for
  char byte = 0;
  REQUIRE(::read(fds[0], &byte, 1) == 1);
  CHECK(drivers::idle_socket_usable(fds[0]));  // (the look itself consumed nothing)
  ::close(fds[1]);
  CHECK_FALSE(drivers::idle_socket_usable(fds[0]));  // end of stream
  ::close(fds[0]);
}

TEST_CASE("keep-alive is turned on with probes that find a dead peer within the pool's idle limit") {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  CHECK(drivers::enable_keepalive(fd));
  CHECK(socket_option(fd, SOL_SOCKET, SO_KEEPALIVE) == 1);
  CHECK(socket_option(fd, IPPROTO_TCP, TCP_KEEPIDLE) == drivers::kKeepAliveIdle.count());
  CHECK(socket_option(fd, IPPROTO_TCP, TCP_KEEPINTVL) == drivers::kKeepAliveInterval.count());
  CHECK(socket_option(fd, IPPROTO_TCP, TCP_KEEPCNT) == drivers::kKeepAliveProbes);
  CHECK(drivers::kKeepAliveIdle + drivers::kKeepAliveInterval * drivers::kKeepAliveProbes < drivers::kMaxIdleAge);
  ::close(fd);
}

}  // namespace passgate::test
