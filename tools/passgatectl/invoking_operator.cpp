#include "tools/passgatectl/invoking_operator.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

namespace passgate::ctl {

std::string invoking_operator() {
  if (const char* sudo_user = std::getenv("SUDO_USER"); sudo_user != nullptr && *sudo_user != '\0')
    return std::string(sudo_user) + " (via sudo)";
  const uid_t uid = ::geteuid();
  if (const passwd* user = ::getpwuid(uid); user != nullptr && user->pw_name != nullptr) return user->pw_name;
  return "uid " + std::to_string(uid);
}

}  // namespace passgate::ctl
