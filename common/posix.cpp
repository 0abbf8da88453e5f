#include "common/posix.hpp"

#include <unistd.h>

#include <system_error>
#include <utility>

namespace passgate {

int UniqueFd::release() noexcept { return std::exchange(fd_, -1); }

void UniqueFd::reset(int fd) noexcept {
  const int held = std::exchange(fd_, fd);
  if (held >= 0 && held != fd) ::close(held);
}

std::string os_reason(int error_number) { return std::generic_category().message(error_number); }

Error os_error(std::string_view what, const std::filesystem::path& path, int error_number, std::string_view code) {
  return make_error(std::string(code), std::string(what) + " " + path.string() + ": " + os_reason(error_number));
}

Error os_error(std::string_view what, int error_number, std::string_view code) {
  return make_error(std::string(code), std::string(what) + ": " + os_reason(error_number));
}

}  // namespace passgate
