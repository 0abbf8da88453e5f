// What the GPIO driver tests share: the emulated chip (reset for each test), a real Asio
// loop and time (the driver waits on real file descriptors), line configs, and a recorder of
// the input levels the driver reports.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "common/asio_time.hpp"
#include "controller/config/config.hpp"
#include "tests/support/run_until.hpp"
#include "tests/support/umockdev_gpio.hpp"

namespace passgate::test {

using Strings = std::vector<std::string>;
using LineConfigs = std::map<std::string, hw::GpiodLineConfig>;

// A line on the emulated chip at `offset`.
inline hw::GpiodLineConfig gpio_line(unsigned offset) {
  hw::GpiodLineConfig line;
  line.chip = UmockdevGpio::kChip;
  line.offset = offset;
  return line;
}

// A beam as turnstiles wire them: the receiver pulls the line low while the beam is blocked.
inline hw::GpiodLineConfig beam_line(unsigned offset, std::chrono::milliseconds debounce) {
  auto line = gpio_line(offset);
  line.active_low = true;
  line.bias = hw::LineBias::pull_up;
  line.debounce = debounce;
  return line;
}

// The fire alarm's normally-closed loop to ground: closed = low = clear, open = alarm.
inline hw::GpiodLineConfig alarm_line(unsigned offset) {
  auto line = gpio_line(offset);
  line.bias = hw::LineBias::pull_up;
  return line;
}

struct GpioFixture {
  // The emulated chip first: it must exist before anything starts a thread.
  UmockdevGpio& gpio = reset_gpio();
  boost::asio::io_context io;
  AsioTime time{io};
  Strings heard;  // "line=level" as reported, in order

  static UmockdevGpio& reset_gpio() {
    auto& gpio = UmockdevGpio::instance();
    gpio.reset();
    return gpio;
  }
  void record(const std::string& line, bool active) { heard.push_back(line + "=" + (active ? "1" : "0")); }
  // Runs the loop until `done`; false if it took more than the safety limit.
  [[nodiscard]] bool run_until(const std::function<bool()>& done) { return test::run_until(io, done); }
  // Runs the loop for `span` of real time (to show that nothing happens in it).
  void run_for(std::chrono::milliseconds span) {
    bool over = false;
    const auto timer = time.start(span, [&over] { over = true; });
    REQUIRE(run_until([&over] { return over; }));
  }
};

}  // namespace passgate::test
