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

std::string recorded_as(const nlohmann::json& reply) {
  std::string as = reply.value("actor", "");
  const auto uid = reply.find("uid");
  const auto gid = reply.find("gid");
  if (uid != reply.end() && uid->is_number_integer() && gid != reply.end() && gid->is_number_integer()) {
    as += " as claimed; the connection was uid " + std::to_string(uid->get<std::int64_t>()) + ", gid " +
          std::to_string(gid->get<std::int64_t>());
  }
  return as;
}

}  // namespace passgate::ctl
