// The example configs shipped in config/ pass, once the files they refer to exist: the
// test moves their /etc, /var and /run paths under a temp dir and creates those files (the
// gateway API key and payment sealing key with mode 0600, the sealing key 32 bytes). The
// operators' group the packaged example names is the one the package creates at install;
// the test, which runs where the package is not installed, names its own group instead.
#include <catch2/catch.hpp>

#include <grp.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "controller/config/config.hpp"
#include "controller/config/summary.hpp"
#include "tests/config/config_fixture.hpp"

using passgate::controller::format_problem;
using passgate::controller::load_config;
using passgate::test::ConfigFixture;

namespace {

std::string read_example(const std::string& name) {
  std::ifstream in(std::string(PASSGATE_SOURCE_DIR) + "/config/" + name);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The example with its absolute paths moved under `root`.
std::string rooted(std::string text, const std::string& root) {
  for (const std::string top : {"\"/etc/", "\"/var/", "\"/run/"}) {
    for (auto at = text.find(top); at != std::string::npos; at = text.find(top, at + root.size())) {
      text.insert(at + 1, root);
    }
  }
  return text;
}

constexpr std::string_view kOperatorsGroup = "\"passgate-operators\"";

// This process's group: a group that exists here, as the package's does once installed.
std::string own_group() {
  const group* own = ::getgrgid(::getegid());
  REQUIRE(own != nullptr);
  return own->gr_name;
}

// The example with the package's operators' group replaced by one that exists here.
std::string with_own_group(std::string text) {
  if (const auto at = text.find(kOperatorsGroup); at != std::string::npos) {
    text.replace(at, kOperatorsGroup.size(), "\"" + own_group() + "\"");
  }
  return text;
}

std::string check_example(const ConfigFixture& fx, const std::string& name) {
  for (const auto* file : {"etc/passgate/issuer-keys.jwks.json", "etc/passgate/tracking-ca.pem",
                           "etc/passgate/gate.crt", "etc/passgate/gate.key"}) {
    fx.create_file(file);
  }
  fx.create_secret("etc/passgate/gateway-api.key", "rk_test_gate\n");
  fx.create_secret("etc/passgate/payment-seal.key", std::string(32, 's'));
  std::filesystem::create_directories(fx.dir() / "var/lib/passgate");
  std::ofstream(fx.file()) << with_own_group(rooted(read_example(name), fx.dir().string()));
  const auto load = load_config(fx.file());
  for (const auto& problem : load.problems) UNSCOPED_INFO(format_problem(problem));
  CHECK(load.problems.empty());
  REQUIRE(load.config);
  return passgate::controller::summarize_config(*load.config);
}

}  // namespace

TEST_CASE("the sim example config passes") {
  ConfigFixture fx;
  CHECK(check_example(fx, "passgate.example.toml") ==
        "Store store-0042, gate gate-a: 2 lanes (lane 1 entry, lane 2 exit), I/O backend sim (rig socket " +
            fx.dir().string() + "/run/passgate/rig.sock), tracking engine https://tracking.store.local:8443, offline "
                                "policy deny, payment gateway https://api.stripe.com (USD, no pre-authorization hold).");
}

TEST_CASE("the gpiod example config passes") {
  ConfigFixture fx;
  CHECK(check_example(fx, "passgate.gpiod.example.toml") ==
        "Store store-0042, gate gate-a: 2 lanes (lane 1 entry, lane 2 exit), I/O backend gpiod (16 lines), tracking "
        "engine https://tracking.store.local:8443, offline policy admit (at most 60 admissions per hour), payment gateway "
        "https://api.stripe.com (USD, pre-authorization hold 50.00 USD).");
}

TEST_CASE("the packaged example gives the control socket to the operators' group the package creates") {
  ConfigFixture fx;
  check_example(fx, "passgate.gpiod.example.toml");
  const auto load = load_config(fx.file());
  REQUIRE(load.config);
  CHECK(load.config->control.group == own_group());  // the line below, with this machine's group
  CHECK(read_example("passgate.gpiod.example.toml").find("\ngroup = " + std::string(kOperatorsGroup) + "\n") !=
        std::string::npos);
  std::ifstream postinst(std::string(PASSGATE_SOURCE_DIR) + "/cmake/debian/postinst");
  std::stringstream script;
  script << postinst.rdbuf();
  CHECK(script.str().find("addgroup --quiet --system passgate-operators") != std::string::npos);
}

TEST_CASE("as shipped, the examples lack nothing but their files in /etc/passgate and /var/lib/passgate") {
  for (const auto* name : {"passgate.example.toml", "passgate.gpiod.example.toml"}) {
    CAPTURE(name);
    ConfigFixture fx;
    std::ofstream(fx.file()) << with_own_group(read_example(name));
    const auto load = load_config(fx.file());
    for (const auto& problem : load.problems) {
      CHECK((problem.message.find("/etc/passgate/") != std::string::npos ||
             problem.message.find("/var/lib/passgate") != std::string::npos));
    }
  }
}
