#include "crypto/key_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>

#include "common/posix.hpp"

namespace passgate::crypto {
namespace {

Status write_all(int fd, std::string_view content, const std::filesystem::path& file) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error("cannot write", file, errno);
    }
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Status write_synced(const std::filesystem::path& temp, std::string_view content, mode_t mode) {
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode));
  if (fd.get() < 0) return os_error("cannot create", temp, errno);
  if (::fchmod(fd.get(), mode) != 0) return os_error("cannot set permissions of", temp, errno);
  if (auto ok = write_all(fd.get(), content, temp); !ok) return ok;
  if (::fsync(fd.get()) != 0) return os_error("cannot sync", temp, errno);
  // Closed here, not when fd goes: a failed close can mean lost data.
  if (::close(fd.release()) != 0) return os_error("cannot close", temp, errno);
  return {};
}

}  // namespace

Result<std::string> read_key_file(const std::filesystem::path& file) {
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return os_error("cannot open", file, errno);
  std::string content;
  std::array<char, 4096> buffer{};
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error("cannot read", file, errno);
    }
    if (n == 0) return content;
    content.append(buffer.data(), static_cast<std::size_t>(n));
    if (content.size() > kMaxKeyFileBytes) {
      return make_error("io_error", file.string() + " is over " +
                                        std::to_string(kMaxKeyFileBytes) +
                                        " bytes: not a key or key set file");
    }
  }
}

Status write_key_file(const std::filesystem::path& file, std::string_view content, mode_t mode) {
  std::filesystem::path temp = file;
  temp += ".tmp";
  auto written = write_synced(temp, content, mode);
  if (written && std::rename(temp.c_str(), file.c_str()) != 0) {
    written = os_error("cannot replace", file, errno);
  }
  if (!written) ::unlink(temp.c_str());
  return written;
}

}  // namespace passgate::crypto
