// SystemdNotifier against a test notify socket: a Unix datagram socket of the test's own,
// named by NOTIFY_SOCKET as systemd would. READY, STATUS and STOPPING arrive as sent; the
// watchdog pings come from the event loop only, so while a handler blocks the loop none
// arrive, and they resume once it returns.
#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "common/asio_time.hpp"
#include "drivers/systemd_notifier.hpp"
#include "tests/support/captured_log.hpp"
#include "tests/support/run_until.hpp"
#include "tests/support/temp_dir.hpp"

namespace passgate::test {
namespace {

using namespace std::chrono_literals;

// The socket systemd would listen on: bound in a temp dir, named by NOTIFY_SOCKET while it
// exists. The watchdog variables are the test's to set.
class NotifySocket {
 public:
  NotifySocket() : path_((dir_ / "notify.sock").string()) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    REQUIRE(path_.size() < sizeof address.sun_path);
    std::memcpy(address.sun_path, path_.c_str(), path_.size() + 1);
    REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
    ::setenv("NOTIFY_SOCKET", path_.c_str(), 1);
  }
  ~NotifySocket() {
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
    ::close(fd_);
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  // Waits for a datagram to arrive, at most `limit`; true if one is waiting.
  [[nodiscard]] bool wait_for_datagram(std::chrono::milliseconds limit) const {
    pollfd p{fd_, POLLIN, 0};
    for (;;) {
      const int n = ::poll(&p, 1, static_cast<int>(limit.count()));
      if (n < 0 && errno == EINTR) continue;
      REQUIRE(n >= 0);
      return n > 0;
    }
  }

  // Every datagram waiting now, oldest first (never blocks).
  [[nodiscard]] std::vector<std::string> drain() const {
    std::vector<std::string> out;
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        REQUIRE((errno == EAGAIN || errno == EWOULDBLOCK));
        return out;
      }
      out.emplace_back(buf, static_cast<std::size_t>(n));
    }
  }

 private:
  TempDir dir_;
  std::string path_;
  int fd_ = -1;
};

// What arrived on the socket, as the test reads it.
struct Received {
  std::vector<std::string> messages;
  int pings = 0;

  void take(const std::vector<std::string>& batch) {
    for (const auto& m : batch) {
      if (m == "WATCHDOG=1") {
        ++pings;
      } else {
        messages.push_back(m);
      }
    }
  }
};

TEST_CASE("without NOTIFY_SOCKET the notifier sends nothing and starts no timer", "[systemd]") {
  ::unsetenv("NOTIFY_SOCKET");
  ::setenv("WATCHDOG_USEC", "20000", 1);
  boost::asio::io_context io;
  AsioTime time(io);
  drivers::SystemdNotifier notifier(time);
  CHECK_FALSE(notifier.enabled());
  CHECK_FALSE(notifier.ping_interval().has_value());
  notifier.ready("ready");
  notifier.status("busy");
  notifier.stopping("stopping");
  // Nothing was scheduled on the loop: it has no work at all.
  CHECK(io.run() == 0);
  ::unsetenv("WATCHDOG_USEC");
}

TEST_CASE("READY and STATUS reach the notify socket, and no watchdog runs unless asked for", "[systemd]") {
  NotifySocket socket;
  ::unsetenv("WATCHDOG_USEC");
  boost::asio::io_context io;
  AsioTime time(io);
  drivers::SystemdNotifier notifier(time);
  CHECK(notifier.enabled());
  CHECK_FALSE(notifier.ping_interval().has_value());

  notifier.ready("ready: 3 lane(s)\nsecond line");
  notifier.status("stopping: waiting for 1 passage(s)");
  notifier.stopping("stopping");
  CHECK(socket.drain() == std::vector<std::string>{"READY=1\nSTATUS=ready: 3 lane(s) second line",
                                                    "STATUS=stopping: waiting for 1 passage(s)",
                                                    "STOPPING=1\nSTATUS=stopping"});
  CHECK(io.run() == 0);
}

TEST_CASE("a watchdog meant for another process is not pinged", "[systemd]") {
  NotifySocket socket;
  ::setenv("WATCHDOG_USEC", "20000", 1);
  ::setenv("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str(), 1);
  boost::asio::io_context io;
  AsioTime time(io);
  drivers::SystemdNotifier notifier(time);
  CHECK(notifier.enabled());
  CHECK_FALSE(notifier.ping_interval().has_value());
  CHECK(io.run() == 0);
  CHECK(socket.drain().empty());
}

TEST_CASE("watchdog pings come from the loop: a blocked loop stops them, they resume after it", "[systemd]") {
  NotifySocket socket;
  ::setenv("WATCHDOG_USEC", "20000", 1);  // 20 ms: a ping every 10 ms
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  boost::asio::io_context io;
  AsioTime time(io);
  Received received;
  {
    drivers::SystemdNotifier notifier(time);
    REQUIRE(notifier.ping_interval() == std::chrono::milliseconds(10));
    const auto interval = *notifier.ping_interval();

    notifier.ready("ready");
    received.take(socket.drain());
    CHECK(received.messages == std::vector<std::string>{"READY=1\nSTATUS=ready"});

    // The loop runs: pings arrive.
    REQUIRE(run_until(io, [&] {
      received.take(socket.drain());
      return received.pings >= 3;
    }));

    // A handler that hangs the loop: it waits for a ping to arrive on the socket, for up to
    // eight intervals. Only the loop sends pings, so while this handler holds it none comes
    // (a ping from anywhere else would end the wait at once and fail the test).
    bool blocked = false;
    bool pinged_while_blocked = true;
    time.post([&] {
      received.take(socket.drain());
      pinged_while_blocked = socket.wait_for_datagram(8 * interval);
      blocked = true;
    });
    REQUIRE(run_until(io, [&] { return blocked; }));
    CHECK_FALSE(pinged_while_blocked);

    // Back to normal: the pings resume.
    const int before = received.pings;
    REQUIRE(run_until(io, [&] {
      received.take(socket.drain());
      return received.pings >= before + 3;
    }));

    notifier.stopping("stopping: waiting for 0 passage(s)");
    received.take(socket.drain());
    CHECK(received.messages.back() == "STOPPING=1\nSTATUS=stopping: waiting for 0 passage(s)");
  }
  // Destroyed: the ping timer is cancelled; the loop runs out of work and nothing more is sent.
  io.restart();
  io.run();
  CHECK(socket.drain().empty());
}

TEST_CASE("a notify socket that does not exist is reported once, and the gate goes on", "[systemd]") {
  TempDir dir;
  ::setenv("NOTIFY_SOCKET", (dir / "missing.sock").c_str(), 1);
  ::unsetenv("WATCHDOG_USEC");
  boost::asio::io_context io;
  AsioTime time(io);
  CapturedLog log;
  drivers::SystemdNotifier notifier(time);
  notifier.ready("ready");
  notifier.status("still here");
  notifier.stopping("stopping");
  ::unsetenv("NOTIFY_SOCKET");
  CHECK(notifier.enabled());
  CHECK(log.count("event=sd_notify_failed") == 1);
}

}  // namespace
}  // namespace passgate::test
