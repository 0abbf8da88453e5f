// StatusLogin: who may see the status page. No users file: everyone. With one: HTTP Basic
// checked against the crypt(3) hashes; failures logged (never the password) and limited per
// client address; a login that succeeded is not checked again; a global cap on hash checks.
// In virtual time.
#include <catch2/catch.hpp>

#include <string>

#include "common/virtual_time.hpp"
#include "crypto/password_hash.hpp"
#include "crypto/users_file.hpp"
#include "passgated/status_login.hpp"
#include "tests/status_page/basic_auth.hpp"
#include "tests/support/captured_log.hpp"

namespace passgate::daemon {
namespace {

using namespace std::chrono_literals;

std::string basic(const std::string& user, const std::string& password) {
  return test::basic_authorization(user, password);
}

crypto::UsersFile one_user(const std::string& user, const std::string& password) {
  auto hash = crypto::hash_password(password);
  REQUIRE(hash.ok());
  auto users = crypto::UsersFile::parse(user + ":" + *hash + "\n", "users");
  REQUIRE(users.ok());
  return std::move(*users);
}

TEST_CASE("without a users file every request may see the page") {
  VirtualTime time;
  StatusLogin login(std::nullopt, time);
  CHECK_FALSE(login.required());
  CHECK(login.check("", "127.0.0.1") == LoginOutcome::allowed);
}

TEST_CASE("with a users file a request needs the right user and password") {
  VirtualTime time;
  test::CapturedLog log;
  StatusLogin login(one_user("tech", "correct horse"), time);
  CHECK(login.required());
  CHECK(login.check("", "10.0.0.9") == LoginOutcome::refused);
  CHECK(log.count("status_login_failed") == 0);  // a browser's first try, before it asks
  CHECK(login.check(basic("tech", "correct horse"), "10.0.0.9") == LoginOutcome::allowed);
  CHECK(login.check(basic("tech", "wrong horse"), "10.0.0.9") == LoginOutcome::refused);
  CHECK(login.check(basic("nobody", "correct horse"), "10.0.0.9") == LoginOutcome::refused);
  CHECK(login.check("Bearer abc", "10.0.0.9") == LoginOutcome::refused);
  CHECK(login.check("Basic not*base64", "10.0.0.9") == LoginOutcome::refused);
  CHECK(log.count("event=status_login_failed peer=10.0.0.9 user=tech failures=1") == 1);
  CHECK(log.count("user=nobody failures=2") == 1);
  CHECK(log.text().find("horse") == std::string::npos);  // never the password
}

TEST_CASE("a logged user name is cut and stripped of control characters") {
  VirtualTime time;
  test::CapturedLog log;
  StatusLogin login(one_user("tech", "correct horse"), time);
  CHECK(login.check(basic(std::string("evil\nline") + std::string(100, 'x'), "pw-is-here"), "10.0.0.9") ==
        LoginOutcome::refused);
  CHECK(log.text().find("evil\nline") == std::string::npos);
  CHECK(log.count("user=evil?line" + std::string(23, 'x') + " ") == 1);
  CHECK(log.text().find("pw-is-here") == std::string::npos);
}

TEST_CASE("an address with five failed logins is limited for a minute, others are not") {
  VirtualTime time;
  test::CapturedLog log;
  StatusLogin login(one_user("tech", "correct horse"), time);
  for (int i = 0; i < StatusLogin::kMaxFailures; ++i) {
    CHECK(login.check(basic("tech", "guess" + std::to_string(i)), "10.0.0.66") == LoginOutcome::refused);
    time.advance(300ms);  // under the global cap
  }
  // Even the right password is refused now, without a check.
  CHECK(login.check(basic("tech", "correct horse"), "10.0.0.66") == LoginOutcome::limited);
  CHECK(login.check(basic("tech", "guess"), "10.0.0.66") == LoginOutcome::limited);
  CHECK(log.count("event=status_login_limited peer=10.0.0.66") == 1);  // once per limit
  CHECK(log.count("event=status_login_failed") == StatusLogin::kMaxFailures);
  CHECK(login.check(basic("tech", "correct horse"), "10.0.0.7") == LoginOutcome::allowed);
  time.advance(StatusLogin::kFailureWindow + 1s);
  CHECK(login.check(basic("tech", "correct horse"), "10.0.0.66") == LoginOutcome::allowed);
}

TEST_CASE("at most four hash checks a second in all, whoever asks") {
  VirtualTime time;
  StatusLogin login(one_user("tech", "correct horse"), time);
  for (int i = 0; i < StatusLogin::kChecksPerSecond; ++i) {
    CHECK(login.check(basic("tech", "guess"), "10.1.0." + std::to_string(i)) == LoginOutcome::refused);
  }
  CHECK(login.check(basic("tech", "correct horse"), "10.1.0.99") == LoginOutcome::limited);
  time.advance(1s);
  CHECK(login.check(basic("tech", "correct horse"), "10.1.0.99") == LoginOutcome::allowed);
}

TEST_CASE("a login that succeeded is not checked again until it is forgotten") {
  VirtualTime time;
  StatusLogin login(one_user("tech", "correct horse"), time);
  const std::string header = basic("tech", "correct horse");
  REQUIRE(login.check(header, "10.0.0.9") == LoginOutcome::allowed);
  // Spend the second's checks: a remembered login still gets in.
  for (int i = 0; i < StatusLogin::kChecksPerSecond; ++i) (void)login.check(basic("tech", "x"), "10.2.0.1");
  CHECK(login.check(header, "10.0.0.9") == LoginOutcome::allowed);
  time.advance(StatusLogin::kRemembered + 1s);
  for (int i = 0; i < StatusLogin::kChecksPerSecond; ++i) (void)login.check(basic("tech", "x"), "10.2.0.2");
  CHECK(login.check(header, "10.0.0.9") == LoginOutcome::limited);  // checked again, over the cap
}

}  // namespace
}  // namespace passgate::daemon
