// LineFramer: cuts a byte stream into lines ending at one terminator byte, bounded in length:
// the JSON-line local sockets (rig link, control socket; '\n') and serial scanners (CR or
// LF, hw/serial_line.hpp). CR and LF around a line are dropped and empty lines ignored, so
// CRLF works wherever CR or LF is expected. A line that grows past `max_length` bytes before
// its terminator is discarded up to the next one (on_overlong is called once for it) and
// framing goes on after it. Pure logic, single-threaded.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace passgate::hw {

class LineFramer {
 public:
  LineFramer(char terminator, std::size_t max_length);

  void feed(std::string_view bytes, const std::function<void(std::string line)>& on_line,
            const std::function<void()>& on_overlong);
  // Whether part of a line has come and its terminator not yet.
  [[nodiscard]] bool mid_line() const { return !partial_.empty() || discarding_; }
  // Drops a partial line (the device or peer went away in the middle of one).
  void reset();

 private:
  char terminator_;
  std::size_t max_length_;
  std::string partial_;
  bool discarding_ = false;
};

}  // namespace passgate::hw
