// listen_unix: opens a listening Unix stream socket for the gate's local links (the rig link,
// the control socket). The path is checked first (it must fit a sockaddr_un; a stale socket
// there is replaced; anything else there is refused), the socket file gets mode 0660 and,
// when `group` is set, that group, so only the service user and that group can connect.
// On failure nothing is left behind; on success the caller removes the file when done.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string_view>

#include <boost/asio/local/stream_protocol.hpp>

#include "common/result.hpp"

namespace passgate::drivers {

// `what` names the socket in errors ("rig socket"). Errors: "invalid_argument" (bad path),
// "io_error" (cannot remove a stale socket, create, bind, chmod, chown or listen).
[[nodiscard]] Status listen_unix(boost::asio::local::stream_protocol::acceptor& acceptor,
                                 const std::filesystem::path& path, std::string_view what,
                                 std::optional<gid_t> group = std::nullopt);

}  // namespace passgate::drivers
