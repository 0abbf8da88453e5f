#include "crypto/key_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace passgate::crypto {
namespace {

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  [[nodiscard]] int get() const { return fd_; }
  // Closes now, reporting the result (a failed close can mean lost data).
  [[nodiscard]] bool close() { return ::close(std::exchange(fd_, -1)) == 0; }

 private:
  int fd_;
};

Error io_error(const std::filesystem::path& file, const char* what, int error_number) {
  return make_error("io_error", std::string("cannot ") + what + " " + file.string() + ": " +
                                    std::strerror(error_number));
}

Status write_all(int fd, std::string_view content, const std::filesystem::path& file) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(file, "write", errno);
    }
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Status write_synced(const std::filesystem::path& temp, std::string_view content, mode_t mode) {
  FileDescriptor fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode));
  if (fd.get() < 0) return io_error(temp, "create", errno);
  if (::fchmod(fd.get(), mode) != 0) return io_error(temp, "set permissions of", errno);
  if (auto ok = write_all(fd.get(), content, temp); !ok) return ok;
  if (::fsync(fd.get()) != 0) return io_error(temp, "sync", errno);
  if (!fd.close()) return io_error(temp, "close", errno);
  return {};
}

}  // namespace

Result<std::string> read_key_file(const std::filesystem::path& file) {
  FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return io_error(file, "open", errno);
  std::string content;
  std::array<char, 4096> buffer{};
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(file, "read", errno);
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
    written = io_error(file, "replace", errno);
  }
  if (!written) ::unlink(temp.c_str());
  return written;
}

}  // namespace passgate::crypto
