// StatusLogin: who may see the status page. No users file: everyone. With one: HTTP Basic
// checked against the crypt(3) hashes; failures logged (never the password, at most ten lines
// a second, then a summary) and limited per address, and per IPv6 /64 under a larger cap; a
// login that succeeded is not checked again, and one known before is never refused by the
// budgets; the hashing budget counts the time spent hashing (here a fake check that takes
// virtual time), in all and per client, and says when to try again; a full client table makes
// room for a new client; an unknown user is checked against a hash of the file; a reload's
// users replace the old and forget the logins of the users removed or changed only. In
// virtual time.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "common/virtual_time.hpp"
#include "crypto/password_hash.hpp"
#include "crypto/users_file.hpp"
#include "passgated/status_login.hpp"
#include "tests/status_page/basic_auth.hpp"
#include "tests/status_page/cheap_hash.hpp"
#include "tests/support/captured_log.hpp"

namespace passgate::daemon {
namespace {

using namespace std::chrono_literals;

std::string basic(const std::string& user, const std::string& password) {
  return test::basic_authorization(user, password);
}

crypto::UsersFile users_of(const std::string& text) {
  auto users = crypto::UsersFile::parse(text, "users");
  REQUIRE(users.ok());
  return std::move(*users);
}

crypto::UsersFile users_of_allowing_none(const std::string& text) {
  auto users = crypto::UsersFile::parse(text, "users", {.allow_empty = true, .replacing = {}});
  REQUIRE(users.ok());
  return std::move(*users);
}

crypto::UsersFile one_user(const std::string& user, const std::string& password) {
  return users_of(user + ":" + test::cheap_hash(password) + "\n");
}

// A password check that takes `cost` of virtual time and says whether the password is
// "correct horse", recording each hash it is asked about.
struct FakeCheck {
  FakeCheck(VirtualTime& virtual_time, Millis each) : time(virtual_time), cost(each) {}
  PasswordCheck check() {
    return [this](std::string_view password, const std::string& hash) {
      time.elapse(cost);
      hashes.push_back(hash);
      return password == "correct horse";
    };
  }
  VirtualTime& time;
  Millis cost;
  std::vector<std::string> hashes;
};

// One user "tech" whose password is "correct horse", each check taking `cost` of virtual time.
struct FakeLogin {
  explicit FakeLogin(Millis cost = 50ms) : fake(time, cost), login(one_user("tech", "x"), time, time, fake.check()) {}
  VirtualTime time;
  FakeCheck fake;
  StatusLogin login;
};

TEST_CASE("without a users file every request may see the page") {
  VirtualTime time;
  StatusLogin login(std::nullopt, time, time);
  CHECK_FALSE(login.required());
  CHECK(login.check("", "127.0.0.1") == LoginOutcome::allowed);
}

TEST_CASE("with a users file a request needs the right user and password") {
  VirtualTime time;
  test::CapturedLog log;
  StatusLogin login(one_user("tech", "correct horse"), time, time);
  CHECK(login.required());
  CHECK(login.check("", "10.0.0.9") == LoginOutcome::refused);
  CHECK(log.count("status_login_failed") == 0);  // a browser's first try, before it asks
  CHECK(login.check(basic("tech", "correct horse"), "10.0.0.9") == LoginOutcome::allowed);
  CHECK(login.check(basic("tech", "wrong horse"), "10.0.0.9") == LoginOutcome::refused);
  CHECK(login.check(basic("nobody", "correct horse"), "10.0.0.9") == LoginOutcome::refused);
  CHECK(login.check("Bearer abc", "10.0.0.9") == LoginOutcome::refused);
  CHECK(login.check("Basic not*base64", "10.0.0.9") == LoginOutcome::refused);
  CHECK(log.count("event=status_login_failed peer=10.0.0.9 user=tech failures=1") == 1);
  CHECK(log.count("user=(unknown) failures=2") == 1);  // not a user: what was typed is not logged
  CHECK(log.text().find("nobody") == std::string::npos);
  CHECK(log.text().find("horse") == std::string::npos);  // never the password
}

TEST_CASE("a failed login names the user only when it is a user of the file") {
  VirtualTime time;
  test::CapturedLog log;
  StatusLogin login(one_user("tech", "correct horse"), time, time);
  // A password typed in the user box, and a name with control characters: neither is logged.
  CHECK(login.check(basic("my-secret-pw", "x"), "10.0.0.9") == LoginOutcome::refused);
  CHECK(login.check(basic(std::string("evil\nline") + std::string(100, 'x'), "pw-is-here"), "10.0.0.9") ==
        LoginOutcome::refused);
  CHECK(log.count("event=status_login_failed peer=10.0.0.9 user=(unknown) ") == 2);
  CHECK(log.text().find("my-secret-pw") == std::string::npos);
  CHECK(log.text().find("evil") == std::string::npos);
  CHECK(log.text().find("pw-is-here") == std::string::npos);
  CHECK(login.check(basic("tech", "wrong"), "10.0.0.9") == LoginOutcome::refused);
  CHECK(log.count("event=status_login_failed peer=10.0.0.9 user=tech failures=3") == 1);
}

TEST_CASE("a client with five failed logins is limited for a minute, others are not") {
  VirtualTime time;
  test::CapturedLog log;
  StatusLogin login(one_user("tech", "correct horse"), time, time);
  for (int i = 0; i < StatusLogin::kMaxFailures; ++i) {
    CHECK(login.check(basic("tech", "guess" + std::to_string(i)), "10.0.0.66") == LoginOutcome::refused);
    time.advance(300ms);
  }
  // Even the right password is refused now, without a check.
  CHECK(login.check(basic("tech", "correct horse"), "10.0.0.66") == LoginOutcome::limited);
  CHECK(login.check(basic("tech", "guess"), "10.0.0.66") == LoginOutcome::limited);
  CHECK(log.count("event=status_login_limited peer=10.0.0.66") == 1);  // once per limit
  CHECK(log.count("event=status_login_failed peer") == StatusLogin::kMaxFailures);
  CHECK(login.check(basic("tech", "correct horse"), "10.0.0.7") == LoginOutcome::allowed);
  time.advance(StatusLogin::kFailureWindow + 1s);
  CHECK(login.check(basic("tech", "correct horse"), "10.0.0.66") == LoginOutcome::allowed);
}

TEST_CASE("each IPv6 address is limited on its own; its /64 past a larger cap only its failing addresses") {
  VirtualTime time;
  StatusLogin login(one_user("tech", "correct horse"), time, time);
  // One host of the store's LAN (every host shares its /64) fails kMaxFailures times.
  for (int i = 0; i < StatusLogin::kMaxFailures; ++i) {
    CHECK(login.check(basic("tech", "guess" + std::to_string(i)), "2001:db8:1:2::66") == LoginOutcome::refused);
    time.advance(2s);  // within the hashing budget
  }
  CHECK(login.check(basic("tech", "correct horse"), "2001:db8:1:2::66") == LoginOutcome::limited);
  // Another host of the same /64 still gets in.
  CHECK(login.check(basic("tech", "correct horse"), "2001:db8:1:2:aaaa:bbbb:cccc:dddd") == LoginOutcome::allowed);

  // A host that takes more addresses of its /64 is stopped there past kMaxNetworkFailures
  // within the window: its addresses that failed twice are limited before their own cap...
  int failed = StatusLogin::kMaxFailures;
  for (int i = 0; failed < StatusLogin::kMaxNetworkFailures + 4; ++i) {
    CHECK(login.check(basic("tech", "more" + std::to_string(i)), "2001:db8:1:2::" + std::to_string(100 + i)) ==
          LoginOutcome::refused);
    ++failed;
    time.advance(100ms);
  }
  CHECK(login.check(basic("tech", "once more"), "2001:db8:1:2::100") == LoginOutcome::refused);
  CHECK(login.check(basic("tech", "another guess"), "2001:db8:1:2::100") == LoginOutcome::limited);  // 2 of its own
  // ...but a clean address of the /64 (another host) still gets its own check.
  CHECK(login.check(basic("tech", "another guess"), "2001:db8:1:2::999") == LoginOutcome::refused);
  CHECK(login.check(basic("tech", "another guess"), "2001:db8:1:3::1") == LoginOutcome::refused);  // another /64

  for (int i = 0; i < StatusLogin::kMaxFailures; ++i) {
    CHECK(login.check(basic("tech", "guess"), "::ffff:10.0.0.5") == LoginOutcome::refused);
    time.advance(2s);
  }
  // (Not the login remembered above: that one gets in from anywhere.)
  CHECK(login.check(basic("tech", "another guess"), "10.0.0.5") == LoginOutcome::limited);
  CHECK(login.check(basic("tech", "another guess"), "10.0.0.6") == LoginOutcome::refused);
}

TEST_CASE_METHOD(FakeLogin, "a host with many addresses of the LAN's /64 cannot lock a first login of another out") {
  // Four addresses each send five headers that cost no check (malformed), then replay a failed one.
  for (int a = 0; a < 4; ++a) {
    const std::string peer = "2001:db8:1:2::" + std::to_string(a + 1);
    for (int i = 0; i < StatusLogin::kMaxFailures; ++i) CHECK(login.check("Basic !!!!", peer) == LoginOutcome::refused);
    CHECK(login.check("Basic !!!!", peer) == LoginOutcome::limited);
  }
  CHECK(fake.hashes.empty());
  // The technician's laptop, in the same /64, logs in for the first time that day.
  CHECK(login.check(basic("tech", "correct horse"), "2001:db8:1:2:aaaa::7") == LoginOutcome::allowed);
  // With the /64's failed checks going on, a clean address still gets its own check.
  for (int i = 0; i < StatusLogin::kMaxNetworkFailures; ++i) {
    (void)login.check(basic("tech", "g" + std::to_string(i)), "2001:db8:1:2::1:" + std::to_string(i));
    time.advance(5s);
  }
  CHECK(login.check(basic("tech", "correct horse"), "2001:db8:1:2:bbbb::8") == LoginOutcome::allowed);
}

TEST_CASE_METHOD(FakeLogin, "only a password check says it checked: a remembered header replayed from elsewhere does not") {
  const LoginCheck first = login.check(basic("tech", "correct horse"), "10.0.0.7");
  CHECK(first == LoginOutcome::allowed);
  CHECK(first.checked);
  const LoginCheck replayed = login.check(basic("tech", "correct horse"), "2001:db8:1:2::66");
  CHECK(replayed == LoginOutcome::allowed);
  CHECK_FALSE(replayed.checked);  // so the listener trusts no new address for it
}

struct CheapFakeLogin : FakeLogin {
  CheapFakeLogin() : FakeLogin(10ms) {}
};

TEST_CASE_METHOD(CheapFakeLogin,
                 "inside a /64 over its cap, one failure of an address's own is a 401, and the cap lapses like a bucket") {
  // Fresh addresses of the LAN's /64 guess once each, four a second: past its cap.
  for (int i = 0; i < StatusLogin::kMaxNetworkFailures + 5; ++i) {
    REQUIRE(login.check(basic("tech", "g" + std::to_string(i)), "2001:db8:1:2::1:" + std::to_string(i)) ==
            LoginOutcome::refused);
    time.advance(250ms);
  }
  // The technician mistypes once, and his browser sends that header again: a 401 each time
  // (so the browser asks), not a 429; then he types it right.
  const std::string laptop = "2001:db8:1:2:aaaa::7";
  CHECK(login.check(basic("tech", "typo"), laptop) == LoginOutcome::refused);
  CHECK(login.check(basic("tech", "typo"), laptop) == LoginOutcome::refused);
  time.advance(250ms);
  CHECK(login.check(basic("tech", "correct horse"), laptop) == LoginOutcome::allowed);
  // A guessing address that failed twice of its own is held by the /64's cap.
  CHECK(login.check(basic("tech", "again"), "2001:db8:1:2::1:0") == LoginOutcome::refused);
  CHECK(login.check(basic("tech", "again 2"), "2001:db8:1:2::1:0") == LoginOutcome::limited);
  // Failures from fresh addresses slower than the cap's rate (one every 4 s) do not keep the
  // /64 over its cap for ever: after two minutes an address failing again gets its check.
  for (int i = 0; i < 30; ++i) {
    time.advance(4s);
    REQUIRE(login.check(basic("tech", "s" + std::to_string(i)), "2001:db8:1:2::2:" + std::to_string(i)) ==
            LoginOutcome::refused);
  }
  CHECK(login.check(basic("tech", "x2"), "2001:db8:1:2::2:29") == LoginOutcome::refused);
  CHECK(login.check(basic("tech", "x3"), "2001:db8:1:2::2:29") == LoginOutcome::refused);
}

TEST_CASE_METHOD(FakeLogin, "a full client table makes room for a new client instead of refusing it") {
  // kMaxClients addresses each with a failure (malformed: no check) within the window.
  for (std::size_t i = 0; i < StatusLogin::kMaxClients; ++i) {
    const std::string peer = "10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".1";
    REQUIRE(login.check("Basic !!!!", peer) == LoginOutcome::refused);
  }
  CHECK(login.check(basic("tech", "correct horse"), "10.200.0.1") == LoginOutcome::allowed);
}

struct SlowFakeLogin : FakeLogin {
  SlowFakeLogin() : FakeLogin(2s) {}  // a hash far costlier than the bound, had one got through
};

TEST_CASE_METHOD(SlowFakeLogin,
                 "the hashing budget counts the time spent hashing: a slow check is paid for by waiting") {
  CHECK(login.check(basic("tech", "guess"), "10.1.0.1") == LoginOutcome::refused);
  // 2 s of hashing is 20 s of the budget: nobody else is checked until then, and the window
  // does not start again after the slow check.
  for (int i = 2; i < 20; ++i) {
    const LoginCheck busy = login.check(basic("tech", "guess" + std::to_string(i)), "10.1.0." + std::to_string(i));
    CHECK(busy == LoginOutcome::busy);
    CHECK(busy.retry_after == std::chrono::seconds(20 - i + 1));  // until the budget is above zero again
    time.advance(1s);
  }
  CHECK(fake.hashes.size() == 1);
  time.advance(2s);
  CHECK(login.check(basic("tech", "correct horse"), "10.1.0.99") == LoginOutcome::allowed);
  CHECK(fake.hashes.size() == 2);
}

TEST_CASE_METHOD(FakeLogin, "at most the budget's hashing time a second in all, whoever asks") {
  // kHashingBurst at once (checks start while the budget is above zero; it refills a little
  // during each), each from another client.
  int at_once = 0;
  while (login.check(basic("tech", "guess" + std::to_string(at_once)), "10.1.0." + std::to_string(at_once)) ==
         LoginOutcome::refused) {
    ++at_once;
    REQUIRE(at_once < 100);
  }
  CHECK(at_once >= StatusLogin::kHashingBurst / fake.cost);
  CHECK(at_once <= StatusLogin::kHashingBurst / fake.cost + 1);
  // Then kHashingPerSecond a second: about two 50 ms checks, however many ask.
  int checked = 0;
  for (int i = 0; i < 100; ++i) {
    time.advance(100ms);
    if (login.check(basic("tech", "try" + std::to_string(i)), "10.2.0." + std::to_string(i)) ==
        LoginOutcome::refused) {
      ++checked;
    }
  }
  const int per_second = static_cast<int>(StatusLogin::kHashingPerSecond / fake.cost);
  CHECK(checked >= 9 * per_second);
  CHECK(checked <= 12 * per_second);  // (11 s have passed, the checks' own time too)
}

TEST_CASE("one client gets only its share of the hashing budget; others still get in") {
  VirtualTime time;
  FakeCheck fake(time, 25ms);
  std::string text;
  for (const char* user : {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}) {
    text += std::string(user) + ":" + test::cheap_hash("correct horse") + "\n";
  }
  StatusLogin login(users_of(text), time, time, fake.check());
  // Logins that succeed (no failure counted): only the client's hashing share stops them, at
  // its burst (it refills a little during each check).
  int allowed = 0;
  for (const char* user : {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}) {
    if (login.check(basic(user, "correct horse"), "10.3.0.1") == LoginOutcome::allowed) ++allowed;
  }
  CHECK(allowed >= StatusLogin::kClientHashingBurst / fake.cost);
  CHECK(allowed <= StatusLogin::kClientHashingBurst / fake.cost + 1);
  CHECK(login.check(basic("j", "correct horse"), "10.3.0.2") == LoginOutcome::allowed);  // another client
  time.advance(1s);
  CHECK(login.check(basic("j", "correct horse"), "10.3.0.1") == LoginOutcome::allowed);  // remembered
  CHECK(login.check(basic("i", "correct horse"), "10.3.0.1") == LoginOutcome::allowed);  // 25 ms more
  CHECK(login.check(basic("h", "correct horse"), "10.3.0.1") == LoginOutcome::busy);
}

TEST_CASE_METHOD(FakeLogin, "a login that succeeded is not checked again until it is forgotten") {
  const std::string header = basic("tech", "correct horse");
  REQUIRE(login.check(header, "10.0.0.9") == LoginOutcome::allowed);
  // Spend the budget: a remembered login still gets in, without a check.
  for (int i = 0; i < 10; ++i) (void)login.check(basic("tech", "x" + std::to_string(i)), "10.2.0." + std::to_string(i));
  const auto checks = fake.hashes.size();
  CHECK(login.check(header, "10.0.0.9") == LoginOutcome::allowed);
  CHECK(fake.hashes.size() == checks);
}

TEST_CASE_METHOD(FakeLogin, "a login known before is never refused by the budgets or its client's failures") {
  const std::string header = basic("tech", "correct horse");
  REQUIRE(login.check(header, "2001:db8::10") == LoginOutcome::allowed);
  time.advance(StatusLogin::kRemembered + 1s);
  // An attacker limits the technician's address and, from other clients, keeps the budget spent.
  for (int i = 0; i < StatusLogin::kMaxFailures; ++i) {
    (void)login.check(basic("tech", "g" + std::to_string(i)), "2001:db8::10");
    time.advance(1s);
  }
  for (int i = 0; i < 10; ++i) (void)login.check(basic("tech", "h" + std::to_string(i)), "10.4.0." + std::to_string(i));
  CHECK(login.check(basic("tech", "g9"), "2001:db8::10") == LoginOutcome::limited);
  CHECK(login.check(basic("tech", "correct horse "), "10.4.1.1") == LoginOutcome::busy);  // never known
  const auto checks = fake.hashes.size();
  CHECK(login.check(header, "2001:db8::10") == LoginOutcome::allowed);
  CHECK(fake.hashes.size() == checks + 1);  // checked again all the same
  // Known for kKnown only.
  time.advance(StatusLogin::kKnown + 1s);
  for (int i = 0; i < 10; ++i) (void)login.check(basic("tech", "k" + std::to_string(i)), "10.5.0." + std::to_string(i));
  CHECK(login.check(header, "10.6.0.1") == LoginOutcome::busy);
}

TEST_CASE_METHOD(FakeLogin, "a header that failed fails again for a minute without a check, each time counted") {
  const std::string wrong = basic("tech", "wrong horse");
  CHECK(login.check(wrong, "10.0.0.9") == LoginOutcome::refused);
  CHECK(login.check(wrong, "10.0.0.9") == LoginOutcome::refused);  // the page's icon, with the same login
  CHECK(fake.hashes.size() == 1);
  CHECK(login.check(basic("tech", "correct horse"), "10.0.0.9") == LoginOutcome::allowed);
  time.advance(StatusLogin::kFailureWindow + 1s);
  CHECK(login.check(wrong, "10.0.0.9") == LoginOutcome::refused);
  CHECK(fake.hashes.size() == 3);
}

TEST_CASE("failed logins past ten a second are counted, and summed up in one line a second") {
  VirtualTime time;
  test::CapturedLog log;
  StatusLogin login(one_user("tech", "x"), time, time);
  // Malformed logins cost no check: only the log bounds them.
  for (int i = 0; i < 30; ++i) {
    CHECK(login.check("Basic !!!!", "10.7.0." + std::to_string(i)) == LoginOutcome::refused);
  }
  CHECK(log.count("event=status_login_failed peer") == 10);
  CHECK(log.count("status_login_failed_many") == 0);
  time.advance(1s);
  CHECK(log.count("event=status_login_failed_many failed=20 limited=0 peers=20") == 1);
  time.advance(5s);
  CHECK(log.count("status_login_failed_many") == 1);  // nothing more to say
  CHECK(login.check("Basic !!!!", "10.7.1.1") == LoginOutcome::refused);
  CHECK(log.count("event=status_login_failed peer=10.7.1.1") == 1);
}

TEST_CASE("an unknown user is checked against a hash of the file, of its users' method and cost") {
  VirtualTime time;
  FakeCheck fake(time, 1ms);
  // sha512-crypt of "correct horse" (made with libcrypt's crypt(3)).
  const std::string sha512 =
      "$6$lqPJWAbb1HCACxSd$4frmGEUfeyYvfBYMNpgWOC1S8YyPi/gh.iX6594.99ihSA48GTpScsNkNHTQi.We4AIfMo2pBc.igZ5sSqu/p0";
  StatusLogin login(users_of("alice:" + sha512 + "\n"), time, time, fake.check());
  CHECK(login.check(basic("nobody", "correct horse"), "10.8.0.1") == LoginOutcome::refused);
  REQUIRE(fake.hashes.size() == 1);
  CHECK(fake.hashes[0] == sha512);
}

TEST_CASE_METHOD(FakeLogin, "a reload forgets the logins of users removed or changed, and keeps the others'") {
  crypto::UsersFile before = users_of("tech:" + test::cheap_hash("x") + "\nana:" + test::cheap_hash("y") + "\nbob:" +
                                      test::cheap_hash("z") + "\n");
  std::string kept_line = "tech:" + *before.hash_of("tech") + "\n";
  CHECK(login.replace_users(before).changed);
  const std::string tech = basic("tech", "correct horse");
  const std::string ana = basic("ana", "correct horse");
  const std::string bob = basic("bob", "correct horse");
  // (Each from its own address, each check within the budgets.)
  REQUIRE(login.check(tech, "10.0.0.1") == LoginOutcome::allowed);
  REQUIRE(login.check(ana, "10.0.0.2") == LoginOutcome::allowed);
  REQUIRE(login.check(bob, "10.0.0.3") == LoginOutcome::allowed);
  CHECK(login.check(tech, "10.0.0.1").user == "tech");
  const std::string wrong_carl = basic("carl", "correct horse");
  CHECK(login.check(wrong_carl, "10.0.0.8") == LoginOutcome::refused);  // no such user yet

  // The same file again changes nothing and forgets nothing.
  const UsersChange same = login.replace_users(users_of(kept_line + "ana:" + *before.hash_of("ana") + "\nbob:" +
                                                        *before.hash_of("bob") + "\n"));
  CHECK_FALSE(same.changed);
  CHECK(same.gone.empty());
  auto checks = fake.hashes.size();
  CHECK(login.check(tech, "10.0.0.1") == LoginOutcome::allowed);
  CHECK(login.check(ana, "10.0.0.2") == LoginOutcome::allowed);
  CHECK(login.check(bob, "10.0.0.3") == LoginOutcome::allowed);
  CHECK(fake.hashes.size() == checks);  // still remembered: no check

  // ana removed, bob given another hash, carl added, tech unchanged.
  const UsersChange change = login.replace_users(
      users_of(kept_line + "bob:" + test::cheap_hash("w") + "\ncarl:" + test::cheap_hash("v") + "\n"));
  CHECK(change.changed);
  CHECK(change.gone == std::vector<std::string>{"ana", "bob"});
  time.advance(10s);  // every budget whole again
  checks = fake.hashes.size();
  CHECK(login.check(tech, "10.0.0.1") == LoginOutcome::allowed);
  CHECK(fake.hashes.size() == checks);  // kept: no check
  CHECK(login.check(ana, "10.0.0.2") == LoginOutcome::refused);
  CHECK(login.check(bob, "10.0.0.3") == LoginOutcome::allowed);  // checked again against the new hash
  CHECK(fake.hashes.size() == checks + 2);
  CHECK(login.check(wrong_carl, "10.0.0.8") == LoginOutcome::allowed);  // its failure forgotten with the change

  // A file without users: nobody gets in, not even a remembered login.
  const UsersChange emptied = login.replace_users(users_of_allowing_none(""));
  CHECK(emptied.gone == std::vector<std::string>{"bob", "carl", "tech"});
  time.advance(10s);
  CHECK(login.check(tech, "10.0.0.1") == LoginOutcome::refused);

  StatusLogin open_page(std::nullopt, time, time);
  CHECK_FALSE(open_page.replace_users(users_of("tech:" + test::cheap_hash("x") + "\n")).changed);
  CHECK_FALSE(open_page.required());
}

TEST_CASE("addresses guessing at the whole hashing budget leave part of it to a first login") {
  VirtualTime time;
  FakeCheck fake(time, 100ms);
  StatusLogin login(one_user("tech", "x"), time, time, fake.check());
  // A dozen addresses poll for the budget every 10 ms, each with a new guess, always first.
  int guess = 0;
  const auto guessers_poll = [&] {
    for (int a = 0; a < 12; ++a) {
      (void)login.check(basic("tech", "guess" + std::to_string(guess++)), "10.9.0." + std::to_string(a));
    }
  };
  // For 20 s: each has failed within the last minute by then (a check a second in all).
  for (int i = 0; i < 2000; ++i) {
    guessers_poll();
    time.advance(10ms);
  }
  REQUIRE(fake.hashes.size() >= 12);
  // A technician's first login gets in within a second or so, however the guessers poll.
  bool allowed = false;
  for (int i = 0; i < 200 && !allowed; ++i) {
    guessers_poll();
    allowed = login.check(basic("tech", "correct horse"), "10.9.1.1") == LoginOutcome::allowed;
    time.advance(10ms);
  }
  CHECK(allowed);
}

}  // namespace
}  // namespace passgate::daemon
