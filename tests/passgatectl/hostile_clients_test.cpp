// Clients that connect to the control socket and then send half a request, or nothing, can
// neither hold a connection for long nor lock the operators out: a connection owing a whole
// request is closed after [control] request_timeout_ms; with every slot taken, the oldest
// such connection is dropped to make room, so passgatectl always gets in; and when the gate
// closes passgatectl's connection without an answer, passgatectl says the gate is busy
// rather than printing an errno.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "tests/passgatectl/ctl_fixture.hpp"
#include "tests/passgatectl/raw_control.hpp"

using Catch::Matchers::Contains;
using passgate::test::CtlFixture;
using passgate::test::kGateLimit;
using passgate::test::RawControl;
using namespace std::chrono_literals;

namespace {

constexpr int kMaxClients = 16;  // drivers::ControlServer::kMaxClients

}  // namespace

TEST_CASE("a connection that sends half a request, or nothing, is closed after the request timeout") {
  CtlFixture gate;  // request_timeout_ms = 1000
  gate.start_gate();
  RawControl half(gate.control_socket());
  half.send(R"({"cmd":"sta)");
  RawControl silent(gate.control_socket());
  CHECK(half.closed_by_gate(kGateLimit));
  CHECK(silent.closed_by_gate(kGateLimit));
  CHECK(gate.gated().wait_for_output("event=control_request_timeout uid=" + std::to_string(::geteuid()) +
                                         " timeout_ms=1000",
                                     kGateLimit));
  // A client that asks in time is answered, and after its answer may take its time.
  RawControl prompt(gate.control_socket());
  CHECK(prompt.ask(R"({"cmd":"lanes"})").at("ok") == true);
  CHECK(prompt.ask(R"({"cmd":"lanes"})").at("ok") == true);
}

TEST_CASE("sixteen clients holding half a request each do not lock passgatectl out") {
  CtlFixture gate(60s);  // long enough that only making room can let passgatectl in
  gate.start_gate();
  std::vector<std::unique_ptr<RawControl>> hostile;
  for (int i = 0; i < kMaxClients; ++i) {
    hostile.push_back(std::make_unique<RawControl>(gate.control_socket()));
    hostile.back()->send(R"({"cmd":"lanes")");
  }
  // Every one is taken in (the gate says nothing to them yet) before passgatectl comes.
  RawControl last(gate.control_socket());
  CHECK(last.ask(R"({"cmd":"lanes"})").at("ok") == true);  // it made room by dropping the first
  const auto run = gate.ctl({"status"});
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.output, !Contains("Broken pipe"));
  // The oldest half-request connections were the ones dropped, told why.
  CHECK(hostile.at(0)->read_line().find("the gate is busy") != std::string::npos);
  CHECK(hostile.at(1)->closed_by_gate(kGateLimit));
  CHECK(gate.gated().wait_for_output("event=control_client_dropped", kGateLimit));
}

TEST_CASE("a gate that closes the connection without answering is reported as busy, not as an errno") {
  CtlFixture gate;
  const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(listener >= 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, gate.control_socket().c_str(), sizeof address.sun_path - 1);
  REQUIRE(::bind(listener, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(listener, 4) == 0);
  // A gate that takes each connection and closes it at once, as one that drops it does.
  std::thread closer([listener] {
    for (int i = 0; i < 2; ++i) {
      const int fd = ::accept(listener, nullptr, nullptr);
      if (fd < 0) return;
      if (i == 1) {
        const std::string busy = R"({"ok":false,"error":{"code":"busy","message":"the gate is busy: try again"}})" "\n";
        (void)::send(fd, busy.data(), busy.size(), MSG_NOSIGNAL);
      }
      ::close(fd);
    }
  });
  const auto silent = gate.ctl({"status"});
  const auto told = gate.ctl({"lanes"});
  closer.join();
  ::close(listener);
  INFO(silent.output << told.output);
  CHECK(silent.exit_code == 3);  // cannot reach the gate (exit_codes.hpp)
  CHECK_THAT(silent.output, Contains("passgatectl: the gate is busy or restarting") && !Contains("Broken pipe") &&
                                !Contains("End of file"));
  CHECK(told.exit_code == 3);
  CHECK_THAT(told.output, Contains("passgatectl: the gate is busy: try again"));
}
