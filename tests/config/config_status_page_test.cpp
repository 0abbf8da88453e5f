// [status_page]: on by default at 127.0.0.1:9465 without TLS or login; TLS files and a users
// file read (each must exist); off loopback only with all three; a users file only with TLS;
// a certificate only with its key. Each problem at its line.
#include <catch2/catch.hpp>

#include "tests/config/config_fixture.hpp"

using passgate::test::ConfigFixture;
using passgate::test::kMinimalConfig;

namespace {

// [status_page] is on line 32, its first key on line 33.
std::string with_status_page(const std::string& keys) {
  return std::string(kMinimalConfig) + "\n[status_page]\n" + keys;
}

const std::string kTlsAndUsers = "tls_cert = \"page.crt\"\ntls_key = \"page.key\"\nusers_file = \"status-users\"\n";

}  // namespace

TEST_CASE("the status page is on, at 127.0.0.1:9465, without TLS or login, by default") {
  ConfigFixture fx;
  const auto load = fx.parse(kMinimalConfig);
  REQUIRE(load.config);
  const auto& page = load.config->status_page;
  CHECK(page.enabled);
  CHECK(page.address == "127.0.0.1");
  CHECK(page.port == 9465);
  CHECK(page.tls_cert.empty());
  CHECK(page.users_file.empty());
}

TEST_CASE("off loopback the status page is served with TLS files and a users file, each read next to the config") {
  ConfigFixture fx;
  for (const auto* file : {"page.crt", "page.key", "status-users"}) fx.create_file(file);
  const auto load = fx.parse(with_status_page("listen = \"0.0.0.0:8443\"\n" + kTlsAndUsers));
  REQUIRE(load.config);
  const auto& page = load.config->status_page;
  CHECK(page.address == "0.0.0.0");
  CHECK(page.port == 8443);
  CHECK(page.tls_cert == fx.dir() / "page.crt");
  CHECK(page.tls_key == fx.dir() / "page.key");
  CHECK(page.users_file == fx.dir() / "status-users");
}

TEST_CASE("off loopback without TLS and a users file the status page's address is refused at its line") {
  ConfigFixture fx;
  for (const std::string address : {"0.0.0.0:9465", "192.168.1.20:9465", "[::]:9465"}) {
    INFO(address);
    const auto problems = fx.problems(with_status_page("listen = \"" + address + "\"\n"));
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("gate.toml:33:10: status_page.listen is \"" + address + "\"") == 0);
    CHECK(problems[0].find("needs HTTPS and a login (set tls_cert, tls_key and users_file)") != std::string::npos);
  }
}

TEST_CASE("a users file needs TLS, a certificate its key, and each file must exist") {
  ConfigFixture fx;
  fx.create_file("status-users");
  fx.create_file("page.crt");
  auto problems = fx.problems(with_status_page("users_file = \"status-users\"\n"));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("gate.toml:33:14: status_page.users_file is set without TLS") == 0);
  problems = fx.problems(with_status_page("tls_cert = \"page.crt\"\n"));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("status_page.tls_cert is set but status_page.tls_key is not") != std::string::npos);
  problems = fx.problems(with_status_page("tls_cert = \"page.crt\"\ntls_key = \"missing.key\"\n"));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("gate.toml:34:11: ") == 0);
  CHECK(problems[0].find("missing.key") != std::string::npos);
}

TEST_CASE("a malformed status page listen value says what is wrong, and unknown keys are problems") {
  ConfigFixture fx;
  auto problems = fx.problems(with_status_page("listen = \"localhost:9465\"\nenabled = 1\nuser_file = \"x\"\n"));
  REQUIRE(problems.size() == 3);
  CHECK(problems[0].find("gate.toml:33:10: status_page.listen is \"localhost:9465\", which has \"localhost\", not an "
                         "IP address") == 0);
  CHECK(problems[1].find(":34:") != std::string::npos);
  CHECK(problems[2].find("did you mean \"users_file\"") != std::string::npos);
}
