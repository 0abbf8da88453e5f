// The status page's users file and its crypt(3) hashes: yescrypt hashes made and checked,
// sha512-crypt checked, weak or malformed hashes and lines refused at their line, a user's
// password set again in place.
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

TEST_CASE("weak, locked or malformed hashes never match") {
  CHECK(is_crypt_hash(kSha512));
  CHECK_FALSE(is_crypt_hash("abJnggxhB/yWI"));  // DES
  CHECK_FALSE(is_crypt_hash("!"));
  CHECK_FALSE(is_crypt_hash("*"));
  CHECK_FALSE(is_crypt_hash(""));
  CHECK_FALSE(is_crypt_hash("$y$broken"));
  CHECK_FALSE(is_crypt_hash(std::string(kSha512).substr(0, 60)));  // its digest cut
  CHECK_FALSE(password_matches("", ""));
  CHECK_FALSE(password_matches("anything", "!$y$j9T$abc"));
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
