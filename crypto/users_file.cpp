#include "crypto/users_file.hpp"

#include <algorithm>
#include <fstream>
#include <utility>

#include "crypto/password_hash.hpp"

namespace passgate::crypto {
namespace {

// Each line of `text` with its 1-based number, without its line break.
template <class Each>
void each_line(std::string_view text, Each&& each) {
  int number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    ++number;
    each(number, line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

bool is_comment_or_blank(std::string_view line) {
  const auto first = line.find_first_not_of(" \t\r");
  return first == std::string_view::npos || line[first] == '#';
}

}  // namespace

bool is_user_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxUserNameLength) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<UsersFile> UsersFile::read(const std::filesystem::path& file, const UsersParseOptions& options) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error("unreadable", file.string() + ": cannot be opened");
  std::string text(kMaxUsersFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return make_error("unreadable", file.string() + ": cannot be read");
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxUsersFileBytes) {
    return make_error("too_large", file.string() + ": over " + std::to_string(kMaxUsersFileBytes) + " bytes");
  }
  return parse(text, file.string(), options);
}

Result<UsersFile> UsersFile::parse(std::string_view text, const std::string& name,
                                   const UsersParseOptions& options) {
  UsersFile users;
  std::optional<Error> problem;
  std::map<std::string, std::pair<int, std::string>> by_cost;  // "method cost": how many users, one's hash
  each_line(text, [&](int number, std::string_view line) {
    if (problem || is_comment_or_blank(line)) return;
    const std::string where = name + ":" + std::to_string(number) + ": ";
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto colon = line.find(':');
    const std::string_view user = line.substr(0, colon);
    if (colon == std::string_view::npos || !is_user_name(user)) {
      problem = make_error("malformed", where + "expected \"name:hash\" with a name of 1 to " +
                                            std::to_string(kMaxUserNameLength) + " of [A-Za-z0-9._-]");
      return;
    }
    if (users.hashes_.size() >= kMaxUsers) {
      problem = make_error("too_large", where + "more than " + std::to_string(kMaxUsers) + " users");
      return;
    }
    const std::string hash(line.substr(colon + 1));
    if (user != options.replacing) {
      const auto setting = check_crypt_hash(hash);
      if (!setting) {
        problem = make_error(setting.error().code, where + "the hash of " + std::string(user) + " " +
                                                       setting.error().message +
                                                       ": re-create the user with passgatectl status-page add-user " +
                                                       std::string(user));
        return;
      }
      auto& same = by_cost[setting->method + " " + setting->cost];
      if (same.first++ == 0) same.second = hash;
    }
    if (!users.hashes_.emplace(std::string(user), hash).second) {
      problem = make_error("malformed", where + std::string(user) + " appears twice");
    }
  });
  if (problem) return *problem;
  if (users.hashes_.empty() && !options.allow_empty) {
    return make_error("malformed", name + ": no user in it (add one with passgatectl status-page add-user)");
  }
  const auto most = std::max_element(by_cost.begin(), by_cost.end(),
                                     [](const auto& a, const auto& b) { return a.second.first < b.second.first; });
  if (most != by_cost.end()) users.decoy_ = most->second.second;
  return users;
}

std::optional<std::string> UsersFile::hash_of(std::string_view user) const {
  const auto found = hashes_.find(user);
  if (found == hashes_.end()) return std::nullopt;
  return found->second;
}

std::vector<std::string> UsersFile::differing(const UsersFile& other) const {
  std::vector<std::string> out;
  for (const auto& [user, hash] : hashes_) {
    if (other.hash_of(user) != hash) out.push_back(user);
  }
  for (const auto& [user, hash] : other.hashes_) {
    if (!hashes_.contains(user)) out.push_back(user);
  }
  return out;
}

std::string UsersFile::with_user(std::string_view text, const std::string& user, const std::string& hash) {
  std::string out;
  bool replaced = false;
  each_line(text, [&](int, std::string_view line) {
    if (!is_comment_or_blank(line) && line.substr(0, line.find(':')) == user) {
      out += user + ":" + hash + "\n";
      replaced = true;
    } else {
      out += std::string(line) + "\n";
    }
  });
  if (!replaced) out += user + ":" + hash + "\n";
  return out;
}

}  // namespace passgate::crypto
