#include "tools/passgatectl/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace passgate::ctl {

namespace {

Error os_error(const std::string& what, const std::filesystem::path& file) {
  return make_error("io_error", "cannot " + what + " " + file.string() + ": " + std::strerror(errno));
}

// Closes the temporary file and, unless kept, removes it.
struct TempFile {
  std::string path;
  int fd = -1;
  bool keep = false;
  ~TempFile() {
    if (fd >= 0) ::close(fd);
    if (!keep) ::unlink(path.c_str());
  }
};

}  // namespace

Status write_file_atomically(const std::filesystem::path& file, std::string_view content, mode_t mode) {
  const std::filesystem::path directory = file.parent_path().empty() ? "." : file.parent_path();
  TempFile temp{(directory / ("." + file.filename().string() + ".XXXXXX")).string()};
  temp.fd = ::mkostemp(temp.path.data(), O_CLOEXEC);
  if (temp.fd < 0) {
    temp.keep = true;  // nothing was made
    return os_error("write a temporary file next to", file);
  }
  for (std::size_t done = 0; done < content.size();) {
    const auto n = ::write(temp.fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error("write", temp.path);
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(temp.fd, mode) != 0) return os_error("set the mode of", temp.path);
  if (::fsync(temp.fd) != 0) return os_error("sync", temp.path);
  if (::close(temp.fd) != 0) {
    temp.fd = -1;
    return os_error("close", temp.path);
  }
  temp.fd = -1;
  if (::rename(temp.path.c_str(), file.c_str()) != 0) return os_error("replace", file);
  temp.keep = true;
  // The rename itself survives a power cut once the directory is synced.
  if (const int dir = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return {};
}

}  // namespace passgate::ctl
