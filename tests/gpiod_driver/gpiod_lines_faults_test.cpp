// GpiodLines when the kernel's answers go wrong (GpioFaults injects them): output writes
// that fail are retried on the loop and the line lost when they keep failing, input edges
// the kernel's full event queue dropped are made good by reading the level, level reads that
// fail are retried, and an event read interrupted by a signal is read again. Writes are read
// back (an old kernel answers 0 to a write an I2C expander failed) and a failed attempt that
// took too long is not retried. Timers run in virtual time, write attempts are timed on a
// test clock that moves only when a test moves it; the loop runs only to deliver what the
// emulated chip's fds carry.
#include <cerrno>

#include <catch2/catch.hpp>

#include "tests/gpiod_driver/fault_fixture.hpp"

using namespace std::chrono_literals;
using passgate::drivers::GpiodLines;
using passgate::test::alarm_line;
using passgate::test::beam_line;
using passgate::test::FaultFixture;
using passgate::test::gpio_line;
using passgate::test::kRetries;
using passgate::test::kRetryDelay;
using passgate::test::OutputLevels;
using passgate::test::Strings;

namespace {

constexpr std::size_t kKernelQueue = 16;  // uAPI v1: unread edge events the kernel keeps per line

}  // namespace

TEST_CASE_METHOD(FaultFixture,
                 "a failed output write is retried on the loop, and output() says what the line has until then") {
  auto lines = open({{"lane1.release_out", gpio_line(3)}}, virtual_time);
  faults.fail_writes(3, EREMOTEIO, 2);  // an I2C expander that does not answer, twice
  lines->set_output("lane1.release_out", true);
  CHECK(gpio.output_history(3) == OutputLevels{false});
  CHECK_FALSE(lines->output("lane1.release_out"));  // the release is not on, so it does not say so

  virtual_time.advance(kRetryDelay);  // the first retry fails too
  CHECK(faults.failed_writes(3) == 2);
  CHECK_FALSE(lines->output("lane1.release_out"));
  lines->set_output("lane1.release_out", true);  // asked again: the pending retry does it
  CHECK(faults.failed_writes(3) == 2);

  virtual_time.advance(kRetryDelay);
  CHECK(gpio.output_history(3) == OutputLevels{false, true});
  CHECK(lines->output("lane1.release_out"));
  CHECK(log.count("event=gpio_output_failed") == 1);  // once for the episode
  CHECK(log.count("event=gpio_output_recovered line=lane1.release_out") == 1);
  CHECK(log.count("attempts=3") == 1);
  virtual_time.advance(kRetryDelay * (kRetries + 1));
  CHECK(virtual_time.pending() == 1);  // the release check alone: nothing left to retry
  CHECK(heard.empty());
  CHECK(log.count("event=gpio_lost") == 0);
}

TEST_CASE_METHOD(FaultFixture, "a newer set_output supersedes a pending retry, which writes the latest level once") {
  auto lines = open({{"lane1.release_out", gpio_line(3)}, {"lane1.led_green", gpio_line(4)}}, virtual_time);
  faults.fail_writes(3, EAGAIN, 1);
  lines->set_output("lane1.release_out", true);  // fails
  lines->set_output("lane1.release_out", false);
  lines->set_output("lane1.release_out", true);
  lines->set_output("lane1.led_green", true);  // another line is not held up
  CHECK(gpio.output_history(4) == OutputLevels{false, true});
  CHECK(gpio.output_history(3) == OutputLevels{false});
  virtual_time.advance(kRetryDelay);
  CHECK(gpio.output_history(3) == OutputLevels{false, true});
  CHECK(lines->output("lane1.release_out"));

  faults.fail_writes(3, EINTR, 1);
  lines->set_output("lane1.release_out", false);  // fails: the release stays on
  CHECK(lines->output("lane1.release_out"));
  lines->set_output("lane1.release_out", true);  // wanted on again before the retry
  virtual_time.advance(kRetryDelay);  // the retry writes "on": no change, but the line takes writes again
  CHECK(gpio.output_history(3) == OutputLevels{false, true, true});
  CHECK(lines->output("lane1.release_out"));
  CHECK(log.count("event=gpio_output_recovered") == 2);
}

TEST_CASE_METHOD(FaultFixture,
                 "an output whose writes keep failing is lost when its retries are used up: a fire alarm") {
  gpio.drive(9, false);  // the alarm loop is closed: clear
  auto lines = open({{"fire_alarm", alarm_line(9)}, {"lane1.release_in", gpio_line(2)}}, virtual_time);
  faults.fail_writes(2, ETIMEDOUT);  // for good
  lines->set_output("lane1.release_in", true);
  virtual_time.advance(kRetryDelay * (kRetries - 1));
  CHECK(faults.failed_writes(2) == kRetries);
  CHECK(heard.empty());
  CHECK_FALSE(lines->inputs().at("fire_alarm"));

  virtual_time.advance(kRetryDelay);  // the last retry fails: the line is lost
  CHECK(faults.failed_writes(2) == kRetries + 1);
  CHECK(heard == Strings{"fire_alarm=1"});
  CHECK(lines->inputs().at("fire_alarm"));
  CHECK_FALSE(lines->output("lane1.release_in"));
  CHECK(log.count("event=gpio_output_failed") == 1);
  CHECK(log.count("event=gpio_lost line=\"output lane1.release_in (line 2 of gpiochip0)\"") == 1);
  CHECK(log.count("11 writes in a row failed") == 1);

  // Lost: no longer retried every kRetryDelay; each level asked for is written once, quietly
  // (after a failed write the pin's level is unknown), and so is each release check's.
  lines->set_output("lane1.release_in", false);
  lines->set_output("lane1.release_in", true);
  lines->set_output("lane1.release_in", true);
  CHECK(faults.failed_writes(2) == kRetries + 4);
  virtual_time.advance(kRetryDelay * (kRetries + 1));  // one release check
  CHECK(faults.failed_writes(2) == kRetries + 5);
  CHECK(heard == Strings{"fire_alarm=1"});
  CHECK(log.count("event=gpio_output_failed") == 1);
  CHECK(log.count("event=gpio_lost") == 1);
}

TEST_CASE_METHOD(FaultFixture, "the shutdown writes the safe level again at once when a write fails") {
  auto lines = open({{"lane1.release_in", gpio_line(2)}}, virtual_time);
  lines->set_output("lane1.release_in", true);
  faults.fail_writes(2, EINTR, 2);
  lines.reset();
  CHECK(faults.failed_writes(2) == 2);
  CHECK(gpio.output_history(2) == OutputLevels{false, true, false});
  CHECK(log.count("event=gpio_safe_level_failed") == 0);
}

TEST_CASE_METHOD(FaultFixture, "a fire alarm loop whose last edge the full kernel queue dropped reads as open") {
  gpio.drive(9, false);
  auto alarm = alarm_line(9);
  alarm.debounce = 50ms;
  auto lines = open({{"fire_alarm", alarm}}, virtual_time);
  faults.limit_event_queue(9, kKernelQueue);
  chatter(9, kKernelQueue + 1);  // the 16 kept edges end closed; the 17th, dropped, opened it for good
  REQUIRE(run_until([&] { return faults.events_read(9) == kKernelQueue; }));
  CHECK(faults.events_dropped(9) == 1);
  CHECK(gpio.high(9));

  virtual_time.advance(200ms);  // far past the debounce time of the clearing
  CHECK(heard == Strings{"fire_alarm=1"});
  CHECK(lines->inputs().at("fire_alarm"));
}

TEST_CASE_METHOD(FaultFixture, "a level read that fails after a batch of edges is retried on the loop") {
  gpio.drive(9, false);
  auto alarm = alarm_line(9);
  alarm.debounce = 50ms;
  auto lines = open({{"fire_alarm", alarm}}, virtual_time);
  faults.limit_event_queue(9, kKernelQueue);
  faults.fail_level_reads(9, EREMOTEIO, 1);
  chatter(9, kKernelQueue + 1);
  REQUIRE(run_until([&] { return faults.events_read(9) == kKernelQueue; }));
  CHECK(faults.failed_level_reads(9) == 1);

  virtual_time.advance(kRetryDelay);  // read again before the clearing's debounce time is up: open
  virtual_time.advance(200ms);
  CHECK(heard == Strings{"fire_alarm=1"});
  CHECK(lines->inputs().at("fire_alarm"));
  CHECK(log.count("event=gpio_input_read_failed line=fire_alarm") == 1);
  CHECK(log.count("event=gpio_input_recovered line=fire_alarm") == 1);
  CHECK(log.count("event=gpio_lost") == 0);
}

TEST_CASE_METHOD(FaultFixture,
                 "an input whose level cannot be read is lost when its retries are used up: a fire alarm") {
  gpio.drive(0, true);  // beam clear
  auto lines = open({{"lane1.beam_outer", beam_line(0, 0ms)}}, virtual_time);
  faults.fail_level_reads(0, EAGAIN);  // for good
  gpio.drive(0, false);
  REQUIRE(run_until([&] { return !heard.empty(); }));
  CHECK(heard == Strings{"lane1.beam_outer=1"});  // the edge itself still counts
  virtual_time.advance(kRetryDelay * (kRetries - 1));
  CHECK(faults.failed_level_reads(0) == kRetries);
  CHECK(heard.size() == 1);

  virtual_time.advance(kRetryDelay);
  CHECK(faults.failed_level_reads(0) == kRetries + 1);
  CHECK(heard == Strings{"lane1.beam_outer=1", "fire_alarm=1"});
  CHECK(lines->inputs().at("fire_alarm"));
  CHECK(log.count("event=gpio_input_read_failed") == 1);
  CHECK(log.count("event=gpio_lost line=\"input lane1.beam_outer (line 0 of gpiochip0)\"") == 1);
  virtual_time.advance(kRetryDelay * (kRetries + 1));
  CHECK(faults.failed_level_reads(0) == kRetries + 1);  // no longer read
}

TEST_CASE_METHOD(FaultFixture, "an event read interrupted by a signal (EINTR) is read again, not a lost line") {
  gpio.drive(0, true);  // beam clear
  gpio.drive(9, false);  // alarm loop closed
  auto lines = open({{"lane1.beam_outer", beam_line(0, 0ms)}, {"fire_alarm", alarm_line(9)}}, time);
  faults.fail_event_reads(0, EINTR, 1);
  gpio.drive(0, false);  // blocked
  REQUIRE(run_until([&] { return !heard.empty(); }));
  CHECK(heard == Strings{"lane1.beam_outer=1"});
  CHECK(faults.failed_event_reads(0) == 1);
  CHECK_FALSE(lines->inputs().at("fire_alarm"));
  CHECK(log.count("event=gpio_lost") == 0);

  gpio.drive(0, true);  // and the line is still watched
  REQUIRE(run_until([&] { return heard.size() == 2; }));
  CHECK(heard.back() == "lane1.beam_outer=0");
}

TEST_CASE_METHOD(FaultFixture,
                 "a write the kernel answers 0 to but the line did not take is found by reading back, and retried") {
  auto lines = open({{"lane1.release_out", gpio_line(3)}}, virtual_time);
  faults.drop_writes(3, 2);  // an expander's NACK on a kernel whose set callback returns void, twice
  lines->set_output("lane1.release_out", true);
  CHECK(faults.dropped_writes(3) == 1);
  CHECK(gpio.output_history(3) == OutputLevels{false});
  CHECK_FALSE(lines->output("lane1.release_out"));  // the release is off, so it does not say on
  virtual_time.run_ready();  // the log line is written after the write's loop turn
  CHECK(log.count("event=gpio_output_failed line=lane1.release_out") == 1);
  CHECK(log.count("read back 0 after writing 1") == 1);

  virtual_time.advance(kRetryDelay);
  CHECK(faults.dropped_writes(3) == 2);
  CHECK_FALSE(lines->output("lane1.release_out"));
  virtual_time.advance(kRetryDelay);  // the fault has cleared: the write takes
  CHECK(gpio.output_history(3) == OutputLevels{false, true});
  CHECK(lines->output("lane1.release_out"));
  CHECK(log.count("event=gpio_output_recovered line=lane1.release_out") == 1);
  CHECK(log.count("attempts=3") == 1);
  virtual_time.advance(kRetryDelay * (kRetries + 1));
  CHECK(virtual_time.pending() == 1);  // the release check alone
  CHECK(heard.empty());
  CHECK(log.count("event=gpio_lost") == 0);
}

TEST_CASE_METHOD(FaultFixture,
                 "an output whose writes are answered 0 but never take is lost when its retries are used up") {
  gpio.drive(9, false);  // the alarm loop is closed: clear
  auto lines = open({{"fire_alarm", alarm_line(9)}, {"lane1.release_in", gpio_line(2)}}, virtual_time);
  faults.drop_writes(2);  // for good
  lines->set_output("lane1.release_in", true);
  virtual_time.advance(kRetryDelay * (kRetries - 1));
  CHECK(faults.dropped_writes(2) == kRetries);
  CHECK(heard.empty());

  virtual_time.advance(kRetryDelay);
  CHECK(faults.dropped_writes(2) == kRetries + 1);
  CHECK(heard == Strings{"fire_alarm=1"});
  CHECK(lines->inputs().at("fire_alarm"));
  CHECK_FALSE(lines->output("lane1.release_in"));
  CHECK(gpio.output_history(2) == OutputLevels{false});
  CHECK(log.count("event=gpio_output_failed") == 1);
  CHECK(log.count("11 writes in a row failed, the last: read back 0 after writing 1") == 1);
  CHECK(log.count("event=gpio_lost line=\"output lane1.release_in (line 2 of gpiochip0)\"") == 1);
}

TEST_CASE_METHOD(FaultFixture, "the read-back compares logical levels: an active-low output reads back what was written") {
  auto release = gpio_line(5);
  release.active_low = true;
  auto lines = open({{"lane1.release_out", release}}, virtual_time);
  lines->set_output("lane1.release_out", true);
  CHECK(lines->output("lane1.release_out"));
  CHECK_FALSE(gpio.high(5));  // active: low on the wire
  lines->set_output("lane1.release_out", false);
  CHECK_FALSE(lines->output("lane1.release_out"));
  CHECK(gpio.high(5));
  CHECK(log.count("event=gpio_output_failed") == 0);
}

TEST_CASE_METHOD(FaultFixture, "a failed write attempt slower than kSlowAttempt loses the line at once, not retried") {
  gpio.drive(9, false);
  auto lines = open({{"fire_alarm", alarm_line(9)}, {"lane1.release_in", gpio_line(2)}}, virtual_time);
  // A kernel that passes the expander's error up, after the I2C adapter's timeout.
  faults.fail_writes(2, ETIMEDOUT);
  faults.during_writes(2, [this] { attempt_clock.now += GpiodLines::kSlowAttempt + 1ms; });
  lines->set_output("lane1.release_in", true);
  CHECK(faults.failed_writes(2) == 1);
  virtual_time.run_ready();
  CHECK(heard == Strings{"fire_alarm=1"});
  CHECK(lines->inputs().at("fire_alarm"));
  CHECK(log.count("a failed write took 101 ms (more than 100 ms: not retried)") == 1);
  CHECK(log.count("event=gpio_lost line=\"output lane1.release_in (line 2 of gpiochip0)\"") == 1);
  virtual_time.advance(kRetryDelay * (kRetries + 1));
  CHECK(faults.failed_writes(2) == 1);  // never retried
}

TEST_CASE_METHOD(FaultFixture, "a slow write whose read-back does not match is lost at once too") {
  auto lines = open({{"lane1.release_out", gpio_line(3)}}, virtual_time);
  faults.drop_writes(3);
  faults.during_writes(3, [this] { attempt_clock.now += 1000ms; });
  lines->set_output("lane1.release_out", true);
  virtual_time.run_ready();
  CHECK(heard == Strings{"fire_alarm=1"});
  CHECK(faults.dropped_writes(3) == 1);
  CHECK(log.count("a failed write took 1000 ms") == 1);
}

TEST_CASE_METHOD(FaultFixture, "a failed write attempt of kSlowAttempt or less is retried, and a slow one that works stays") {
  auto lines = open({{"lane1.release_out", gpio_line(3)}}, virtual_time);
  faults.fail_writes(3, EREMOTEIO, 1);
  faults.during_writes(3, [this] { attempt_clock.now += GpiodLines::kSlowAttempt; });
  lines->set_output("lane1.release_out", true);
  CHECK_FALSE(lines->output("lane1.release_out"));
  virtual_time.advance(kRetryDelay);  // works, slowly: no retry is needed, nothing lost
  CHECK(lines->output("lane1.release_out"));
  CHECK(heard.empty());
  CHECK(log.count("event=gpio_output_recovered line=lane1.release_out") == 1);
  CHECK(log.count("event=gpio_lost") == 0);
}

TEST_CASE_METHOD(FaultFixture, "the shutdown reads the safe level back and writes it again when it did not take") {
  auto lines = open({{"lane1.release_in", gpio_line(2)}}, virtual_time);
  lines->set_output("lane1.release_in", true);
  faults.drop_writes(2, 2);
  lines.reset();
  CHECK(faults.dropped_writes(2) == 2);
  CHECK(gpio.output_history(2) == OutputLevels{false, true, false});
  CHECK(log.count("event=gpio_safe_level_failed") == 0);
}

TEST_CASE_METHOD(FaultFixture, "a fire alarm whose edges never arrive (a stuck expander interrupt) is seen by the level poll") {
  gpio.drive(9, false);  // closed loop: clear
  auto alarm = alarm_line(9);
  alarm.debounce = 50ms;
  auto lines = open({{"fire_alarm", alarm}}, virtual_time);
  faults.limit_event_queue(9, 0);  // the kernel delivers no edge of this line at all
  gpio.drive(9, true);             // the loop opens: a real alarm
  run_for(50ms);                   // whatever the fd says is taken in (and dropped)
  CHECK(heard.empty());
  CHECK(faults.events_read(9) == 0);
  virtual_time.advance(GpiodLines::kAlarmPoll);
  CHECK(heard == Strings{"fire_alarm=1"});
  CHECK(lines->inputs().at("fire_alarm"));
}

TEST_CASE_METHOD(FaultFixture, "a failed level read slower than kSlowAttempt loses the input at once: a fire alarm") {
  gpio.drive(9, false);
  auto lines = open({{"fire_alarm", alarm_line(9)}}, virtual_time);
  faults.fail_level_reads(9, ETIMEDOUT);
  faults.during_level_reads(9, [this] { attempt_clock.now += GpiodLines::kSlowAttempt + 1ms; });
  virtual_time.advance(GpiodLines::kAlarmPoll);  // the poll reads it: the bus has hung
  CHECK(faults.failed_level_reads(9) == 1);
  virtual_time.run_ready();
  CHECK(heard == Strings{"fire_alarm=1"});
  CHECK(log.count("a failed read of its level took 101 ms (more than 100 ms: not retried)") == 1);
  virtual_time.advance(GpiodLines::kAlarmPoll * 10);
  CHECK(faults.failed_level_reads(9) == 1);  // never read again: no poll, no retry
}

TEST_CASE_METHOD(FaultFixture, "after a slow write a release on that chip waits for the loop turn's end, its lights are left alone") {
  gpio.drive(9, false);
  auto lines = open({{"fire_alarm", alarm_line(9)}, {"lane1.led_green", gpio_line(4)},
                     {"lane1.release_in", gpio_line(2)}}, virtual_time);
  faults.fail_writes(4, ETIMEDOUT);
  faults.during_writes(4, [this] { attempt_clock.now += 1000ms; });
  lines->set_output("lane1.led_green", true);  // the expander's bus hangs: lost, the chip slow
  REQUIRE(faults.failed_writes(4) == 1);
  virtual_time.run_ready();
  REQUIRE(heard == Strings{"fire_alarm=1"});
  CHECK(log.count("event=gpio_chip_slow") == 1);
  // The fire alarm's writes: none is made inline (each may hold the loop a second again) ...
  lines->set_output("lane1.release_in", true);
  lines->set_output("lane1.led_green", true);
  CHECK_FALSE(gpio.high(2));
  CHECK(faults.failed_writes(4) == 1);
  // ... and no release is dropped: driven once the turn is over.
  virtual_time.run_ready();
  CHECK(gpio.high(2));
  CHECK(lines->output("lane1.release_in"));
  // A light there is left alone, whatever level is asked for (each write may hold the loop).
  lines->set_output("lane1.led_green", false);
  virtual_time.advance(kRetryDelay * (kRetries + 1));
  CHECK(faults.failed_writes(4) == 1);
  CHECK(gpio.output_history(4) == OutputLevels{false});
}

TEST_CASE_METHOD(FaultFixture, "a release whose write landed but whose read-back hung is driven again at the fire alarm") {
  gpio.drive(9, false);
  auto lines = open({{"fire_alarm", alarm_line(9)}, {"lane1.release_out", gpio_line(3)}}, virtual_time);
  lines->set_output("lane1.release_out", true);  // egress free
  REQUIRE(gpio.high(3));
  // Locking it: the write lands, then the read-back hangs and fails (a stuck expander bus).
  faults.during_writes(3, [this] { attempt_clock.now += 1000ms; });
  faults.fail_level_reads(3, ETIMEDOUT, 1);
  lines->set_output("lane1.release_out", false);
  REQUIRE_FALSE(gpio.high(3));
  CHECK(lines->output("lane1.release_out"));  // what was last known to work: not what the pin has
  virtual_time.run_ready();
  REQUIRE(heard == Strings{"fire_alarm=1"});
  // The latch asks for egress again: the pin does not have it, so it is written (after the turn).
  lines->set_output("lane1.release_out", true);
  virtual_time.run_ready();
  CHECK(gpio.high(3));
  CHECK(lines->output("lane1.release_out"));
}

TEST_CASE_METHOD(FaultFixture, "a write that works but takes over kSlowAttempt frees the lanes: the chip is too slow to drive them") {
  gpio.drive(9, false);
  auto lines = open({{"fire_alarm", alarm_line(9)}, {"lane1.release_in", gpio_line(2)}}, virtual_time);
  faults.during_writes(2, [this] { attempt_clock.now += GpiodLines::kSlowAttempt + 1ms; });
  lines->set_output("lane1.release_in", true);
  CHECK(lines->output("lane1.release_in"));
  virtual_time.run_ready();
  CHECK(heard == Strings{"fire_alarm=1"});
  CHECK(log.count("its chip is too slow to drive the lanes") == 1);
}

TEST_CASE_METHOD(FaultFixture, "a level read that works but hangs past kSlowAttempt loses the input too: a fire alarm") {
  gpio.drive(9, false);
  int reads = 0;  // outlives `lines`: closing them may read the line once more
  auto lines = open({{"fire_alarm", alarm_line(9)}}, virtual_time);
  faults.during_level_reads(9, [this, &reads] {
    ++reads;
    attempt_clock.now += GpiodLines::kSlowAttempt + 1ms;
  });
  virtual_time.advance(GpiodLines::kAlarmPoll);
  REQUIRE(reads == 1);
  virtual_time.run_ready();
  CHECK(heard == Strings{"fire_alarm=1"});
  CHECK(log.count("a read of its level took 101 ms (more than 100 ms)") == 1);
  virtual_time.advance(GpiodLines::kAlarmPoll * 10);
  CHECK(reads == 1);  // not polled again: every poll would hold the loop as long
}
