#include "tools/passgatectl/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "common/posix.hpp"

namespace passgate::ctl {

namespace {

// A file the operator named could not be written: the command failed (exit 1), unlike
// "io_error", which passgatectl keeps for the gate's socket (exit 3, see exit_codes.hpp).
constexpr std::string_view kWriteFailed = "write_failed";

// Takes nothing that allocates at the call: errno is read first thing.
Error failed(const char* what, const std::filesystem::path& file) {
  const int error_number = errno;
  return os_error(std::string("cannot ") + what, file, error_number, kWriteFailed);
}

// The temporary file, removed unless renamed into place.
struct TempFile {
  std::filesystem::path path;
  UniqueFd fd;
  bool renamed = false;
  ~TempFile() {
    fd.reset();
    if (!renamed) ::unlink(path.c_str());
  }
};

}  // namespace

Status write_file_atomically(const std::filesystem::path& file, std::string_view content, mode_t mode) {
  const std::filesystem::path directory = file.parent_path().empty() ? "." : file.parent_path();
  std::string pattern = (directory / ("." + file.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd < 0) return failed("write a temporary file next to", file);
  TempFile temp{pattern, UniqueFd(fd)};
  for (std::size_t done = 0; done < content.size();) {
    const auto n = ::write(temp.fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return failed("write", temp.path);
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(temp.fd.get(), mode) != 0) return failed("set the mode of", temp.path);
  if (::fsync(temp.fd.get()) != 0) return failed("sync", temp.path);
  if (::close(temp.fd.release()) != 0) return failed("close", temp.path);
  if (::rename(temp.path.c_str(), file.c_str()) != 0) return failed("replace", file);
  temp.renamed = true;
  // The rename itself survives a power cut once the directory is synced.
  if (const UniqueFd dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)); dir.get() >= 0) {
    ::fsync(dir.get());
  }
  return {};
}

}  // namespace passgate::ctl
