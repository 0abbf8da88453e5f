// ScanFilter: decides whether a scanner's read (already normalized, hw/scan_text.hpp) goes
// on to the lane. Per scanner:
//   - a read longer than `max_length` bytes, or with a byte outside printable ASCII
//     (0x20-0x7e), is refused; `why` says so with the length, the reason and the offset,
//     never the text nor any byte of it (it may be a token); the gate denies it as malformed;
//   - the same text as that scanner's previous read, within `repeat_window` of it, is a
//     repeat and counts once (a code held in front of the scanner is read again and again;
//     each repeat extends the window). A refused read is not remembered. Window 0: off.
// Pure logic, time from the injected Clock. Single-threaded.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "common/clock.hpp"

namespace passgate::hw {

enum class ScanVerdict { accepted, repeated, refused };

struct ScanCheck {
  ScanVerdict verdict = ScanVerdict::accepted;
  std::string why;  // refused or repeated: for the log; never contains the text
};

class ScanFilter {
 public:
  struct Limits {
    Millis repeat_window{2000};
    std::size_t max_length = 4096;
  };

  ScanFilter(const Clock& clock, Limits limits);

  [[nodiscard]] ScanCheck check(const std::string& scanner, std::string_view text);
  // A new repeat window (a config reload), for every read from now on. The length limit
  // stays: the scanner drivers cut reads at the one they started with.
  void set_repeat_window(Millis window) { limits_.repeat_window = window; }

 private:
  struct LastRead {
    std::string text;
    SteadyTime at;
  };

  const Clock& clock_;
  Limits limits_;
  std::map<std::string, LastRead, std::less<>> last_;
};

}  // namespace passgate::hw
