// passgatectl's exit codes, the same for every command: 0 done, 1 refused or failed, 2 usage
// error, 3 the gate cannot be reached (no socket, connection refused, no answer in time);
// every message starts with "passgatectl: ", also with --json.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "tests/passgatectl/ctl_fixture.hpp"
#include "tests/passgatectl/fake_gate.hpp"
#include "tests/support/temp_dir.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using nlohmann::json;
using passgate::test::CtlFixture;
using passgate::test::FakeGate;
using passgate::test::TempDir;

namespace {

// A socket file that nobody listens on (a gate that did not stop cleanly left it).
class DeadSocket {
 public:
  explicit DeadSocket(const std::filesystem::path& path) : fd_(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.c_str(), path.string().size() + 1);
    REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  }
  ~DeadSocket() { ::close(fd_); }
  DeadSocket(const DeadSocket&) = delete;
  DeadSocket& operator=(const DeadSocket&) = delete;

 private:
  int fd_;
};

}  // namespace

TEST_CASE("exit 0 when done, 1 when the gate refuses, the same with --json") {
  TempDir dir;
  FakeGate gate(dir / "control.sock");
  gate.answer("status", passgate::test::calm_status());
  gate.answer("queue.retry", json{{"error", {{"code", "not_found"}, {"message", "no payment operation 999"}}}});
  const std::string socket = gate.socket().string();
  CHECK(CtlFixture::run({"status", "--socket", socket}).exit_code == 0);
  for (const bool as_json : {false, true}) {
    std::vector<std::string> args{"queue", "retry", "999", "--socket", socket};
    if (as_json) args.push_back("--json");
    const auto refused = CtlFixture::run(args);
    CHECK(refused.exit_code == 1);
    CHECK(refused.output == "passgatectl: no payment operation 999\n");
  }
}

TEST_CASE("exit 2 for a usage error, before anything is asked") {
  const auto run = CtlFixture::run({"--json", "lanes", "--limit", "3"});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.output, StartsWith("passgatectl: lanes: unknown option --limit"));
  CHECK(CtlFixture::run({"status", "--timeout", "0"}).output ==
        "passgatectl: --timeout must be a number of seconds from 1 to 3600, not 0\n");
}

TEST_CASE("exit 3 when there is no socket, nobody listens, or the gate does not answer in time") {
  TempDir dir;
  const auto missing = CtlFixture::run({"status", "--socket", (dir / "none.sock").string()});
  CHECK(missing.exit_code == 3);
  CHECK_THAT(missing.output, StartsWith("passgatectl: no control socket at " + (dir / "none.sock").string()));

  DeadSocket dead(dir / "dead.sock");
  for (const std::vector<std::string>& args : {std::vector<std::string>{"lanes"}, std::vector<std::string>{"reload"},
                                                std::vector<std::string>{"lane", "1", "out-of-service"},
                                                std::vector<std::string>{"hw", "inputs", "--json"}}) {
    auto with_socket = args;
    with_socket.insert(with_socket.end(), {"--socket", (dir / "dead.sock").string()});
    const auto refused = CtlFixture::run(with_socket);
    INFO(refused.output);
    CHECK(refused.exit_code == 3);
    CHECK_THAT(refused.output, StartsWith("passgatectl: nothing listens on the control socket"));
  }

  FakeGate silent(dir / "silent.sock");
  silent.stay_silent();
  const auto hung = CtlFixture::run({"sessions", "--socket", silent.socket().string(), "--timeout", "1"});
  CHECK(hung.exit_code == 3);
  CHECK_THAT(hung.output, StartsWith("passgatectl: the gate did not answer within 1s on its control socket " +
                                     silent.socket().string()) &&
                              Contains("--timeout SECONDS waits longer"));
}

TEST_CASE("exit 3 when the config that names the socket cannot be read") {
  TempDir dir;
  const auto run = CtlFixture::run({"status", "--config", (dir / "missing.toml").string()});
  CHECK(run.exit_code == 3);
  CHECK_THAT(run.output, StartsWith("passgatectl: cannot read the config file " + (dir / "missing.toml").string()));
}

TEST_CASE("exit 1 when check-config finds problems, 0 when the file is valid") {
  CtlFixture gate;
  const auto valid = CtlFixture::run({"check-config", gate.config_file(), "--as-user", passgate::test::this_user()});
  INFO(valid.output);
  CHECK(valid.exit_code == 0);
  TempDir dir;
  std::ofstream(dir / "bad.toml") << "store_id = 42\n";
  const auto bad = CtlFixture::run({"check-config", (dir / "bad.toml").string(), "--as-user", passgate::test::this_user()});
  CHECK(bad.exit_code == 1);
  const auto as_json = CtlFixture::run(
      {"--json", "check-config", (dir / "bad.toml").string(), "--as-user", passgate::test::this_user()});
  CHECK(as_json.exit_code == 1);
  const json report = json::parse(as_json.output);
  CHECK(report.at("valid") == false);
  CHECK(report.at("problems").size() >= 1);
}
