// UniqueFd closes what it owns exactly once and hands it on when asked; os_error writes the
// OS's reason after what failed and on which path.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "common/posix.hpp"

namespace passgate::test {
namespace {

bool posix_test_fd_is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

}  // namespace

TEST_CASE("UniqueFd closes its descriptor when it goes, and not one it handed on") {
  int fd = -1;
  {
    const UniqueFd owned(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    fd = owned.get();
    REQUIRE(fd >= 0);
    CHECK(posix_test_fd_is_open(fd));
  }
  CHECK_FALSE(posix_test_fd_is_open(fd));

  UniqueFd owned(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  const int released = owned.release();
  CHECK(owned.get() == -1);
  CHECK(posix_test_fd_is_open(released));
  ::close(released);
}

TEST_CASE("UniqueFd moves ownership, and reset closes the old descriptor") {
  UniqueFd first(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  const int fd = first.get();
  UniqueFd second(std::move(first));
  CHECK(first.get() == -1);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  CHECK(second.get() == fd);

  UniqueFd third;
  third = std::move(second);
  CHECK(third.get() == fd);
  CHECK(posix_test_fd_is_open(fd));

  third.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  CHECK(third.get() >= 0);
  CHECK((third.get() == fd || !posix_test_fd_is_open(fd)));  // the old one is closed (its number may be reused)
  third.reset();
  CHECK(third.get() == -1);
}

TEST_CASE("os_error names what failed, the path and the OS's reason, with io_error unless told") {
  const auto with_path = os_error("cannot open", "/etc/passgate/x.key", ENOENT);
  CHECK(with_path.code == "io_error");
  CHECK(with_path.message == "cannot open /etc/passgate/x.key: No such file or directory");

  const auto coded = os_error("tcgetattr", "/dev/ttyACM0", ENOTTY, "unavailable");
  CHECK(coded.code == "unavailable");
  CHECK(coded.message == "tcgetattr /dev/ttyACM0: Inappropriate ioctl for device");

  const auto no_path = os_error("cannot fork", EAGAIN, "os_error");
  CHECK(no_path.code == "os_error");
  CHECK(no_path.message == "cannot fork: Resource temporarily unavailable");
}

}  // namespace passgate::test
