// What a serial (CDC-ACM) scanner's line carries, without any I/O: the baud rates and read
// suffixes Passgate supports, shared by config checking and the serial driver (which cuts
// reads with hw::LineFramer).
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace passgate::hw {

inline constexpr std::array<int, 9> kSerialBaudRates{1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400};
inline constexpr std::array<std::string_view, 3> kSerialSuffixes{"\r", "\n", "\r\n"};

[[nodiscard]] bool is_serial_baud_rate(int baud);
[[nodiscard]] bool is_serial_suffix(std::string_view suffix);

// The byte that ends a read for a suffix: its last one (CR for "\r", LF for "\n" and "\r\n");
// hw::LineFramer drops the CR/LF around it. REQUIRES: is_serial_suffix(suffix).
[[nodiscard]] char serial_terminator(std::string_view suffix);

}  // namespace passgate::hw
