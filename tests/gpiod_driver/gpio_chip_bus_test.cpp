// A GPIO chip's I2C bus is read from its sysfs link (gpio_chip_i2c_bus), and the chips found
// slow are kept per bus (SlowChips): the first chip found slow marks every chip on its bus.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "drivers/gpio_chip_bus.hpp"
#include "drivers/gpio_slow_chips.hpp"
#include "tests/gpiod_driver/fake_sysfs.hpp"

using passgate::drivers::gpio_chip_i2c_bus;
using passgate::drivers::SlowChips;
using passgate::test::FakeSysfs;
using passgate::test::i2c_client;
using passgate::test::kSocGpio;

namespace {

using ChipNames = std::vector<std::string>;
using MaybeBus = std::optional<std::string>;

}  // namespace

TEST_CASE("a GPIO chip's I2C bus is its outermost I2C adapter in sysfs, and none for the SoC's own GPIO") {
  FakeSysfs sysfs;
  sysfs.add_chip("gpiochip0", kSocGpio);
  sysfs.add_chip("gpiochip2", i2c_client("i2c-1", "0020"));
  sysfs.add_chip("gpiochip3", i2c_client("i2c-1", "0070") + "/i2c-11/11-0021");  // behind a multiplexer on i2c-1
  sysfs.add_chip("gpiochip4", "platform/i2c-gpio.0/i2c-3/3-0020");               // a bit-banged bus
  const auto bus = [&](const std::string& chip) {
    auto found = gpio_chip_i2c_bus(sysfs.root(), chip);
    if (!found.ok()) FAIL(found.error().message);
    return *found;
  };
  CHECK(bus("gpiochip0") == MaybeBus{});
  CHECK(bus("gpiochip2") == MaybeBus{"i2c-1"});
  CHECK(bus("gpiochip3") == MaybeBus{"i2c-1"});
  CHECK(bus("gpiochip4") == MaybeBus{"i2c-3"});
}

TEST_CASE("a GPIO chip's I2C bus is an error for a chip sysfs does not link, a path that is no link, or a bad name") {
  FakeSysfs sysfs;
  std::filesystem::create_directories(sysfs.root() / "bus" / "gpio" / "devices" / "gpiochip5");  // no link
  const auto code = [&](const std::string& chip) {
    const auto found = gpio_chip_i2c_bus(sysfs.root(), chip);
    return found.ok() ? std::string("ok") : found.error().code;
  };
  CHECK(code("gpiochip1") == "not_found");
  CHECK(code("gpiochip5") == "io_error");
  CHECK(code("gpiochip") == "invalid_argument");
  CHECK(code("../gpiochip1") == "invalid_argument");
  CHECK(code("gpiochip1234567") == "invalid_argument");
}

TEST_CASE("a chip marked slow marks every chip on its I2C bus with it, and no chip on another bus or on none") {
  SlowChips slow;
  slow.add("gpiochip0", std::nullopt);
  slow.add("gpiochip1", "i2c-1");
  slow.add("gpiochip2", "i2c-1");
  slow.add("gpiochip3", "i2c-2");
  CHECK(slow.mark("gpiochip2") == ChipNames{"gpiochip2", "gpiochip1"});
  CHECK(slow.contains("gpiochip1"));
  CHECK_FALSE(slow.contains("gpiochip3"));
  CHECK_FALSE(slow.contains("gpiochip0"));
  CHECK(slow.mark("gpiochip1").empty());  // slow already
  CHECK(slow.mark("gpiochip0") == ChipNames{"gpiochip0"});
  CHECK(slow.mark("gpiochip7") == ChipNames{"gpiochip7"});  // never added: alone
  CHECK(slow.chips().size() == 4);
  CHECK(slow.bus("gpiochip2") == MaybeBus{"i2c-1"});
  CHECK(slow.bus("gpiochip0") == MaybeBus{});
}
