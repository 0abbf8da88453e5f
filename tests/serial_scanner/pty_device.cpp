#include "tests/serial_scanner/pty_device.hpp"

#include <catch2/catch.hpp>

#include <pty.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

namespace passgate::test {

PtyDevice::PtyDevice() {
  char name[PATH_MAX] = {};
  REQUIRE(::openpty(&master_, &slave_, name, nullptr, nullptr) == 0);
  slave_path_ = name;
}

PtyDevice::~PtyDevice() { unplug(); }

void PtyDevice::send(std::string_view bytes) const {
  REQUIRE(master_ >= 0);
  while (!bytes.empty()) {
    const ssize_t n = ::write(master_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    REQUIRE(n > 0);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void PtyDevice::unplug() {
  if (master_ >= 0) ::close(master_);
  if (slave_ >= 0) ::close(slave_);
  master_ = slave_ = -1;
}

void point_link(const std::filesystem::path& link, const std::filesystem::path& target) {
  const auto fresh = link.parent_path() / (link.filename().string() + ".new");
  std::filesystem::remove(fresh);
  std::filesystem::create_symlink(target, fresh);
  std::filesystem::rename(fresh, link);
}

}  // namespace passgate::test
