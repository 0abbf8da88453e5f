// GpiodLines keeps egress free through what a chip does on its own: a release lost while it
// was being driven free is written again (by the next level asked for and by the release
// check every kReleaseCheck), a release an expander dropped by itself is found by reading it
// back, a chip that hangs is found before the fire alarm needs it, the alarm's clearing
// waits kAlarmClearHold, the driver's log lines wait for the end of the loop turn, and the
// shutdown leaves releases free during an alarm. Timers run in virtual time; attempts are
// timed on a test clock that moves only when a test moves it.
#include <cerrno>

#include <catch2/catch.hpp>

#include "tests/gpiod_driver/fault_fixture.hpp"

using namespace std::chrono_literals;
using passgate::drivers::GpiodLines;
using passgate::test::alarm_line;
using passgate::test::FaultFixture;
using passgate::test::gpio_line;
using passgate::test::kRetries;
using passgate::test::kRetryDelay;
using passgate::test::OutputLevels;
using passgate::test::Strings;

namespace {

constexpr unsigned kAlarmLine = 9;

}  // namespace

TEST_CASE_METHOD(FaultFixture, "a release lost while being driven free is written again by the latch and by the release check") {
  gpio.drive(kAlarmLine, false);
  auto lines = open({{"fire_alarm", alarm_line(kAlarmLine)}, {"lane1.release_out", gpio_line(3)}}, virtual_time);
  // Every write answered 0 but not taken (an expander being reset) for a while: lost, alarm.
  faults.drop_writes(3, kRetries + 2);
  lines->set_output("lane1.release_out", true);
  virtual_time.advance(kRetryDelay * kRetries);
  REQUIRE(faults.dropped_writes(3) == kRetries + 1);
  REQUIRE(heard == Strings{"fire_alarm=1"});
  REQUIRE_FALSE(gpio.high(3));
  // The latch asks for egress again: the pin's level is unknown, so it is written (and fails).
  lines->set_output("lane1.release_out", true);
  CHECK(faults.dropped_writes(3) == kRetries + 2);
  CHECK_FALSE(gpio.high(3));
  // The bus is back: the next release check drives it, though nobody asks for a new level.
  virtual_time.advance(GpiodLines::kReleaseCheck);
  CHECK(gpio.high(3));
  CHECK(lines->output("lane1.release_out"));
}

TEST_CASE_METHOD(FaultFixture, "a release held free whose expander resets is read back, found and made an output again") {
  auto lines = open({{"lane1.release_out", gpio_line(3)}}, virtual_time);
  lines->set_output("lane1.release_out", true);
  REQUIRE(gpio.high(3));
  gpio.reset_expander(3);  // the pin is an input now: the barrier locks, nobody wrote it
  REQUIRE_FALSE(gpio.high(3));
  virtual_time.advance(GpiodLines::kReleaseCheck);  // a value write alone would not drive it
  CHECK(gpio.high(3));
  CHECK(gpio.output_history(3) == OutputLevels{false, true, true});
  CHECK(lines->output("lane1.release_out"));
  CHECK(log.count("event=gpio_output_changed line=lane1.release_out") == 1);
  CHECK(log.count("read back 0 while it should be 1") == 1);
  CHECK(heard.empty());
}

TEST_CASE_METHOD(FaultFixture, "a chip whose release lines hang on a read is found slow by the release check before an alarm needs it") {
  gpio.drive(kAlarmLine, false);
  int reads = 0;  // outlives `lines`: closing them reads the hanging lines once more
  auto lines = open({{"fire_alarm", alarm_line(kAlarmLine)}, {"lane1.release_in", gpio_line(2)},
                     {"lane1.release_out", gpio_line(3)}}, virtual_time);
  const auto hang = [this, &reads] {
    ++reads;
    attempt_clock.now += 1000ms;  // the expander's bus has hung
  };
  faults.during_level_reads(2, hang);
  faults.during_level_reads(3, hang);
  virtual_time.advance(GpiodLines::kReleaseCheck);  // both locked: one of them is read
  CHECK(reads == 1);
  CHECK(heard == Strings{"fire_alarm=1"});
  CHECK(log.count("event=gpio_chip_slow") == 1);
  CHECK(log.count("a read-back took 1000 ms") == 1);
  // The alarm's writes to that chip no longer hold the loop inside the latch pass.
  lines->set_output("lane1.release_out", true);
  CHECK_FALSE(gpio.high(3));
  virtual_time.run_ready();
  CHECK(gpio.high(3));
  // A slow chip is not read back every check: each read may hold the loop a second.
  const int after = reads;
  virtual_time.advance(GpiodLines::kReleaseCheck * 3);
  CHECK(reads == after);
}

TEST_CASE_METHOD(FaultFixture, "a level read that hangs makes its chip slow: a release there is written after the loop turn") {
  gpio.drive(kAlarmLine, false);
  auto lines = open({{"fire_alarm", alarm_line(kAlarmLine)}, {"lane1.release_out", gpio_line(3)}}, virtual_time);
  faults.during_level_reads(kAlarmLine, [this] { attempt_clock.now += GpiodLines::kSlowAttempt + 1ms; });
  virtual_time.advance(GpiodLines::kAlarmPoll);
  REQUIRE(heard == Strings{"fire_alarm=1"});
  CHECK(log.count("event=gpio_chip_slow chip=gpiochip0") == 1);
  lines->set_output("lane1.release_out", true);
  CHECK_FALSE(gpio.high(3));
  virtual_time.run_ready();
  CHECK(gpio.high(3));
}

TEST_CASE_METHOD(FaultFixture, "a slow chip's lost release is written again every kSlowRedriveChecks checks, one line at a time") {
  gpio.drive(kAlarmLine, false);
  auto lines = open({{"fire_alarm", alarm_line(kAlarmLine)}, {"lane1.release_in", gpio_line(2)},
                     {"lane1.release_out", gpio_line(3)}}, virtual_time);
  faults.fail_writes(2, ETIMEDOUT, 1);
  faults.fail_writes(3, ETIMEDOUT, 1);
  faults.during_writes(2, [this] { attempt_clock.now += 1000ms; });
  faults.during_writes(3, [this] { attempt_clock.now += 1000ms; });
  lines->set_output("lane1.release_out", true);  // hangs and fails: lost, the chip slow
  lines->set_output("lane1.release_in", true);   // deferred to the slow turns
  REQUIRE(faults.failed_writes(3) == 1);
  REQUIRE_FALSE(gpio.high(3));
  virtual_time.run_ready();  // one slow turn, egress first: the lost exit release, written (in a second)
  CHECK(gpio.high(3));
  CHECK(faults.failed_writes(2) == 0);  // the entry release waits for the next redrive
  const auto every = GpiodLines::kReleaseCheck * GpiodLines::kSlowRedriveChecks;
  virtual_time.advance(every);  // its write hangs and fails
  CHECK(faults.failed_writes(2) == 1);
  CHECK_FALSE(gpio.high(2));
  virtual_time.advance(every);  // and is written at the next one
  CHECK(gpio.high(2));
  CHECK(gpio.high(3));
}

TEST_CASE_METHOD(FaultFixture, "one bounce of the alarm loop, or a replayed open-closed-open batch, does not clear the alarm") {
  gpio.drive(kAlarmLine, false);
  auto lines = open({{"fire_alarm", alarm_line(kAlarmLine)}}, virtual_time);  // debounce_ms 0, the default
  faults.limit_event_queue(kAlarmLine, 16);  // to count the edges read
  gpio.drive(kAlarmLine, true);
  REQUIRE(run_until([&] { return heard.size() == 1; }));
  gpio.drive(kAlarmLine, false);  // a bounce, read in one batch with the edge that ends it
  gpio.drive(kAlarmLine, true);
  REQUIRE(run_until([&] { return faults.events_read(kAlarmLine) == 3; }));
  virtual_time.advance(GpiodLines::kAlarmClearHold * 2);
  CHECK(heard == Strings{"fire_alarm=1"});
  // Closed for good: cleared once it has held kAlarmClearHold.
  gpio.drive(kAlarmLine, false);
  REQUIRE(run_until([&] { return faults.events_read(kAlarmLine) == 4; }));
  virtual_time.advance(GpiodLines::kAlarmClearHold - 1ms);
  CHECK(heard.size() == 1);
  virtual_time.advance(1ms);
  CHECK(heard == Strings{"fire_alarm=1", "fire_alarm=0"});
}

TEST_CASE_METHOD(FaultFixture, "a clearing of the alarm waits again while its level cannot be read") {
  gpio.drive(kAlarmLine, false);
  auto lines = open({{"fire_alarm", alarm_line(kAlarmLine)}}, virtual_time);
  gpio.drive(kAlarmLine, true);
  REQUIRE(run_until([&] { return heard.size() == 1; }));
  faults.fail_level_reads(kAlarmLine, EREMOTEIO, 3);  // the read after the clearing's edge, and two retries
  gpio.drive(kAlarmLine, false);
  REQUIRE(run_until([&] { return faults.failed_level_reads(kAlarmLine) == 1; }));
  virtual_time.advance(kRetryDelay * 3);  // the third retry reads the loop closed: the hold starts again
  REQUIRE(faults.failed_level_reads(kAlarmLine) == 3);
  virtual_time.advance(GpiodLines::kAlarmClearHold - kRetryDelay * 3);  // the edge's hold would be over
  CHECK(heard.size() == 1);
  virtual_time.advance(kRetryDelay * 3);
  CHECK(heard == Strings{"fire_alarm=1", "fire_alarm=0"});
}

TEST_CASE_METHOD(FaultFixture, "the driver's log lines are written after the loop turn, after the alarm's report") {
  gpio.drive(kAlarmLine, false);
  std::size_t logged_when_heard = 99;
  auto opened = GpiodLines::open(
      io, virtual_time, GpiodLines::Host{attempt_clock},
      {{"fire_alarm", alarm_line(kAlarmLine)}, {"lane1.release_in", gpio_line(2)}, {"lane1.led_red", gpio_line(5)}},
      [&](const std::string& line, bool active) {
        logged_when_heard = log.count("event=gpio_output_failed") + log.count("event=gpio_lost");
        record(line, active);
      });
  REQUIRE(opened.ok());
  auto& lines = *opened;
  faults.fail_writes(5, EREMOTEIO, 1);
  faults.fail_writes(2, ENODEV);
  lines->set_output("lane1.led_red", true);     // fails: logged, retried
  lines->set_output("lane1.release_in", true);  // the chip is gone: lost
  CHECK(log.count("event=gpio_output_failed") == 0);  // nothing written inside set_output
  CHECK(log.count("event=gpio_lost") == 0);
  virtual_time.run_ready();
  CHECK(heard == Strings{"fire_alarm=1"});
  CHECK(logged_when_heard == 0);  // the alarm first, then the lines saying why
  CHECK(log.count("event=gpio_output_failed") == 1);
  CHECK(log.count("event=gpio_lost") == 1);
}

TEST_CASE_METHOD(FaultFixture, "a slow chip gets one release per turn: after a slow write the rest wait, after a fast one the next follows") {
  gpio.drive(kAlarmLine, false);
  bool hung = true;  // outlives `lines`: closing them writes the hanging lines once more
  auto lines = open({{"fire_alarm", alarm_line(kAlarmLine)}, {"lane1.release_in", gpio_line(2)},
                     {"lane1.release_out", gpio_line(3)}, {"lane2.release_out", gpio_line(6)},
                     {"lane1.led_green", gpio_line(4)}}, virtual_time);
  faults.during_writes(4, [this] { attempt_clock.now += 1000ms; });
  lines->set_output("lane1.led_green", true);  // works, slowly: the chip is slow
  virtual_time.run_ready();
  REQUIRE(heard == Strings{"fire_alarm=1"});
  for (const unsigned offset : {2U, 3U, 6U}) {
    faults.during_writes(offset, [this, &hung] {
      if (hung) attempt_clock.now += 1000ms;
    });
  }
  const auto freed = [this] { return int{gpio.high(2)} + int{gpio.high(3)} + int{gpio.high(6)}; };
  lines->set_output("lane1.release_out", true);
  lines->set_output("lane2.release_out", true);
  lines->set_output("lane1.release_in", true);
  CHECK(freed() == 0);  // nothing inline
  virtual_time.run_ready();
  CHECK(freed() == 1);  // one write, a slow one: the loop gets its turn before the next
  hung = false;         // the bus recovers
  virtual_time.advance(GpiodLines::kReleaseCheck * GpiodLines::kSlowRedriveChecks);
  CHECK(freed() == 3);  // fast again: one after the other at once
}

TEST_CASE_METHOD(FaultFixture, "a slow chip's release held free is read back at the redrive, and made an output again after a reset") {
  gpio.drive(kAlarmLine, false);
  auto lines = open({{"fire_alarm", alarm_line(kAlarmLine)}, {"lane1.release_out", gpio_line(3)},
                     {"lane1.led_green", gpio_line(4)}}, virtual_time);
  faults.during_writes(4, [this] { attempt_clock.now += 1000ms; });
  lines->set_output("lane1.led_green", true);
  lines->set_output("lane1.release_out", true);
  virtual_time.run_ready();
  REQUIRE(gpio.high(3));
  gpio.reset_expander(3);
  virtual_time.advance(GpiodLines::kReleaseCheck * GpiodLines::kSlowRedriveChecks);
  CHECK(gpio.high(3));
  CHECK(log.count("event=gpio_output_changed line=lane1.release_out") == 1);
}

TEST_CASE_METHOD(FaultFixture, "a chip found slow at shutdown has its releases written first and its lights left alone") {
  gpio.drive(kAlarmLine, false);
  auto lines = open({{"fire_alarm", alarm_line(kAlarmLine)}, {"lane1.release_in", gpio_line(2)},
                     {"lane1.led_red", gpio_line(5)}}, virtual_time);
  lines->set_output("lane1.led_red", true);
  lines->set_output("lane1.release_in", true);
  faults.during_writes(2, [this] { attempt_clock.now += 1000ms; });  // the bus hangs at the stop
  lines.reset();
  CHECK_FALSE(gpio.high(2));                                    // written (slowly)
  CHECK(gpio.output_history(5) == OutputLevels{false, true});  // not written: it may take seconds more
}

TEST_CASE_METHOD(FaultFixture, "the shutdown during a fire alarm leaves every release free") {
  gpio.drive(kAlarmLine, true);  // the alarm is on
  auto lines = open({{"fire_alarm", alarm_line(kAlarmLine)}, {"lane1.release_in", gpio_line(2)},
                     {"lane1.led_red", gpio_line(5)}}, virtual_time);
  lines->set_output("lane1.release_in", true);
  lines->set_output("lane1.led_red", true);
  lines.reset();
  CHECK(gpio.high(2));       // not locked on the way out
  CHECK_FALSE(gpio.high(5));  // a light goes back to its safe level
}

TEST_CASE_METHOD(FaultFixture, "the shutdown writes nothing but releases to a slow chip, each once") {
  gpio.drive(kAlarmLine, false);
  auto lines = open({{"fire_alarm", alarm_line(kAlarmLine)}, {"lane1.release_in", gpio_line(2)},
                     {"lane1.led_red", gpio_line(5)}}, virtual_time);
  faults.during_writes(5, [this] { attempt_clock.now += 1000ms; });
  lines->set_output("lane1.led_red", true);  // works, slowly: the chip is slow, supervision lost
  virtual_time.run_ready();
  REQUIRE(heard == Strings{"fire_alarm=1"});
  faults.fail_writes(2, ETIMEDOUT);
  lines.reset();
  CHECK(faults.failed_writes(2) == 1);  // tried once: each attempt may take seconds
  CHECK(gpio.output_history(5) == OutputLevels{false, true});  // the light is left as it is
}

TEST_CASE_METHOD(FaultFixture, "a slow chip's release that keeps failing fast is tried a bounded number of times per redrive, never in a loop") {
  gpio.drive(kAlarmLine, false);
  auto lines = open({{"fire_alarm", alarm_line(kAlarmLine)}, {"lane1.release_out", gpio_line(3)},
                     {"lane1.led_green", gpio_line(4)}}, virtual_time);
  faults.during_writes(4, [this] { attempt_clock.now += 1000ms; });
  lines->set_output("lane1.led_green", true);  // the chip is slow
  virtual_time.run_ready();
  faults.fail_writes(3, EREMOTEIO);  // for good, and fast (a dead expander's NACK)
  lines->set_output("lane1.release_out", true);
  virtual_time.advance(1000ms);
  CHECK(faults.failed_writes(3) == kRetries + 1);  // retried, then lost
  const int after = faults.failed_writes(3);
  virtual_time.advance(GpiodLines::kReleaseCheck * GpiodLines::kSlowRedriveChecks);
  CHECK(faults.failed_writes(3) == after + 1);  // once per redrive
}

TEST_CASE_METHOD(FaultFixture, "a retry on a chip found slow meanwhile is dropped for a light, and left to the slow turns for a release") {
  gpio.drive(kAlarmLine, false);
  auto lines = open({{"fire_alarm", alarm_line(kAlarmLine)}, {"lane1.release_in", gpio_line(2)},
                     {"lane1.led_green", gpio_line(4)}, {"lane1.led_red", gpio_line(5)}}, virtual_time);
  faults.fail_writes(4, EREMOTEIO, 1);
  faults.fail_writes(2, EREMOTEIO, 1);
  lines->set_output("lane1.led_green", true);  // fails fast: a retry is due
  lines->set_output("lane1.release_in", true);  // fails fast: a retry is due
  faults.during_writes(5, [this] { attempt_clock.now += 1000ms; });
  lines->set_output("lane1.led_red", true);  // works, slowly: the chip is slow
  virtual_time.run_ready();
  REQUIRE(heard == Strings{"fire_alarm=1"});
  // The two retries come due, and neither writes inline: the light's is dropped, the
  // release's handed to the slow turns ...
  REQUIRE(virtual_time.run_next(kRetryDelay));
  REQUIRE(virtual_time.run_next(kRetryDelay));
  CHECK(faults.failed_writes(2) == 1);
  CHECK_FALSE(gpio.high(2));
  CHECK(faults.failed_writes(4) == 1);
  CHECK(gpio.output_history(4) == OutputLevels{false});
  // ... which write it in a handler of their own.
  virtual_time.run_ready();
  CHECK(gpio.high(2));
}

TEST_CASE_METHOD(FaultFixture, "a retry served again in the chain under way does not make the chain write a lost release twice") {
  gpio.drive(kAlarmLine, false);
  auto lines = open({{"fire_alarm", alarm_line(kAlarmLine)}, {"lane1.release_out", gpio_line(3)},
                     {"lane1.release_in", gpio_line(2)}, {"lane2.release_in", gpio_line(6)},
                     {"lane1.led_green", gpio_line(4)}}, virtual_time);
  faults.fail_writes(2, EREMOTEIO);  // lane 1's entry release can never be written: lost
  lines->set_output("lane1.release_in", true);
  virtual_time.advance(kRetryDelay * (kRetries + 1));
  REQUIRE(faults.failed_writes(2) == kRetries + 1);
  faults.during_writes(4, [this] { attempt_clock.now += 1000ms; });
  lines->set_output("lane1.led_green", true);  // the chip is slow
  virtual_time.run_ready();
  // Each write of the lost release blocks the loop past the exit release's retry delay, so
  // that retry comes due in the middle of the chain.
  faults.during_writes(2, [this] { virtual_time.elapse(kRetryDelay + 10ms); });
  faults.fail_writes(3, EREMOTEIO, 1);  // the exit release fails fast once
  const int lost_before = faults.failed_writes(2);
  lines->set_output("lane1.release_out", true);
  lines->set_output("lane2.release_in", true);
  virtual_time.run_ready();
  CHECK(gpio.high(3));  // the exit release's retry was served in the chain
  CHECK(gpio.high(6));
  CHECK(faults.failed_writes(2) == lost_before + 1);  // the lost release once in the chain, not again
}

TEST_CASE_METHOD(FaultFixture, "a slow chip's release that can never be written does not starve another's read-back") {
  gpio.drive(kAlarmLine, false);
  auto lines = open({{"fire_alarm", alarm_line(kAlarmLine)}, {"lane1.release_in", gpio_line(2)},
                     {"lane1.release_out", gpio_line(3)}, {"lane1.led_green", gpio_line(4)}}, virtual_time);
  lines->set_output("lane1.release_out", true);  // held free
  REQUIRE(gpio.high(3));
  faults.fail_writes(2, EREMOTEIO);  // a shorted pin: release_in never takes a write
  lines->set_output("lane1.release_in", true);
  virtual_time.advance(kRetryDelay * (kRetries + 1));  // lost
  faults.during_writes(4, [this] { attempt_clock.now += 1000ms; });
  lines->set_output("lane1.led_green", true);  // the chip is slow
  virtual_time.run_ready();
  gpio.reset_expander(3);  // and then it resets: lane 1's egress locks
  virtual_time.advance(GpiodLines::kReleaseCheck * GpiodLines::kSlowRedriveChecks);
  CHECK(gpio.high(3));
}

TEST_CASE_METHOD(FaultFixture, "the shutdown makes a slow chip's release held free an output again: an expander that reset is freed") {
  gpio.drive(kAlarmLine, false);
  auto lines = open({{"fire_alarm", alarm_line(kAlarmLine)}, {"lane1.release_in", gpio_line(2)},
                     {"lane1.led_red", gpio_line(5)}}, virtual_time);
  lines->set_output("lane1.release_in", true);
  faults.during_writes(5, [this] { attempt_clock.now += 1000ms; });
  lines->set_output("lane1.led_red", true);  // works, slowly: the chip is slow, supervision lost
  virtual_time.run_ready();
  REQUIRE(heard == Strings{"fire_alarm=1"});  // the stop would leave every release free
  REQUIRE(gpio.high(2));                        // free, confirmed
  gpio.reset_expander(2);  // then the expander resets (a technician reseats it): its pins are inputs
  REQUIRE_FALSE(gpio.high(2));
  lines.reset();
  CHECK(gpio.high(2));  // the stop wrote it as an output, though it was thought free already
}

TEST_CASE_METHOD(FaultFixture, "the shutdown makes a healthy chip's release an output again: one its expander dropped is freed") {
  gpio.drive(kAlarmLine, false);
  auto release_out = gpio_line(3);
  release_out.safe_active = true;  // free at the stop, as config gives an exit release by default
  auto lines = open({{"fire_alarm", alarm_line(kAlarmLine)}, {"lane1.release_out", release_out}}, virtual_time);
  lines->set_output("lane1.release_out", false);  // locked, as outside an alarm
  gpio.reset_expander(3);
  lines.reset();
  CHECK(gpio.high(3));  // its safe level: free (a value write alone would drive nothing)
}

TEST_CASE_METHOD(FaultFixture, "the shutdown stops writing slow chips once its time for them is spent, after egress first") {
  gpio.drive(kAlarmLine, false);
  auto lines = open({{"fire_alarm", alarm_line(kAlarmLine)}, {"lane1.release_in", gpio_line(2)},
                     {"lane1.release_out", gpio_line(3)}, {"lane2.release_in", gpio_line(6)},
                     {"lane2.release_out", gpio_line(7)}, {"lane1.led_red", gpio_line(5)}}, virtual_time);
  for (const char* release : {"lane1.release_in", "lane1.release_out", "lane2.release_in", "lane2.release_out"}) {
    lines->set_output(release, false);
  }
  faults.during_writes(5, [this] { attempt_clock.now += 1000ms; });
  lines->set_output("lane1.led_red", true);  // works, slowly: the chip is slow, supervision lost
  virtual_time.run_ready();
  REQUIRE(heard == Strings{"fire_alarm=1"});
  // Every write at the stop works, in 6 s each: a bus that crawls but answers.
  for (const unsigned offset : {2U, 3U, 6U, 7U}) faults.during_writes(offset, [this] { attempt_clock.now += 6000ms; });
  lines.reset();
  CHECK(gpio.high(3));  // exit releases first: lane 1 at 0 s,
  CHECK(gpio.high(7));  // lane 2 at 6 s,
  CHECK(gpio.high(2));  // then lane 1's entry at 12 s
  CHECK_FALSE(gpio.high(6));  // at 18 s, past the 15 s budget: not written (logged)
  static_assert(GpiodLines::kStopSlowBudget == 15000ms);
}

TEST_CASE_METHOD(FaultFixture, "the shutdown writes exit releases before entry releases: egress first") {
  gpio.drive(kAlarmLine, false);
  auto lines = open({{"fire_alarm", alarm_line(kAlarmLine)}, {"lane1.release_in", gpio_line(2)},
                     {"lane1.release_out", gpio_line(3)}}, virtual_time);
  lines->set_output("lane1.release_in", true);
  lines->set_output("lane1.release_out", true);
  Strings order;
  faults.during_writes(2, [&order] { order.push_back("release_in"); });
  faults.during_writes(3, [&order] { order.push_back("release_out"); });
  lines.reset();
  CHECK(order == Strings{"release_out", "release_in"});
}

TEST_CASE_METHOD(FaultFixture, "releases are pending while a release's write waits for its retry or a slow chip's turn") {
  // What card entry waits for after the alarm's latch (IoBackend::releases_pending).
  gpio.drive(kAlarmLine, false);
  auto lines = open({{"fire_alarm", alarm_line(kAlarmLine)}, {"lane1.release_in", gpio_line(2)},
                     {"lane1.release_out", gpio_line(3)}, {"lane1.led_red", gpio_line(5)}}, virtual_time);
  CHECK_FALSE(lines->releases_pending());
  faults.fail_writes(3, EREMOTEIO, 1);  // NACKed once
  lines->set_output("lane1.release_out", true);
  CHECK(lines->releases_pending());
  virtual_time.advance(kRetryDelay);
  CHECK(gpio.high(3));
  CHECK_FALSE(lines->releases_pending());

  faults.during_writes(5, [this] { attempt_clock.now += 1000ms; });
  lines->set_output("lane1.led_red", true);  // the chip is slow
  lines->set_output("lane1.release_in", true);
  CHECK(lines->releases_pending());  // left to a slow turn
  virtual_time.run_ready();
  CHECK(gpio.high(2));
  CHECK_FALSE(lines->releases_pending());
}
