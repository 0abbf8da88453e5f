#include "tools/passgatectl/run_as_user.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <vector>

#include "common/posix.hpp"

namespace passgate::ctl {
namespace {

struct Credentials {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary, the primary one included
};

std::optional<Credentials> credentials_of(const std::string& user) {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return std::nullopt;
  }
  Credentials c{found->pw_uid, found->pw_gid, std::vector<gid_t>(64)};
  int count = static_cast<int>(c.groups.size());
  if (::getgrouplist(user.c_str(), c.gid, c.groups.data(), &count) < 0) {
    c.groups.resize(static_cast<std::size_t>(count));
    (void)::getgrouplist(user.c_str(), c.gid, c.groups.data(), &count);
  }
  c.groups.resize(static_cast<std::size_t>(count));
  return c;
}

// In the child: become the user for good, or say why not.
bool drop_to(const Credentials& c) {
  return ::setgroups(c.groups.size(), c.groups.data()) == 0 && ::setresgid(c.gid, c.gid, c.gid) == 0 &&
         ::setresuid(c.uid, c.uid, c.uid) == 0 && ::geteuid() == c.uid && ::getegid() == c.gid;
}

}  // namespace

std::string current_user() {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  const uid_t uid = ::geteuid();
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return std::to_string(uid);
  }
  return found->pw_name;
}

bool user_exists(const std::string& user) { return credentials_of(user).has_value(); }

Result<int> run_as_user(const std::string& user, const std::function<int()>& check) {
  const auto credentials = credentials_of(user);
  if (!credentials) return make_error("unknown_user", "there is no user \"" + user + "\" on this machine");
  if (credentials->uid == ::geteuid() && credentials->gid == ::getegid()) return check();
  if (::geteuid() != 0) {
    return make_error("not_permitted", "checking as user \"" + user + "\" needs root: run it with sudo, or as " +
                                           user + " (sudo -u " + user + " passgatectl check-config ...)");
  }
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t child = ::fork();
  if (child < 0) return os_error("cannot fork to check as user \"" + user + "\"", errno, "os_error");
  if (child == 0) {
    if (!drop_to(*credentials)) {
      std::fprintf(stderr, "passgatectl: cannot become user \"%s\": %s\n", user.c_str(), std::strerror(errno));
      std::fflush(stderr);
      ::_exit(1);
    }
    const int code = check();
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    ::_exit(code);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return os_error("cannot wait for the check as user \"" + user + "\"", errno, "os_error");
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return make_error("os_error", "the check as user \"" + user + "\" ended by signal " +
                                    std::to_string(WIFSIGNALED(status) ? WTERMSIG(status) : 0));
}

}  // namespace passgate::ctl
