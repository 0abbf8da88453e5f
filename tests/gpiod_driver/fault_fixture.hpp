// What the GPIO driver's fault tests share: injected kernel answers (GpioFaults), timers in
// virtual time, write and read attempts timed on a clock that moves only when a test moves it
// (during a write or a read), the sysfs tree chips' buses are looked up in, and the log
// captured.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "common/virtual_time.hpp"
#include "drivers/gpiod_lines.hpp"
#include "tests/gpiod_driver/gpio_faults.hpp"
#include "tests/gpiod_driver/gpio_fixture.hpp"
#include "tests/support/captured_log.hpp"

namespace passgate::test {

using OutputLevels = std::vector<bool>;
constexpr auto kRetryDelay = drivers::GpiodLines::kRetryDelay;
constexpr int kRetries = drivers::GpiodLines::kRetries;

// The clock write attempts are timed on: still, unless a test moves it (during a write).
struct AttemptClock final : Clock {
  SteadyTime now{};
  [[nodiscard]] WallTime wall_now() const override { return WallTime{} + (now - SteadyTime{}); }
  [[nodiscard]] SteadyTime steady_now() const override { return now; }
};

struct FaultFixture : GpioFixture {
  GpioFaults faults;  // before any line is opened: it learns which fd is which line
  VirtualTime virtual_time;
  AttemptClock attempt_clock;
  CapturedLog log;
  std::filesystem::path sysfs = "/sys";  // the emulated chip's (umockdev's): on no I2C bus

  std::unique_ptr<drivers::GpiodLines> open(const LineConfigs& lines, TimerService& timers) {
    auto opened = drivers::GpiodLines::open(io, timers, drivers::GpiodLines::Host{attempt_clock, sysfs}, lines,
                                            [this](const std::string& line, bool active) { record(line, active); });
    if (!opened.ok()) FAIL(opened.error().message);
    return std::move(*opened);
  }
  // Drives the line at `offset` high and low again, `edges` changes in a row starting with
  // high, while the loop is not running: the driver finds them all queued.
  void chatter(unsigned offset, std::size_t edges) {
    for (std::size_t i = 0; i < edges; ++i) gpio.drive(offset, i % 2 == 0);
  }
};

}  // namespace passgate::test
