// FakeSysfs: as much of a sysfs tree as the GPIO driver reads, in a test's own folder: each
// chip's link under bus/gpio/devices to its device, whose path tells the chip's I2C bus. For
// tests of chips on one bus without real I2C (GpiodLines::Host::sysfs).
#pragma once

#include <filesystem>
#include <string>

#include "tests/support/temp_dir.hpp"

namespace passgate::test {

// Where chips' devices sit in the tree, as on a Raspberry Pi: under the SoC's GPIO block, or
// as an expander at an address on an I2C adapter ("i2c-1") of the SoC's I2C controller.
inline const std::string kSocGpio = "platform/soc/fe200000.gpio";
inline std::string i2c_client(const std::string& adapter, const std::string& address) {
  return "platform/soc/fe804000.i2c/" + adapter + "/" + adapter.substr(4) + "-" + address;
}

class FakeSysfs {
 public:
  // `chip`'s device is devices/<parent>/<chip>, linked from bus/gpio/devices/<chip> with a
  // relative target, as the kernel links it.
  void add_chip(const std::string& chip, const std::string& parent) {
    const std::filesystem::path device = std::filesystem::path("devices") / parent / chip;
    std::filesystem::create_directories(dir_.path() / device);
    const std::filesystem::path links = dir_.path() / "bus" / "gpio" / "devices";
    std::filesystem::create_directories(links);
    std::filesystem::create_directory_symlink(std::filesystem::path("../../..") / device, links / chip);
  }
  [[nodiscard]] const std::filesystem::path& root() const { return dir_.path(); }

 private:
  TempDir dir_;
};

}  // namespace passgate::test
