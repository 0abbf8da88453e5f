// The status page's users file: one "name:hash" line per user (a crypt(3) hash,
// crypto/password_hash.hpp), '#' comments and blank lines allowed. Names are 1 to 32 of
// [A-Za-z0-9._-]. Read whole at start-up and on each reload (SIGHUP, `passgatectl reload`),
// on the event loop: no hash is computed at its cost (check_crypt_hash), so reading 64 users
// takes milliseconds. `passgatectl status-page add-user` writes it.
// Errors name the file and line, and the user, never a hash: "unreadable", "too_large" (over
// kMaxUsersFileBytes or kMaxUsers), "malformed" (a bad line or hash, a duplicate name, no user
// at all unless UsersParseOptions::allow_empty), "unsupported" (a hash of another method),
// "too_costly" (a hash whose check would hold the event loop too long); the last three say to
// re-create the user with add-user.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace passgate::crypto {

inline constexpr std::size_t kMaxUsersFileBytes = 256 * 1024;
inline constexpr std::size_t kMaxUsers = 64;  // each costs a hash to check at start
inline constexpr std::size_t kMaxUserNameLength = 32;

[[nodiscard]] bool is_user_name(std::string_view name);

// How UsersFile::parse reads a file.
struct UsersParseOptions {
  bool allow_empty = false;    // a file without users is fine (one add-user starts)
  std::string_view replacing;  // this user's hash is about to be replaced: not checked
};

class UsersFile {
 public:
  [[nodiscard]] static Result<UsersFile> read(const std::filesystem::path& file, const UsersParseOptions& options = {});
  // The same from text (tests, and the command that adds a user); `name` for messages.
  [[nodiscard]] static Result<UsersFile> parse(std::string_view text, const std::string& name,
                                               const UsersParseOptions& options = {});

  // The user's hash; empty for an unknown user.
  [[nodiscard]] std::optional<std::string> hash_of(std::string_view user) const;
  // What to check an unknown user's password against, so that it costs what a known user's
  // does: a hash of the file of the method and cost most of its users have.
  [[nodiscard]] const std::string& decoy_hash() const { return decoy_; }
  [[nodiscard]] std::size_t size() const { return hashes_.size(); }
  // The users whose hash differs between this file and `other` (in one of them only, or with
  // another hash), by name.
  [[nodiscard]] std::vector<std::string> differing(const UsersFile& other) const;
  [[nodiscard]] bool operator==(const UsersFile& other) const { return hashes_ == other.hashes_; }
  // The file's text with `user` set to `hash` (added at the end, or its line replaced in place).
  [[nodiscard]] static std::string with_user(std::string_view text, const std::string& user, const std::string& hash);

 private:
  std::map<std::string, std::string, std::less<>> hashes_;
  std::string decoy_;
};

}  // namespace passgate::crypto
