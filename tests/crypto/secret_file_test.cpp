// Secret files (gateway API key, payment sealing keys): refused unless only their owner may
// use them, with messages that name the file and the fix and never contain its bytes.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>

#include "crypto/secret_file.hpp"
#include "tests/support/temp_dir.hpp"

namespace passgate::test {
namespace {

namespace fs = std::filesystem;
using crypto::check_secret_file_mode;
using crypto::check_secret_key_file;
using crypto::read_secret_file;
using crypto::read_secret_key_file;
using crypto::read_secret_text_file;

constexpr std::string_view kApiKey = "the gateway API key";
constexpr std::string_view kSealKey = "the payment sealing key";
const std::string kSecret = "sk_test_51SecretValue";

fs::path write_secret(const TempDir& dir, const std::string& name, const std::string& content, fs::perms mode) {
  const fs::path file = dir / name;
  std::ofstream(file, std::ios::binary) << content;
  fs::permissions(file, mode, fs::perm_options::replace);
  return file;
}

constexpr fs::perms kOwnerOnly = fs::perms::owner_read | fs::perms::owner_write;
constexpr fs::perms kWorldReadable = kOwnerOnly | fs::perms::group_read | fs::perms::others_read;

// The error of a result that must have failed; its message never holds the secret.
template <class T>
Error failure(const Result<T>& r) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find(kSecret) == std::string::npos);
  return r.error();
}

}  // namespace

TEST_CASE("a secret only its owner may use is read as it is", "[secret_file]") {
  TempDir dir;
  const auto file = write_secret(dir, "api.key", kSecret + "\n", kOwnerOnly);
  const auto secret = read_secret_file(file, kApiKey);
  REQUIRE(secret.ok());
  CHECK(*secret == kSecret + "\n");
  CHECK(check_secret_file_mode(file, kApiKey).ok());
  const auto read_only = write_secret(dir, "read-only.key", kSecret, fs::perms::owner_read);
  CHECK(read_secret_file(read_only, kApiKey).ok());
}

TEST_CASE("a secret readable by group or others is refused with the chmod that fixes it", "[secret_file]") {
  TempDir dir;
  const auto file = write_secret(dir, "api.key", kSecret, kWorldReadable);
  const std::string expected =
      file.string() + ": the gateway API key is readable by group or others (mode 0644); run: chmod 600 " + file.string();
  const Error read_error = failure(read_secret_file(file, kApiKey));
  CHECK(read_error.code == "too_open");
  CHECK(read_error.message == expected);
  const Error check_error = failure(check_secret_file_mode(file, kApiKey));
  CHECK(check_error.code == "too_open");
  CHECK(check_error.message == expected);
}

TEST_CASE("any group or other permission bit is refused, and named", "[secret_file]") {
  TempDir dir;
  const auto group_readable = write_secret(dir, "a.key", kSecret, kOwnerOnly | fs::perms::group_read);
  CHECK(failure(check_secret_file_mode(group_readable, kApiKey)).message.find("is readable by group or others (mode 0640)") !=
        std::string::npos);
  const auto group_writable = write_secret(dir, "b.key", kSecret, kOwnerOnly | fs::perms::group_write);
  CHECK(failure(read_secret_file(group_writable, kApiKey)).message.find("is writable by group or others (mode 0620)") !=
        std::string::npos);
  const auto others_all = write_secret(dir, "c.key", kSecret, kOwnerOnly | fs::perms::others_all);
  CHECK(failure(read_secret_file(others_all, kApiKey)).message.find(
            "is readable and writable and executable by group or others (mode 0607)") != std::string::npos);
}

TEST_CASE("a missing secret file is reported as missing", "[secret_file]") {
  TempDir dir;
  const auto file = dir / "absent.key";
  for (const Error& error : {failure(read_secret_file(file, kApiKey)), failure(check_secret_file_mode(file, kApiKey))}) {
    CHECK(error.code == "missing");
    CHECK(error.message == file.string() + ": the gateway API key file does not exist");
  }
}

TEST_CASE("a directory or a named pipe is not a secret file, and reading one does not block", "[secret_file]") {
  TempDir dir;
  const Error directory = failure(read_secret_file(dir.path(), kApiKey));
  CHECK(directory.code == "unreadable");
  CHECK(directory.message == dir.path().string() + ": the gateway API key file is a directory, expected a regular file");
  const auto fifo = dir / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const Error pipe = failure(read_secret_file(fifo, kApiKey));
  CHECK(pipe.code == "unreadable");
  CHECK(pipe.message == fifo.string() + ": the gateway API key file is a named pipe, expected a regular file");
  CHECK(failure(check_secret_file_mode(fifo, kApiKey)).code == "unreadable");
}

TEST_CASE("a symbolic link to a secret file is followed, and the target's mode counts", "[secret_file]") {
  TempDir dir;
  const auto target = write_secret(dir, "api.key", kSecret, kOwnerOnly);
  fs::create_symlink(target, dir / "link.key");
  CHECK(read_secret_file(dir / "link.key", kApiKey).ok());
  fs::permissions(target, kWorldReadable, fs::perm_options::replace);
  CHECK(failure(read_secret_file(dir / "link.key", kApiKey)).code == "too_open");
}

TEST_CASE("an empty secret file is refused", "[secret_file]") {
  TempDir dir;
  const auto empty = write_secret(dir, "empty.key", "", kOwnerOnly);
  const Error error = failure(read_secret_file(empty, kApiKey));
  CHECK(error.code == "empty");
  CHECK(error.message == empty.string() + ": the gateway API key file is empty, expected the secret in it");
  const auto line_break = write_secret(dir, "newline.key", "\n", kOwnerOnly);
  CHECK(failure(read_secret_text_file(line_break, kApiKey)).code == "empty");
}

TEST_CASE("a secret file over the size limit is refused", "[secret_file]") {
  TempDir dir;
  const auto big = write_secret(dir, "big.key", std::string(crypto::kMaxSecretFileBytes + 1, 'k'), kOwnerOnly);
  const Error error = failure(read_secret_file(big, kApiKey));
  CHECK(error.code == "too_large");
  CHECK(error.message.find("is 65537 bytes, more than the 65536") != std::string::npos);
}

TEST_CASE("a text secret loses one trailing line break and must be one line of printable ASCII", "[secret_file]") {
  TempDir dir;
  for (const auto* ending : {"", "\n", "\r\n"}) {
    CAPTURE(ending);
    const auto file = write_secret(dir, "api.key", kSecret + ending, kOwnerOnly);
    const auto secret = read_secret_text_file(file, kApiKey);
    REQUIRE(secret.ok());
    CHECK(*secret == kSecret);
  }
  for (const auto& [content, offset] : {std::pair{kSecret + "\n\n", 21}, std::pair{std::string("sk_test secret"), 7},
                                        std::pair{kSecret + "\t", 21}, std::pair{std::string("sk_\xc3\xa9"), 3}}) {
    CAPTURE(content);
    const auto file = write_secret(dir, "api.key", content, kOwnerOnly);
    const Error error = failure(read_secret_text_file(file, kApiKey));
    CHECK(error.code == "malformed");
    CHECK(error.message == file.string() +
                               ": the gateway API key file has a space, line break, control character or non-ASCII "
                               "byte at byte " +
                               std::to_string(offset) + ", expected the secret alone on one line, in printable ASCII");
  }
}

TEST_CASE("a raw key must be exactly its size, and the message says how to make one", "[secret_file]") {
  TempDir dir;
  const std::string key(32, '\x07');
  const auto good = write_secret(dir, "seal.key", key, kOwnerOnly);
  const auto read = read_secret_key_file(good, kSealKey, 32);
  REQUIRE(read.ok());
  CHECK(*read == key);
  CHECK(check_secret_key_file(good, kSealKey, 32).ok());
  for (const std::size_t size : {0, 31, 33}) {
    CAPTURE(size);
    const auto file = write_secret(dir, "seal.key", std::string(size, '\x07'), kOwnerOnly);
    const std::string expected = file.string() + ": the payment sealing key file is " + std::to_string(size) +
                                 " bytes, expected exactly 32 random bytes; make one with: head -c 32 /dev/urandom > " +
                                 file.string() + " && chmod 600 " + file.string();
    for (const Error& error : {failure(read_secret_key_file(file, kSealKey, 32)),
                               failure(check_secret_key_file(file, kSealKey, 32))}) {
      CHECK(error.code == "wrong_size");
      CHECK(error.message == expected);
    }
  }
}

TEST_CASE("the mode is checked before the size", "[secret_file]") {
  TempDir dir;
  const auto file = write_secret(dir, "seal.key", "short", kWorldReadable);
  CHECK(failure(check_secret_key_file(file, kSealKey, 32)).code == "too_open");
  CHECK(failure(read_secret_key_file(file, kSealKey, 32)).code == "too_open");
}

}  // namespace passgate::test
