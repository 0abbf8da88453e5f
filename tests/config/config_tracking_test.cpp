// The tracking engine's URL and TLS files: https anywhere, http only to loopback, a client
// certificate only with its key.
#include <catch2/catch.hpp>

#include "tests/config/config_fixture.hpp"

using passgate::test::ConfigFixture;
using passgate::test::kMinimalConfig;
using passgate::test::replaced;
using Problems = std::vector<std::string>;

namespace {

const std::string kUrlLine = "base_url = \"http://127.0.0.1:8080\"";

std::string with_url(std::string_view url) {
  return replaced(kMinimalConfig, kUrlLine, "base_url = \"" + std::string(url) + "\"");
}

}  // namespace

TEST_CASE("plain http to a loopback host is accepted, and a trailing slash is dropped") {
  ConfigFixture fx;
  for (const auto* url : {"http://127.0.0.1:8080", "http://127.1.2.3", "http://localhost:9000", "http://[::1]:8080"}) {
    CAPTURE(url);
    CHECK(fx.problems(with_url(url)).empty());
  }
  const auto load = fx.parse(with_url("https://tracking.store.local:8443/engine/"));
  REQUIRE(load.config);
  CHECK(load.config->tracking.base_url == "https://tracking.store.local:8443/engine");
}

TEST_CASE("plain http to another host is reported") {
  ConfigFixture fx;
  CHECK(fx.problems(with_url("http://10.0.0.5:8080")) ==
        Problems{"gate.toml:23:12: tracking.base_url is \"http://10.0.0.5:8080\", plain http is allowed only to a "
                 "loopback host (127.0.0.0/8, ::1, localhost), expected an https:// URL"});
}

TEST_CASE("a malformed URL says what is wrong with it") {
  ConfigFixture fx;
  const std::string prefix = "gate.toml:23:12: tracking.base_url is ";
  const std::string suffix = ", expected a URL such as \"https://tracking.store.local:8443\"";
  CHECK(fx.problems(with_url("tracking.store.local")) ==
        Problems{prefix + "\"tracking.store.local\", which does not start with http:// or https://" + suffix});
  CHECK(fx.problems(with_url("ftp://tracking")) ==
        Problems{prefix + "\"ftp://tracking\", whose scheme ftp:// is neither http:// nor https://" + suffix});
  CHECK(fx.problems(with_url("https://:8443")) == Problems{prefix + "\"https://:8443\", which has no host" + suffix});
  CHECK(fx.problems(with_url("https://tracking:99999")) ==
        Problems{prefix + "\"https://tracking:99999\", whose port \"99999\" is not a number from 1 to 65535" + suffix});
  CHECK(fx.problems(with_url("https://tracking/v1?x=1")) ==
        Problems{prefix + "\"https://tracking/v1?x=1\", which has a query or fragment" + suffix});
  CHECK(fx.problems(with_url("https://user@tracking")) ==
        Problems{prefix + "\"https://user@tracking\", which has user information before the host" + suffix});
  CHECK(fx.problems(with_url("https://track_ing")) ==
        Problems{prefix + "\"https://track_ing\", whose host \"track_ing\" has characters a host name cannot have" +
                 suffix});
  CHECK(fx.problems(with_url("https://[::1")) == Problems{prefix + "\"https://[::1\", whose IPv6 address has no closing ]" + suffix});
}

TEST_CASE("a client certificate without its key, or a key without its certificate, is reported") {
  ConfigFixture fx;
  fx.create_file("gate.crt");
  fx.create_file("gate.key");
  CHECK(fx.problems(replaced(kMinimalConfig, kUrlLine, kUrlLine + "\nclient_cert = \"gate.crt\"")) ==
        Problems{"gate.toml:24:15: tracking.client_cert is set but tracking.client_key is not, expected both or neither"});
  CHECK(fx.problems(replaced(kMinimalConfig, kUrlLine, kUrlLine + "\nclient_key = \"gate.key\"")) ==
        Problems{"gate.toml:24:14: tracking.client_key is set but tracking.client_cert is not, expected both or neither"});
  const auto load = fx.parse(replaced(kMinimalConfig, kUrlLine,
                                      kUrlLine + "\nclient_cert = \"gate.crt\"\nclient_key = \"gate.key\""));
  REQUIRE(load.config);
  CHECK(load.config->tracking.client_cert == fx.dir() / "gate.crt");
  CHECK(load.config->tracking.client_key == fx.dir() / "gate.key");
}

TEST_CASE("tracking timeouts are read and range-checked") {
  ConfigFixture fx;
  const auto load = fx.parse(replaced(kMinimalConfig, kUrlLine, kUrlLine + "\nentry_timeout_ms = 300\nrequest_timeout_ms = 2000"));
  REQUIRE(load.config);
  CHECK(load.config->tracking.entry_timeout == std::chrono::milliseconds(300));
  CHECK(load.config->tracking.request_timeout == std::chrono::milliseconds(2000));
  CHECK(fx.problems(replaced(kMinimalConfig, kUrlLine, kUrlLine + "\nentry_timeout_ms = 10")) ==
        Problems{"gate.toml:24:20: tracking.entry_timeout_ms is 10, expected an integer from 50 to 5000"});
}
