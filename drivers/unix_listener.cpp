#include "drivers/unix_listener.hpp"

#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "common/posix.hpp"

namespace passgate::drivers {
namespace {

using Protocol = boost::asio::local::stream_protocol;

Status prepare_socket_path(const std::filesystem::path& path, const std::string& what) {
  if (path.empty()) return make_error("invalid_argument", "the " + what + " path is empty");
  if (path.native().size() >= sizeof(sockaddr_un::sun_path)) {
    return make_error("invalid_argument", what + " path " + path.string() + " is " +
                                              std::to_string(path.native().size()) + " bytes long; at most " +
                                              std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " fit a Unix socket");
  }
  std::error_code ec;
  const auto status = std::filesystem::symlink_status(path, ec);
  if (status.type() == std::filesystem::file_type::not_found) return {};
  if (ec) return make_error("io_error", "cannot inspect " + what + " path " + path.string() + ": " + ec.message());
  if (status.type() != std::filesystem::file_type::socket) {
    return make_error("invalid_argument",
                      what + " path " + path.string() + " exists and is not a socket; remove it or choose another path");
  }
  if (!std::filesystem::remove(path, ec) && ec) {
    return make_error("io_error", "cannot remove stale " + what + " " + path.string() + ": " + ec.message());
  }
  return {};
}

}  // namespace

Status listen_unix(Protocol::acceptor& acceptor, const std::filesystem::path& path, std::string_view what_view,
                   std::optional<gid_t> group) {
  const std::string what(what_view);
  if (auto prepared = prepare_socket_path(path, what); !prepared) return prepared;
  boost::system::error_code ec;
  if (acceptor.open(Protocol(), ec); ec) {
    return make_error("io_error", "cannot create " + what + " " + path.string() + ": " + ec.message());
  }
  if (acceptor.bind(Protocol::endpoint(path.native()), ec); ec) {
    acceptor.close(ec);
    return make_error("io_error", "cannot bind " + what + " " + path.string() + ": " + ec.message());
  }
  // From here on the file exists: remove it again if anything fails.
  const auto undo = [&](Error error) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    std::error_code remove_ec;
    std::filesystem::remove(path, remove_ec);
    return error;
  };
  std::error_code chmod_ec;
  using std::filesystem::perms;
  std::filesystem::permissions(path, perms::owner_read | perms::owner_write | perms::group_read | perms::group_write,
                               chmod_ec);
  if (chmod_ec) {
    return undo(make_error("io_error", "cannot chmod 0660 " + what + " " + path.string() + ": " + chmod_ec.message()));
  }
  if (group && ::chown(path.c_str(), static_cast<uid_t>(-1), *group) != 0) {
    const int chown_errno = errno;
    return undo(os_error("cannot give " + what + " " + path.string() + " to group id " + std::to_string(*group),
                         chown_errno));
  }
  if (acceptor.listen(boost::asio::socket_base::max_listen_connections, ec); ec) {
    return undo(make_error("io_error", "cannot listen on " + what + " " + path.string() + ": " + ec.message()));
  }
  return {};
}

}  // namespace passgate::drivers
