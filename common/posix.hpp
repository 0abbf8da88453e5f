// POSIX plumbing for the modules that call the OS directly (key and secret files, serial
// devices, sockets, the instance lock): UniqueFd owns an open file descriptor, and
// os_error() is the one way an errno becomes an Error ("cannot open /etc/x: Permission
// denied").
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace passgate {

// Owns one open file descriptor, or none (-1), and closes it when it goes. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  // The descriptor, or -1 when none is held (e.g. the open() it came from failed).
  [[nodiscard]] int get() const noexcept { return fd_; }
  // Hands the descriptor on without closing it (the caller owns it now); -1 is held after.
  [[nodiscard]] int release() noexcept;
  // Closes the descriptor held, if any (its result is not reported: to learn whether a close
  // lost data, ::close(release()) and check), then holds `fd`.
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

// The OS's text for `error_number` (an errno value): "No such file or directory".
[[nodiscard]] std::string os_reason(int error_number);

// An Error with `code` and the message "<what> <path>: <reason>", e.g.
// os_error("cannot open", "/etc/x", EACCES) is io_error "cannot open /etc/x: Permission denied".
// Pass errno as it was right after the failing call.
[[nodiscard]] Error os_error(std::string_view what, const std::filesystem::path& path, int error_number,
                             std::string_view code = "io_error");
// The same for a failure with no path to name: "<what>: <reason>".
[[nodiscard]] Error os_error(std::string_view what, int error_number, std::string_view code = "io_error");

}  // namespace passgate
