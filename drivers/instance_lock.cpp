#include "drivers/instance_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string>
#include <utility>

namespace passgate::drivers {
namespace {

// The PID the holder wrote ("1234"), or "unknown" when the file does not say.
std::string holder_pid(int fd) {
  std::array<char, 32> text{};
  const ssize_t n = ::pread(fd, text.data(), text.size() - 1, 0);
  std::string pid(text.data(), n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  const bool digits = !pid.empty() && pid.find_first_not_of("0123456789") == std::string::npos;
  return digits ? pid : "unknown";
}

Status write_pid(int fd, const std::filesystem::path& file) {
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0) return os_error("cannot write the instance lock", file, errno);
  const ssize_t n = ::pwrite(fd, pid.data(), pid.size(), 0);
  if (n != static_cast<ssize_t>(pid.size())) {
    return os_error("cannot write the instance lock", file, n < 0 ? errno : EIO);
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<InstanceLock>> InstanceLock::acquire(const std::filesystem::path& dir) {
  const std::filesystem::path file = dir / kFileName;
  // Readable by all: who holds it is no secret, and an operator's second start can name it.
  UniqueFd opened(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (opened.get() < 0) return os_error("cannot open the instance lock", file, errno);
  const int fd = opened.get();
  std::unique_ptr<InstanceLock> lock(new InstanceLock(file, std::move(opened)));
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) return os_error("cannot lock the instance lock", file, errno);
    return make_error("locked", "another passgated (PID " + holder_pid(fd) + ") is running on " + dir.string() +
                                    " (it holds " + file.string() + "); stop it first, or give this one a [database] path in"
                                    " another directory");
  }
  if (auto written = write_pid(fd, file); !written) return written.error();
  return lock;
}

}  // namespace passgate::drivers
