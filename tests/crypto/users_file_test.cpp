// The status page's users file and its crypt(3) hashes: yescrypt hashes made and checked,
// sha512-crypt and bcrypt checked, weak or malformed hashes and lines refused at their line;
// hashes that would hold the event loop too long (their parameters read, never hashed at
// their cost) or of another method refused naming the file, line and user and what to do;
// the decoy of unknown users taken from the file; a user's password set again in place.
#include <catch2/catch.hpp>

#include <string>

#include "crypto/password_hash.hpp"
#include "crypto/users_file.hpp"

namespace passgate::crypto {
namespace {

// sha512-crypt of "correct horse" (made with libcrypt's crypt(3)).
constexpr const char* kSha512 =
    "$6$lqPJWAbb1HCACxSd$4frmGEUfeyYvfBYMNpgW"
    "OC1S8YyPi/gh.iX6594.99ihSA48GTpScsNkNHTQi.We4AIfMo2pBc.igZ5sSqu/p0";

TEST_CASE("a new password hash is yescrypt and matches only its password") {
  const auto hash = hash_password("correct horse");
  REQUIRE(hash.ok());
  CHECK(hash->starts_with("$y$"));
  CHECK(hash->find("correct") == std::string::npos);
  CHECK(password_matches("correct horse", *hash));
  CHECK_FALSE(password_matches("correct horsE", *hash));
  CHECK_FALSE(password_matches(std::string("correct horse\0x", 15), *hash));
  const auto again = hash_password("correct horse");
  REQUIRE(again.ok());
  CHECK(*again != *hash);  // a fresh salt each time
}

// Of "pw", with libcrypt's crypt(3): yescrypt N=1024 r=8, and bcrypt cost 4.
constexpr const char* kCheapYescrypt = "$y$j75$DRNetLs6YjhiieQxYUiA./$L0mstwg1sGTXzviY0MfaKMwmeCxxTU1j73V3fe.X6./";
constexpr const char* kBcrypt4 = "$2b$04$dmG2PkSa92pmDZymN399beLJazcyJdm1gjjWJOFOt6uGJKv9Q6hEu";

// `hash` with its parameters (what follows the method's "$id$" up to the next '$') replaced.
std::string with_parameters(const std::string& hash, const std::string& parameters) {
  const auto start = hash.find('$', 1) + 1;
  return hash.substr(0, start) + parameters + hash.substr(hash.find('$', start));
}

bool is_crypt_hash(const std::string& hash) { return check_crypt_hash(hash).ok(); }

TEST_CASE("weak, locked or malformed hashes never match") {
  CHECK(is_crypt_hash(kSha512));
  CHECK(is_crypt_hash(kCheapYescrypt));
  CHECK(is_crypt_hash(kBcrypt4));
  CHECK(password_matches("pw", kCheapYescrypt));
  CHECK(password_matches("pw", kBcrypt4));
  CHECK_FALSE(is_crypt_hash("abJnggxhB/yWI"));  // DES
  CHECK_FALSE(is_crypt_hash("!"));
  CHECK_FALSE(is_crypt_hash("*"));
  CHECK_FALSE(is_crypt_hash(""));
  CHECK_FALSE(is_crypt_hash("$y$broken"));
  CHECK_FALSE(is_crypt_hash("$y$j75$DRNet$L0mstwg1sGTXzviY0MfaKMwmeCxxTU1j73V3fe.X6./"));  // a salt it cannot read
  CHECK_FALSE(is_crypt_hash(std::string(kCheapYescrypt).substr(0, 60)));                // its digest cut
  CHECK_FALSE(is_crypt_hash(std::string(kBcrypt4).substr(0, 50)));
  CHECK_FALSE(is_crypt_hash(with_parameters(kBcrypt4, "03")));
  CHECK_FALSE(is_crypt_hash(std::string(kSha512).substr(0, 60)));  // its digest cut
  CHECK_FALSE(is_crypt_hash("$6$rounds=999$" + std::string(kSha512).substr(3)));
  CHECK_FALSE(password_matches("", ""));
  CHECK_FALSE(password_matches("anything", "!$y$j9T$abc"));
}

TEST_CASE("a hash is read for its cost, and one costing much more than passgatectl's is refused unhashed") {
  const auto made = hash_password("correct horse");
  REQUIRE(made.ok());
  const auto setting = check_crypt_hash(*made);
  REQUIRE(setting.ok());
  CHECK(setting->method == "yescrypt");
  CHECK(setting->cost == "N=4096 r=32");
  const auto refused = [](const std::string& hash, const std::string& code, const std::string& says) {
    const auto checked = check_crypt_hash(hash);
    REQUIRE_FALSE(checked.ok());
    INFO(checked.error().message);
    CHECK(checked.error().code == code);
    CHECK(checked.error().message.find(says) != std::string::npos);
  };
  // Twice passgatectl's is the bound; each of these would take seconds to check, so they are
  // refused without hashing at their cost (their digests are not even theirs).
  CHECK(check_crypt_hash(with_parameters(*made, "jAT"))->cost == "N=8192 r=32");
  refused(with_parameters(*made, "jBT"), "too_costly", "costs too much to check on the event loop (yescrypt N=16384 "
                                                       "r=32; at most N*r=262144)");
  refused(with_parameters(*made, "jFT"), "too_costly", "yescrypt N=262144 r=32");
  refused(with_parameters(*made, "jj5"), "too_costly", "yescrypt N=2^48 r=8");
  CHECK(check_crypt_hash(with_parameters(kBcrypt4, "11"))->cost == "cost 11");
  refused(with_parameters(kBcrypt4, "12"), "too_costly", "(bcrypt cost 12; at most cost 11)");
  refused(with_parameters(kBcrypt4, "31"), "too_costly", "(bcrypt cost 31; at most cost 11)");
  CHECK(check_crypt_hash(kSha512)->cost == "rounds=5000");
  CHECK(check_crypt_hash("$6$rounds=300000$" + std::string(kSha512).substr(3))->cost == "rounds=300000");
  refused("$6$rounds=20000000$" + std::string(kSha512).substr(3), "too_costly",
          "(sha512-crypt rounds=20000000; at most rounds=300000)");
  // yescrypt's other parameters (here t=1) and other methods are not read: refused.
  refused(with_parameters(*made, "j9T/."), "unsupported", "parameters besides N and r");
  refused("$7$CU..../....HwYlefhCowc.ZEcgp9vf1/$DfXQY0Hzv3wdpDtUNbyoKQMk53YEAo5SIMitI1lfhB6", "unsupported",
          "uses a method the status page does not take");
  refused("$gy$j75$kxeMsMoQCd7jL7buOXK3/.$4aCB9oqUwxh3UfJgZ2nx6lnEg9rNZ7QLVCYcMZ9Jsz3", "unsupported",
          "uses a method the status page does not take");
}

TEST_CASE("a users file with a costly hash is refused at its line, naming the user and what to do") {
  const std::string costly = with_parameters(kBcrypt4, "15");
  const auto users = UsersFile::parse("# team\nalice:" + std::string(kSha512) + "\nbob:" + costly + "\n", "users");
  REQUIRE_FALSE(users.ok());
  CHECK(users.error().code == "too_costly");
  CHECK(users.error().message ==
        "users:3: the hash of bob costs too much to check on the event loop (bcrypt cost 15; at most cost 11): "
        "re-create the user with passgatectl status-page add-user bob");
  // The user about to be re-created is not checked (add-user replaces the line).
  CHECK(UsersFile::parse("alice:" + std::string(kSha512) + "\nbob:" + costly + "\n", "users",
                         {.allow_empty = false, .replacing = "bob"})
            .ok());
}

TEST_CASE("an unknown user is checked against a hash of the file's most common method and cost") {
  const auto sha_only = UsersFile::parse("alice:" + std::string(kSha512) + "\n", "users");
  REQUIRE(sha_only.ok());
  CHECK(sha_only->decoy_hash() == kSha512);
  const std::string other_salt = "$y$j75$QQQQ$69hWfcV//Ntr7Q2B3TiJi.ZDmGD3Y8RpdauBhMMcW/6";
  const auto mixed = UsersFile::parse("alice:" + std::string(kSha512) + "\nbob:" + kCheapYescrypt + "\ncarol:" +
                                          other_salt + "\ndave:" + kBcrypt4 + "\n",
                                      "users");
  REQUIRE(mixed.ok());
  CHECK(mixed->decoy_hash().starts_with("$y$j75$"));
}

TEST_CASE("a users file holds name:hash lines, comments and blank lines") {
  const auto hash = hash_password("another one");
  REQUIRE(hash.ok());
  const auto users = UsersFile::parse("# technicians\n\nalice:" + std::string(kSha512) + "\nbob.smith:" + *hash + "\r\n",
                                      "users");
  REQUIRE(users.ok());
  CHECK(users->size() == 2);
  REQUIRE(users->hash_of("alice"));
  CHECK(password_matches("correct horse", *users->hash_of("alice")));
  CHECK(password_matches("another one", *users->hash_of("bob.smith")));
  CHECK_FALSE(users->hash_of("carol"));
}

TEST_CASE("a bad line of a users file is refused with its line and never its hash") {
  const std::string des = "alice:abJnggxhB/yWI\n";
  const auto check = [](const std::string& text, const std::string& says) {
    const auto users = UsersFile::parse(text, "users");
    REQUIRE_FALSE(users.ok());
    INFO(users.error().message);
    CHECK(users.error().code == "malformed");
    CHECK(users.error().message.find(says) != std::string::npos);
  };
  check(des, "users:1: the hash of alice is not a crypt(3) hash");
  CHECK(UsersFile::parse(des, "users").error().message.find("abJnggxhB") == std::string::npos);
  check("# none\n", "no user in it");
  check("\nno colon here\n", "users:2: expected \"name:hash\"");
  check("bad name:" + std::string(kSha512) + "\n", "users:1: expected");
  check("a:" + std::string(kSha512) + "\na:" + std::string(kSha512) + "\n", "users:2: a appears twice");
}

TEST_CASE("setting a user's password replaces its line in place, or adds one") {
  const std::string text = "# team\nalice:" + std::string(kSha512) + "\nbob:" + std::string(kSha512) + "\n";
  CHECK(UsersFile::with_user(text, "alice", "$y$new") == "# team\nalice:$y$new\nbob:" + std::string(kSha512) + "\n");
  CHECK(UsersFile::with_user(text, "carol", "$y$new") == text + "carol:$y$new\n");
  CHECK(UsersFile::with_user("", "carol", "$y$new") == "carol:$y$new\n");
  CHECK(is_user_name("a.b_c-9"));
  CHECK_FALSE(is_user_name(std::string(33, 'a')));
  CHECK_FALSE(is_user_name("a:b"));
}

}  // namespace
}  // namespace passgate::crypto
