// SlowChips: the GPIO chips the GPIO driver (gpiod_lines.cpp) found too slow to write or read
// inline, kept per I2C bus: a hung bus holds every expander on it, so the first chip found
// slow marks every chip on its bus at once, instead of each costing the loop a hung access
// of its own before it is known. A chip on no known bus (the SoC's GPIO, gpio-sim, or a bus
// sysfs did not tell) is a group of its own. Single-threaded, as the driver.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace passgate::drivers {

class SlowChips {
 public:
  // `chip` is on I2C bus `bus` ("i2c-1"), or on none known (std::nullopt). Once per chip,
  // before any is marked; a chip never added is a group of its own.
  void add(const std::string& chip, const std::optional<std::string>& bus);
  // Marks `chip` slow, and every chip added on its bus. Returns the chips newly marked,
  // `chip` first; none if `chip` was slow already.
  [[nodiscard]] std::vector<std::string> mark(const std::string& chip);
  [[nodiscard]] bool contains(const std::string& chip) const { return slow_.contains(chip); }
  // The bus `chip` was added on, if any.
  [[nodiscard]] std::optional<std::string> bus(const std::string& chip) const;
  // Every slow chip, by name.
  [[nodiscard]] const std::set<std::string>& chips() const { return slow_; }

 private:
  std::map<std::string, std::string> bus_;  // chip -> its bus, for chips on a known bus
  std::set<std::string> slow_;
};

}  // namespace passgate::drivers
