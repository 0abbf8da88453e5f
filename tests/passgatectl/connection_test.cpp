// How passgatectl finds the gate's control socket (--socket, else [control] socket in the
// config; only that key is read) and what it says when it cannot use it: the gate is not
// running, a stale socket nobody listens on, permission denied (naming the socket and the
// group to join). Every command fails the same way, with exit code 1.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "tests/passgatectl/ctl_fixture.hpp"

using Catch::Matchers::Contains;
using passgate::test::CtlFixture;
using passgate::test::StoreDay;

namespace {

namespace fs = std::filesystem;

const std::vector<std::vector<std::string>> kGateCommands = {
    {"status"}, {"lanes"}, {"sessions"}, {"queue"}, {"queue", "retry", "1"}, {"reload"}};

// A Unix stream socket bound at `path`; listening or not.
class TestSocket {
 public:
  TestSocket(const fs::path& path, bool listening) : fd_(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
    if (listening) REQUIRE(::listen(fd_, 4) == 0);
  }
  ~TestSocket() { ::close(fd_); }
  TestSocket(const TestSocket&) = delete;
  TestSocket& operator=(const TestSocket&) = delete;

 private:
  int fd_;
};

}  // namespace

TEST_CASE("without a running gate every command says so, naming the socket and where its path came from") {
  CtlFixture gate;
  for (const auto& command : kGateCommands) {
    const auto run = gate.ctl(command);
    INFO(run.output);
    CHECK(run.exit_code == 3);
    CHECK_THAT(run.output, Contains("passgatectl: no control socket at " + gate.control_socket().string()) &&
                               Contains("(the path comes from [control] socket in " + gate.config_file() + ")") &&
                               Contains("passgated is not running") && Contains("systemctl status passgated"));
  }
}

TEST_CASE("a socket nobody listens on means the gate is not running") {
  CtlFixture gate;
  const TestSocket stale(gate.control_socket(), false);
  const auto run = gate.ctl({"status"});
  INFO(run.output);
  CHECK(run.exit_code == 3);
  CHECK_THAT(run.output, Contains("nothing listens on the control socket " + gate.control_socket().string()) &&
                             Contains("passgated is not running"));
}

TEST_CASE("permission denied names the socket and the group to join") {
  CtlFixture gate;
  const TestSocket listening(gate.control_socket(), true);
  std::vector<std::string> args{"status", "--socket", gate.control_socket().string()};
  std::string program = PASSGATECTL;
  if (::geteuid() == 0) {
    // Root may use any socket: ask as nobody, who may enter the directory but not use the socket.
    fs::permissions(gate.dir(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                    fs::perms::others_read | fs::perms::others_exec);
    fs::permissions(gate.control_socket(), fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                               fs::perms::group_write);
    args.insert(args.begin(), {"--reuid=65534", "--regid=65534", "--clear-groups", PASSGATECTL});
    program = "/usr/bin/setpriv";
  } else {
    fs::permissions(gate.control_socket(), fs::perms::none);
  }
  struct stat st {};
  REQUIRE(::stat(gate.control_socket().c_str(), &st) == 0);
  const auto run = CtlFixture::run(args, program);
  INFO(run.output);
  CHECK(run.exit_code == 3);
  // --socket reads no config, so no operators' group is known: the hint says how to set one,
  // never the socket's owner group (root here; the service's own group in a package, whose
  // members may also read the gateway key and the database).
  CHECK_THAT(run.output, Contains("permission denied on the control socket " + gate.control_socket().string()) &&
                             Contains("only root and the service user may use it") &&
                             Contains("sets no operators' group") && Contains("control.group") &&
                             Contains("sudo usermod -aG passgate-operators") &&
                             Contains("or run passgatectl with sudo"));
  CHECK_THAT(run.output, !Contains("-aG root") && !Contains("-aG passgate "));
}

TEST_CASE("passgatectl --socket names the socket without any config file") {
  StoreDay day;
  const auto run = CtlFixture::run({"status", "--json", "--socket", day.control_socket().string()});
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.output, Contains("\"gate_id\":\"gate-a\""));
}

TEST_CASE("a config file passgatectl cannot read or parse is an error that suggests --socket") {
  CtlFixture gate;
  const auto missing = CtlFixture::run({"status", "--config", (gate.dir() / "missing.toml").string()});
  CHECK(missing.exit_code == 3);
  CHECK_THAT(missing.output, Contains("cannot read the config file " + (gate.dir() / "missing.toml").string()) &&
                                 Contains("--socket PATH"));
  const auto broken = gate.dir() / "broken.toml";
  std::ofstream(broken) << "store_id = \"store-0042\"\n[control\n";
  const auto run = CtlFixture::run({"status", "--config", broken.string()});
  INFO(run.output);
  CHECK(run.exit_code == 3);
  CHECK_THAT(run.output, Contains(broken.string() + ":2: invalid TOML") && Contains("passgatectl check-config") &&
                             Contains("--socket PATH"));
}
