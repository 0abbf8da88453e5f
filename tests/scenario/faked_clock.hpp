// FakedClock: a stepped wall clock for the real passgated, through Debian's libfaketime
// (LD_PRELOAD, package libfaketime). The program's wall clock reads true time plus an offset
// kept in a file the test owns (FAKETIME_TIMESTAMP_FILE, read again at every clock reading:
// FAKETIME_NO_CACHE=1), so step_to() steps it while the program runs, as NTP or a hand-set
// clock would. The monotonic clock stays real (FAKETIME_DONT_FAKE_MONOTONIC=1): timers,
// time-outs and retries are not moved. Only programs started with environment() are faked.
// Test code: failures are Catch2 REQUIRE failures.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace passgate::scenario {

class FakedClock {
 public:
  // The clock file `file`, with the wall clock ahead of true time by `offset` (negative: behind).
  FakedClock(std::filesystem::path file, std::chrono::seconds offset);

  // From the program's next clock reading on, its wall clock is true time plus `offset`.
  void step_to(std::chrono::seconds offset);
  [[nodiscard]] std::chrono::seconds offset() const { return offset_; }
  [[nodiscard]] const std::filesystem::path& file() const { return file_; }

  // What to set in a program's environment ("NAME=value") to run it on this clock: the
  // library preloaded (before any LD_PRELOAD of the test's), and ASan told not to insist on
  // coming first (ASAN_OPTIONS of the test's kept, verify_asan_link_order=0 added).
  [[nodiscard]] std::vector<std::string> environment() const;

 private:
  std::filesystem::path file_;
  std::chrono::seconds offset_{0};
};

}  // namespace passgate::scenario
