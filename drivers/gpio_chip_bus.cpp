#include "drivers/gpio_chip_bus.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <climits>

#include <unistd.h>

#include "common/posix.hpp"

namespace passgate::drivers {
namespace {

constexpr std::size_t kMaxDigits = 6;  // gpiochipN, i2c-N: more is not a kernel's name

bool digits(std::string_view text) {
  return !text.empty() && text.size() <= kMaxDigits &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// "i2c-1": an I2C adapter's device (not "fe804000.i2c", its controller, nor "1-0020", a client).
bool is_adapter(std::string_view part) {
  constexpr std::string_view kPrefix = "i2c-";
  return part.starts_with(kPrefix) && digits(part.substr(kPrefix.size()));
}

}  // namespace

bool is_gpio_chip_name(std::string_view name) {
  constexpr std::string_view kPrefix = "gpiochip";
  return name.starts_with(kPrefix) && digits(name.substr(kPrefix.size()));
}

Result<std::optional<std::string>> gpio_chip_i2c_bus(const std::filesystem::path& sysfs_root,
                                                     const std::string& chip) {
  if (!is_gpio_chip_name(chip)) {
    return make_error("invalid_argument", "\"" + chip + "\" is not a GPIO chip's name (gpiochipN)");
  }
  const std::filesystem::path link = sysfs_root / "bus" / "gpio" / "devices" / chip;
  std::array<char, PATH_MAX> target{};
  const ssize_t got = ::readlink(link.c_str(), target.data(), target.size());
  if (got < 0) {
    const int error = errno;
    return os_error("cannot read the link", link, error, error == ENOENT ? "not_found" : "io_error");
  }
  if (static_cast<std::size_t>(got) >= target.size()) {
    return make_error("io_error", "the link " + link.string() + " is longer than a path may be");
  }
  const std::string_view path(target.data(), static_cast<std::size_t>(got));
  for (std::size_t start = 0; start < path.size();) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view part = path.substr(start, end - start);
    if (is_adapter(part)) return std::optional<std::string>(std::string(part));
    start = end + 1;
  }
  return std::optional<std::string>();
}

}  // namespace passgate::drivers
