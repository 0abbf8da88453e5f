// passgatectl check-config loads what passgated loads at start-up (key set, API key, sealing
// keys, TLS files) through the same code, so a config it calls valid starts, and it checks
// them as the service user: a file that user cannot read is a problem too.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <vector>

#include "tests/passgatectl/ctl_fixture.hpp"
#include "tests/support/minimal_gate_config.hpp"

using Catch::Matchers::Contains;
using passgate::test::CtlFixture;
using passgate::test::CtlRun;

namespace {

namespace fs = std::filesystem;

void write(const fs::path& file, const std::string& content) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
}

std::string read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

CtlRun check_config(const CtlFixture& gate) {
  return CtlFixture::run({"check-config", "--as-user", passgate::test::this_user(), gate.config_file()});
}

// One problem, naming the setting and the file.
void check_refused(const CtlFixture& gate, const std::string& setting, const fs::path& file, const std::string& why) {
  const auto run = check_config(gate);
  INFO(run.output);
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, Contains(gate.config_file() + ": " + setting + ": " + file.string()) && Contains(why) &&
                             Contains("1 problem in " + gate.config_file()));
  CHECK_THAT(run.output, !Contains(" is valid"));
}

}  // namespace

TEST_CASE("check-config passes the config a gate starts with, saying as whom it checked") {
  CtlFixture gate;
  const auto run = check_config(gate);
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.output, Contains(gate.config_file() + " is valid (checked as user " + passgate::test::this_user() + ")"));
}

TEST_CASE("check-config refuses each key file passgated would refuse") {
  struct Spoiled {
    const char* file;
    const char* setting;
    std::function<void(const fs::path&)> spoil;
    const char* why;
  };
  const auto content = [](std::string text) { return [text](const fs::path& f) { write(f, text); }; };
  const auto one_gigabyte = [](const fs::path& f) { REQUIRE(::truncate(f.c_str(), 1LL << 30) == 0); };  // sparse
  const auto private_key = [](const fs::path& f) {
    write(f, passgate::test::replaced(read(f), "\"kid\":", "\"d\":\"c2VjcmV0\",\"kid\":"));
  };
  const std::vector<Spoiled> cases{
      {"keys.jwks.json", "tokens.keyset", content("this is not a key set\n"), "not valid JSON"},
      {"keys.jwks.json", "tokens.keyset", private_key, "private member \"d\""},
      {"keys.jwks.json", "tokens.keyset", content(R"({"keys": []})"), "the key set is empty"},
      {"keys.jwks.json", "tokens.keyset", one_gigabyte, "not a key or key set file"},
      {"gateway.key", "payments.api_key_file", content(""), "is empty"},
      {"gateway.key", "payments.api_key_file", content("sk_test_one\nsk_test_two\n"), "line break"},
      {"gateway.key", "payments.api_key_file", one_gigabyte, "more than the 65536 a secret may have"},
  };
  for (const auto& c : cases) {
    INFO(c.file << ": " << c.why);
    CtlFixture gate;
    const auto file = gate.dir() / c.file;
    c.spoil(file);
    check_refused(gate, c.setting, file, c.why);
  }
}

TEST_CASE("check-config refuses a CA bundle without a certificate for an https service") {
  CtlFixture gate;
  const auto ca = gate.dir() / "ca.pem";
  write(ca, "");
  std::string text = read(gate.config_file());
  const std::string url = "base_url = \"http://127.0.0.1:";
  const auto at = text.find(url);
  REQUIRE(at != std::string::npos);
  text.replace(at, url.size(), "ca_bundle = \"ca.pem\"\nbase_url = \"https://127.0.0.1:");
  write(gate.config_file(), text);
  const auto run = check_config(gate);
  INFO(run.output);
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, Contains("tracking engine: cannot use CA bundle " + ca.string()) &&
                             Contains("holds no certificate"));
}

TEST_CASE("check-config as the service user reports each file that user cannot read") {
  if (::geteuid() != 0) {
    WARN("not run: checking as another user needs root");
    return;
  }
  CtlFixture gate;
  const std::string user = "nobody";
  // Everything belongs to the service user, as install.md says, but the sealing key.
  fs::permissions(gate.dir(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  for (const auto* name : {"gate.toml", "keys.jwks.json", "gateway.key"}) {
    REQUIRE(::chown((gate.dir() / name).c_str(), 65534, 65534) == 0);
  }
  const auto seal = gate.dir() / "seal.key";

  const auto as_root = CtlFixture::run({"check-config", "--as-user", "root", gate.config_file()});
  INFO(as_root.output);
  CHECK(as_root.exit_code == 0);

  const auto run = CtlFixture::run({"check-config", "--as-user", user, gate.config_file()});
  INFO(run.output);
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, Contains(gate.config_file() + ": payments.seal_key_file: " + seal.string()) &&
                             Contains("Permission denied") && Contains("1 problem in " + gate.config_file()) &&
                             Contains("(checked as user nobody)"));
}

TEST_CASE("check-config as another user needs root, and the user must exist") {
  CtlFixture gate;
  const auto unknown = CtlFixture::run({"check-config", "--as-user", "no-such-user-here", gate.config_file()});
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.output, Contains("there is no user \"no-such-user-here\""));
}
