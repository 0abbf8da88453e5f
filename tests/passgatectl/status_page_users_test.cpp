// passgatectl status-page add-user: a user's password read from standard input (no terminal)
// written as a yescrypt hash, the file's other lines and mode kept (a new file 0640), the
// password never printed; a short password or a malformed file changes nothing. And
// check-config loads [status_page]'s TLS files and users file as passgated does.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "crypto/password_hash.hpp"
#include "crypto/users_file.hpp"
#include "tests/passgatectl/ctl_fixture.hpp"
#include "tests/support/temp_dir.hpp"

using Catch::Matchers::Contains;
using passgate::test::CtlFixture;
using passgate::test::CtlRun;

namespace {

namespace fs = std::filesystem;

// `passgatectl status-page add-user USER --users-file FILE` with `password` (and a line
// break) on its standard input.
CtlRun add_user(const std::string& user, const fs::path& file, const std::string& password) {
  return CtlFixture::run({"-c", "printf '%s\\n' \"$1\" | \"$0\" status-page add-user \"$2\" --users-file \"$3\"",
                          PASSGATECTL, password, user, file.string()},
                         "/bin/sh");
}

std::string text_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool logs_in(const fs::path& file, const std::string& user, const std::string& password) {
  const auto users = passgate::crypto::UsersFile::parse(text_of(file), file.string());
  REQUIRE(users.ok());
  const auto hash = users->hash_of(user);
  return hash && passgate::crypto::password_matches(password, *hash);
}

}  // namespace

TEST_CASE("status-page add-user writes a yescrypt hash of the password read from standard input") {
  passgate::test::TempDir dir;
  const auto file = dir.path() / "status-users";
  auto run = add_user("alice", file, "alice-pass-1");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Contains("set the password of alice in " + file.string()));
  CHECK_THAT(run.output, !Contains("alice-pass-1"));
  CHECK(text_of(file).starts_with("alice:$y$"));
  CHECK(text_of(file).find("alice-pass-1") == std::string::npos);
  CHECK((fs::status(file).permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read));
  CHECK(logs_in(file, "alice", "alice-pass-1"));

  // Another user beside her, then a new password for her: her line replaced in place.
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
  REQUIRE(add_user("bob", file, "bob-pass-22").exit_code == 0);
  REQUIRE(add_user("alice", file, "alice-pass-2").exit_code == 0);
  const std::string text = text_of(file);
  CHECK(text.starts_with("alice:$y$"));
  CHECK(std::count(text.begin(), text.end(), '\n') == 2);
  CHECK(logs_in(file, "alice", "alice-pass-2"));
  CHECK_FALSE(logs_in(file, "alice", "alice-pass-1"));
  CHECK(logs_in(file, "bob", "bob-pass-22"));
  CHECK((fs::status(file).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
}

TEST_CASE("status-page add-user changes nothing for a short password, a bad name or a malformed file") {
  passgate::test::TempDir dir;
  const auto file = dir.path() / "status-users";
  auto run = add_user("alice", file, "short");
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, Contains("shorter than 8 characters; nothing changed"));
  CHECK_FALSE(fs::exists(file));

  run = add_user("al:ice", file, "long-enough-1");
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.output, Contains("\"al:ice\" is not a user name"));

  std::ofstream(file) << "alice:abJnggxhB/yWI\n";
  run = add_user("bob", file, "long-enough-1");
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, Contains(file.string() + ":1: the hash of alice is not a crypt(3) hash"));
  CHECK(text_of(file) == "alice:abJnggxhB/yWI\n");
}

TEST_CASE("check-config loads the status page's TLS files and users file, each problem with its setting") {
  CtlFixture gate;
  const auto cert = gate.dir() / "page.crt";
  const auto key = gate.dir() / "page.key";
  const auto users = gate.dir() / "status-users";
  std::ofstream(cert) << "not a certificate\n";
  std::ofstream(key) << "not a key\n";
  std::ofstream(users) << "# technicians\nalice:$y$broken\n";
  std::ofstream(gate.config_file(), std::ios::app) << "\n[status_page]\nlisten = \"0.0.0.0:9465\"\ntls_cert = \""
                                                   << cert.string() << "\"\ntls_key = \"" << key.string()
                                                   << "\"\nusers_file = \"" << users.string() << "\"\n";
  const auto run = CtlFixture::run({"check-config", "--as-user", passgate::test::this_user(), gate.config_file()});
  INFO(run.output);
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, Contains(gate.config_file() + ": status_page.tls_cert: "));
  CHECK_THAT(run.output, Contains(gate.config_file() + ": status_page.users_file: " + users.string() +
                                  ":2: the hash of alice is not a crypt(3) hash"));
  CHECK_THAT(run.output, Contains("2 problems in " + gate.config_file()));
}
