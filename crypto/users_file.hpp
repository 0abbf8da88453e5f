// The status page's users file: one "name:hash" line per user (a crypt(3) hash,
// crypto/password_hash.hpp), '#' comments and blank lines allowed. Names are 1 to 32 of
// [A-Za-z0-9._-]. Read whole at start-up; `passgatectl status-page add-user` writes it.
// Errors name the file and line, never a hash: "unreadable", "too_large" (over
// kMaxUsersFileBytes or kMaxUsers), "malformed" (a bad line, a duplicate name, no user at all).
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace passgate::crypto {

inline constexpr std::size_t kMaxUsersFileBytes = 256 * 1024;
inline constexpr std::size_t kMaxUsers = 64;  // each costs a hash to check at start
inline constexpr std::size_t kMaxUserNameLength = 32;

[[nodiscard]] bool is_user_name(std::string_view name);

class UsersFile {
 public:
  [[nodiscard]] static Result<UsersFile> read(const std::filesystem::path& file);
  // The same from text (tests, and the command that adds a user); `name` for messages.
  [[nodiscard]] static Result<UsersFile> parse(std::string_view text, const std::string& name,
                                               bool allow_empty = false);

  // The user's hash; empty for an unknown user.
  [[nodiscard]] std::optional<std::string> hash_of(std::string_view user) const;
  [[nodiscard]] std::size_t size() const { return hashes_.size(); }
  // The file's text with `user` set to `hash` (added at the end, or its line replaced in place).
  [[nodiscard]] static std::string with_user(std::string_view text, const std::string& user, const std::string& hash);

 private:
  std::map<std::string, std::string, std::less<>> hashes_;
};

}  // namespace passgate::crypto
