// GpiodLines keeps slowness per I2C bus: two expanders are two chips opened from the one
// emulated chip (by name, gpiochip0, and by path, named gpiochip1: GpioFaults::name_chips),
// placed on buses by a fake sysfs tree. A hang found on one chip marks every chip of its bus
// slow at once, so the fire alarm's latch, the retries due then and the shutdown hold the
// loop for none of them; an input there is lost without a read; a chip on no bus is not
// touched by it; and a release check stops at the first access that finds a chip slow.
// Timers run in virtual time; each hung access moves the attempt clock by a second.
#include <cerrno>
#include <chrono>
#include <string>

#include <catch2/catch.hpp>

#include "tests/gpiod_driver/fake_sysfs.hpp"
#include "tests/gpiod_driver/fault_fixture.hpp"

using namespace std::chrono_literals;
using passgate::SteadyTime;
using passgate::drivers::GpiodLines;
using passgate::test::alarm_line;
using passgate::test::FakeSysfs;
using passgate::test::FaultFixture;
using passgate::test::gpio_line;
using passgate::test::i2c_client;
using passgate::test::kRetryDelay;
using passgate::test::kSocGpio;
using passgate::test::Strings;

namespace {

constexpr unsigned kBusAlarmLine = 9;

// Two chips from the emulated one: the first opened (by name) is gpiochip0, the second (by
// path) gpiochip1; `second_parent` says where gpiochip1 sits (gpiochip0 is on i2c-1).
struct TwoChips : FaultFixture {
  FakeSysfs tree;
  bool hung = true;   // the bus holds each access a second
  int accesses = 0;   // writes and level reads on the lines hang() watches

  explicit TwoChips(const std::string& second_parent) {
    tree.add_chip("gpiochip0", i2c_client("i2c-1", "0020"));
    tree.add_chip("gpiochip1", second_parent);
    sysfs = tree.root();
    faults.name_chips({"gpiochip0", "gpiochip1"});
    gpio.drive(kBusAlarmLine, false);
  }
  // A line of the second chip (lines of the first are gpio_line()).
  static passgate::hw::GpiodLineConfig on_second(unsigned offset) {
    auto line = gpio_line(offset);
    line.chip = std::string("/dev/") + passgate::test::UmockdevGpio::kChip;
    return line;
  }
  // Each write and level read of the line at `offset` is counted, and hangs a second while `hung`.
  void hang(unsigned offset) {
    const auto access = [this] {
      ++accesses;
      if (hung) attempt_clock.now += 1000ms;
    };
    faults.during_writes(offset, access);
    faults.during_level_reads(offset, access);
  }
  [[nodiscard]] SteadyTime::duration held_since(SteadyTime before) const { return attempt_clock.now - before; }
};

struct TwoExpandersOnOneBus : TwoChips {
  TwoExpandersOnOneBus() : TwoChips(i2c_client("i2c-1", "0021")) {}
};

struct ExpandersOnTwoBuses : TwoChips {
  ExpandersOnTwoBuses() : TwoChips(i2c_client("i2c-2", "0020")) {}
};

struct ExpanderAndSocChip : TwoChips {
  ExpanderAndSocChip() : TwoChips(kSocGpio) {}
};

}  // namespace

TEST_CASE_METHOD(TwoExpandersOnOneBus, "a hang found on one expander makes its bus's other expander slow too: the latch then writes none inline") {
  auto lines = open({{"fire_alarm", alarm_line(kBusAlarmLine)}, {"lane1.release_in", gpio_line(2)},
                     {"lane1.release_out", gpio_line(3)}, {"lane2.release_in", on_second(6)},
                     {"lane2.release_out", on_second(7)}}, virtual_time);
  for (const unsigned offset : {2U, 3U, 6U, 7U}) hang(offset);
  virtual_time.advance(GpiodLines::kReleaseCheck);  // one release of gpiochip0 read back: the bus has hung
  CHECK(accesses == 1);
  CHECK(heard == Strings{"fire_alarm=1"});
  CHECK(log.count("event=gpio_chip_slow") == 1);  // one line for both
  CHECK(log.count("event=gpio_chip_slow chip=gpiochip0 bus=i2c-1 marked=gpiochip0,gpiochip1") == 1);
  // The fire alarm's latch: every release asked free, none written inline (lane 2's chip was
  // not found yet: it cost 2 s a release before).
  const SteadyTime latched = attempt_clock.now;
  for (const char* release : {"lane1.release_out", "lane2.release_out", "lane1.release_in", "lane2.release_in"}) {
    lines->set_output(release, true);
  }
  CHECK(held_since(latched) == 0ms);
  CHECK(accesses == 1);
  // Then one slow turn: one write and its read-back hang, the rest wait for the redrive. Egress
  // first: lane 1's exit release.
  virtual_time.run_ready();
  CHECK(accesses == 3);
  CHECK(held_since(latched) == 2000ms);
  CHECK(gpio.high(3));
  CHECK_FALSE(gpio.high(2));
  // The next redrive: lane 2's exit release, before either entry release.
  virtual_time.advance(GpiodLines::kReleaseCheck * GpiodLines::kSlowRedriveChecks);
  CHECK(gpio.high(7));
  CHECK_FALSE(gpio.high(2));
  CHECK_FALSE(gpio.high(6));
  hung = false;  // the bus is back: the redrive frees the rest in one chain
  virtual_time.advance(GpiodLines::kReleaseCheck * GpiodLines::kSlowRedriveChecks);
  for (const unsigned offset : {2U, 6U}) CHECK(gpio.high(offset));
}

TEST_CASE_METHOD(TwoExpandersOnOneBus, "release retries due on two expanders of a hung bus hold the loop for the first one only") {
  auto lines = open({{"fire_alarm", alarm_line(kBusAlarmLine)}, {"lane1.release_out", gpio_line(3)},
                     {"lane2.release_out", on_second(7)}}, virtual_time);
  faults.fail_writes(3, EREMOTEIO, 1);  // NACKed (a supply dip): a retry of each is due
  faults.fail_writes(7, EREMOTEIO, 1);
  lines->set_output("lane1.release_out", true);
  lines->set_output("lane2.release_out", true);
  virtual_time.run_ready();
  hang(3);  // then the bus hangs
  hang(7);
  REQUIRE(virtual_time.run_next(kRetryDelay));  // the first retry hangs: both chips are slow
  CHECK(accesses == 2);
  REQUIRE(virtual_time.run_next(kRetryDelay));  // the second is left to the slow turns
  CHECK(accesses == 2);
  virtual_time.run_ready();  // which write it in a handler of their own
  CHECK(accesses == 4);
  CHECK(gpio.high(3));
  CHECK(gpio.high(7));
  CHECK(log.count("event=gpio_chip_slow chip=gpiochip0 bus=i2c-1 marked=gpiochip0,gpiochip1") == 1);
}

TEST_CASE_METHOD(TwoExpandersOnOneBus, "a slow write that works at shutdown makes its bus's other expander slow too: its release is tried once") {
  auto lines = open({{"fire_alarm", alarm_line(kBusAlarmLine)}, {"lane1.release_in", gpio_line(2)},
                     {"lane2.release_in", on_second(6)}}, virtual_time);
  lines->set_output("lane1.release_in", true);
  lines->set_output("lane2.release_in", true);
  faults.during_writes(2, [this] { attempt_clock.now += 1000ms; });  // slow, but it goes through
  faults.fail_writes(6, ETIMEDOUT);
  lines.reset();
  CHECK_FALSE(gpio.high(2));             // written, slowly
  CHECK(faults.failed_writes(6) == 1);  // still tried (each attempt may take seconds: once)
  CHECK(log.count("event=gpio_chip_slow chip=gpiochip0 bus=i2c-1 marked=gpiochip0,gpiochip1") == 1);
}

TEST_CASE_METHOD(TwoExpandersOnOneBus, "a write that hangs and fails at shutdown leaves its bus's other releases untried: one time-out per bus") {
  auto lines = open({{"fire_alarm", alarm_line(kBusAlarmLine)}, {"lane1.release_in", gpio_line(2)},
                     {"lane2.release_in", on_second(6)}}, virtual_time);
  lines->set_output("lane1.release_in", true);
  lines->set_output("lane2.release_in", true);
  faults.during_writes(2, [this] { attempt_clock.now += 1000ms; });  // the bus hangs at the stop
  faults.fail_writes(2, ETIMEDOUT);
  faults.fail_writes(6, ETIMEDOUT);
  lines.reset();
  CHECK(faults.failed_writes(2) == 1);
  CHECK(faults.failed_writes(6) == 0);  // not tried: the bus hung
  CHECK(log.count("event=gpio_safe_level_failed line=lane2.release_in") == 1);
  CHECK(log.count("not written: an access on its bus hung at this stop") == 1);
}

TEST_CASE_METHOD(TwoExpandersOnOneBus, "an input on a chip its bus made slow is lost without a read: the alarm's poll holds the loop no more") {
  auto lines = open({{"fire_alarm", alarm_line(kBusAlarmLine)}, {"lane1.release_out", on_second(7)}}, virtual_time);
  hang(7);
  virtual_time.advance(GpiodLines::kReleaseCheck);  // gpiochip1's release read back: the bus has hung
  REQUIRE(log.count("marked=gpiochip1,gpiochip0") == 1);
  REQUIRE(heard == Strings{"fire_alarm=1"});
  hang(kBusAlarmLine);  // gpiochip0's reads would hang now too
  const int before = accesses;
  virtual_time.advance(GpiodLines::kAlarmPoll * 5);
  CHECK(accesses == before);
  CHECK(log.count("its chip gpiochip0 is too slow to read (gpio_chip_slow)") == 1);
  CHECK(heard == Strings{"fire_alarm=1"});  // held active: supervision is lost
  CHECK(lines->inputs().at("fire_alarm"));
}

TEST_CASE_METHOD(ExpanderAndSocChip, "a chip on no I2C bus is not made slow by an expander's hang: the latch writes its release at once") {
  auto lines = open({{"fire_alarm", alarm_line(kBusAlarmLine)}, {"lane1.release_out", gpio_line(3)},
                     {"lane2.release_out", on_second(7)}}, virtual_time);
  hang(3);
  virtual_time.advance(GpiodLines::kReleaseCheck);  // the expander's release read back: its bus has hung
  REQUIRE(log.count("event=gpio_chip_slow chip=gpiochip0 bus=i2c-1 marked=gpiochip0 ") == 1);
  lines->set_output("lane1.release_out", true);
  lines->set_output("lane2.release_out", true);
  CHECK(gpio.high(7));  // the SoC's pin, inline
  CHECK_FALSE(gpio.high(3));  // the expander's, in a slow turn after the loop turn
  virtual_time.run_ready();
  CHECK(gpio.high(3));
}

TEST_CASE_METHOD(ExpandersOnTwoBuses, "a release check stops at the first access that finds a chip slow: another bus's chip waits for the next check") {
  const bool held_free = GENERATE(false, true);  // read back as held free, or probed in turn
  auto lines = open({{"fire_alarm", alarm_line(kBusAlarmLine)}, {"lane1.release_out", gpio_line(3)},
                     {"lane2.release_out", on_second(7)}}, virtual_time);
  if (held_free) {
    lines->set_output("lane1.release_out", true);
    lines->set_output("lane2.release_out", true);
  }
  hang(3);  // both buses hang (a shared supply dipped)
  hang(7);
  virtual_time.advance(GpiodLines::kReleaseCheck);
  CHECK(accesses == 1);  // one hung read in this check, not one per chip
  CHECK(log.count("event=gpio_chip_slow chip=gpiochip0 bus=i2c-1 marked=gpiochip0 ") == 1);
  virtual_time.advance(GpiodLines::kReleaseCheck);
  CHECK(accesses == 2);
  CHECK(log.count("event=gpio_chip_slow chip=gpiochip1 bus=i2c-2 marked=gpiochip1 ") == 1);
  virtual_time.advance(GpiodLines::kReleaseCheck * 3);  // both slow now: no check reads them
  CHECK(accesses == 2);
}
