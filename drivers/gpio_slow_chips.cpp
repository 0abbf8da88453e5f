#include "drivers/gpio_slow_chips.hpp"

namespace passgate::drivers {

void SlowChips::add(const std::string& chip, const std::optional<std::string>& bus) {
  if (bus) bus_[chip] = *bus;
}

std::vector<std::string> SlowChips::mark(const std::string& chip) {
  std::vector<std::string> marked;
  if (!slow_.insert(chip).second) return marked;
  marked.push_back(chip);
  const auto bus = bus_.find(chip);
  if (bus == bus_.end()) return marked;
  for (const auto& [other, other_bus] : bus_) {
    if (other_bus == bus->second && slow_.insert(other).second) marked.push_back(other);
  }
  return marked;
}

std::optional<std::string> SlowChips::bus(const std::string& chip) const {
  const auto found = bus_.find(chip);
  if (found == bus_.end()) return std::nullopt;
  return found->second;
}

}  // namespace passgate::drivers
