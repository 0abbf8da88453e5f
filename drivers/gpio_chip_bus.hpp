// Which I2C bus a GPIO chip hangs on, read from sysfs, for the GPIO driver (gpiod_lines.cpp):
// a stuck I2C bus times out every expander on it at once, so the driver treats the chips of
// one bus as slow together. The kernel links <sysfs>/bus/gpio/devices/<chip> to the chip's
// device, and an I2C client's device sits under its adapter:
//   ../../../devices/platform/soc/fe804000.i2c/i2c-1/1-0020/gpiochip2  ->  "i2c-1"
// The SoC's own GPIO and gpio-sim chips have no I2C adapter in that path. Reads one link,
// bounded; any thread.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace passgate::drivers {

// Whether `name` is a GPIO chip's kernel name: gpiochipN (at most 6 digits).
[[nodiscard]] bool is_gpio_chip_name(std::string_view name);

// The outermost I2C adapter in `chip`'s device path under `sysfs_root` ("/sys" but in tests):
// "i2c-1", or, behind an I2C multiplexer, the parent bus its channels hang on with it; or
// std::nullopt for a chip with no I2C adapter. Errors: "invalid_argument" (`chip` is not a
// chip name, gpiochipN), "not_found" (no such link), "io_error" (the link cannot be read, or
// is longer than a path may be).
[[nodiscard]] Result<std::optional<std::string>> gpio_chip_i2c_bus(const std::filesystem::path& sysfs_root,
                                                                   const std::string& chip);

}  // namespace passgate::drivers
