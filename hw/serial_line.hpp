// What a serial (CDC-ACM) scanner's line carries, without any I/O: the baud rates and read
// suffixes Passgate supports (shared by config checking and the serial driver), and
// SerialFramer, which cuts the received byte stream into reads. Single-threaded.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace passgate::hw {

inline constexpr std::array<int, 9> kSerialBaudRates{1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400};
inline constexpr std::array<std::string_view, 3> kSerialSuffixes{"\r", "\n", "\r\n"};

[[nodiscard]] bool is_serial_baud_rate(int baud);
[[nodiscard]] bool is_serial_suffix(std::string_view suffix);

// Cuts a byte stream into reads. A read ends at the suffix's last byte (CR for "\r", LF for
// "\n" and "\r\n"); CR and LF around a read are dropped and empty reads are ignored, so a
// scanner that sends CRLF where CR or LF is configured still reads cleanly. A read that grows
// past `max_length` bytes before its suffix is discarded up to the next suffix (on_overlong
// is called once for it) and framing goes on with the read after it.
class SerialFramer {
 public:
  // REQUIRES: is_serial_suffix(suffix).
  SerialFramer(std::string_view suffix, std::size_t max_length);

  void feed(std::string_view bytes, const std::function<void(std::string read)>& on_read,
            const std::function<void()>& on_overlong);
  // Drops a partial read (the device went away in the middle of one).
  void reset();

 private:
  char terminator_;
  std::size_t max_length_;
  std::string partial_;
  bool discarding_ = false;
};

}  // namespace passgate::hw
