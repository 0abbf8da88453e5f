// find_group: a local group's id by name (the control socket's operators' group), for the
// config check and for the daemon that hands the socket to the group.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace passgate::controller {

// Empty if no such group exists on this machine.
[[nodiscard]] std::optional<gid_t> find_group(const std::string& name);

}  // namespace passgate::controller
