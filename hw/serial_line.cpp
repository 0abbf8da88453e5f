#include "hw/serial_line.hpp"

#include <algorithm>
#include <cassert>

namespace passgate::hw {
bool is_serial_baud_rate(int baud) {
  return std::find(kSerialBaudRates.begin(), kSerialBaudRates.end(), baud) != kSerialBaudRates.end();
}

bool is_serial_suffix(std::string_view suffix) {
  return std::find(kSerialSuffixes.begin(), kSerialSuffixes.end(), suffix) != kSerialSuffixes.end();
}

char serial_terminator(std::string_view suffix) {
  assert(is_serial_suffix(suffix));
  return suffix.back();
}

}  // namespace passgate::hw
