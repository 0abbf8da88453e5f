#include "controller/config/system_group.hpp"

#include <grp.h>

#include <vector>

namespace passgate::controller {

std::optional<gid_t> find_group(const std::string& name) {
  group entry{};
  group* found = nullptr;
  std::vector<char> buffer(16384);
  if (::getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return std::nullopt;
  }
  return found->gr_gid;
}

}  // namespace passgate::controller
