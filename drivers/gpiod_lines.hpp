// GpiodLines: the gate's lines on real GPIO chips, through libgpiod 1.6. The only code that
// calls libgpiod (a libgpiod 2 port rewrites gpiod_lines.cpp alone).
//
// - Opens every configured line (io.gpiod.lines): its chip by name ("gpiochip0"), path
//   ("/dev/gpiochip0") or label; the line by offset or by its name on the chip. Inputs
//   (beams, passage, fire_alarm) are requested as inputs with both-edge events, active-low
//   and bias as configured; outputs as outputs, driven at once to their safe level.
// - Input edges arrive through the Asio loop: a dup of each line's event fd waits in a
//   stream_descriptor, events are read only when it is readable (never a blocking call;
//   only fire_alarm's level is polled too, below), and each line is debounced in software for its debounce_ms
//   (hw::Debouncer on the injected TimerService). After each batch of edges the line's
//   level is read and fed too: the kernel keeps at most 16 unread edges per line and drops
//   newer ones when full (a busy loop, a chattering alarm loop), so edges alone could end
//   at a level the line no longer has. An event read interrupted by a signal (EINTR) or
//   with nothing to read (EAGAIN) only waits again.
// - Every write to an output is read back (get_value() on the same request: the logical
//   level, active-low applied by the kernel as for set_value). An error, or a level other
//   than the one written ("read back N after writing M"), is a failed write. Why: until
//   Linux 6.16/6.17 (the set_rv conversion, 2025) a GPIO chip's set callback returned void,
//   so an I2C expander's ETIMEDOUT or EREMOTEIO never reaches user space and the set-values
//   ioctl returns 0 (only ENODEV, the chip gone, does); Raspberry Pi OS 6.6 and 6.12 are such
//   kernels. Newer kernels report the error from the write itself for drivers converted to
//   the int-returning setter; the read-back covers the older ones, since a chip's get
//   callback has always returned its errors. (It relies on the chip's get reading the pin
//   or output register, as expanders like the PCA953x/MCP23xxx do; a chip without get
//   fails every read-back, so its outputs are lost at once: loud, never silent.)
// - A write (with its read-back) or a read of an input's level that fails with anything but
//   ENODEV or EIO (EAGAIN, EINTR, an I2C expander's ETIMEDOUT or EREMOTEIO, a read-back
//   mismatch) is retried on the loop every kRetryDelay, at most kRetries times (never
//   blocking, never sleeping); it is logged once when it first fails and once when it
//   succeeds again. A failed write attempt that took longer than kSlowAttempt (measured on
//   the steady clock: on kernels that pass errors up, an expander's bus times out after
//   about 1 s per call) loses the line at once: retrying would stall the loop for seconds,
//   toward the 10 s watchdog, before supervision is declared lost (a slow attempt that
//   works keeps the line, but loses supervision, below). Tests time attempts on their own Clock
//   (the open() overload). A retry writes the
//   level last asked for, even one the line already has: a newer set_output for the line
//   waits for it and supersedes what it would have written. output() is the level on the
//   line, the last one written successfully: while a write is being retried it still says
//   what the line has, not what was asked.
// - A line is lost when its event fd reports an error or hang-up, when the chip refuses it
//   with ENODEV or EIO (its chip is gone), when its retries are used up, or when a failed
//   write attempt was slower than kSlowAttempt: it is logged
//   once, and fire_alarm counts as active from then on (the supervision is lost), even if
//   the alarm line itself still reads clear. A level read slower than kSlowAttempt (failed
//   or not) loses its input at once too. A lost input is no longer read; a lost output is
//   still written (and read back), quietly and never on the retry schedule, at each
//   set_output and release check until a write works (after a failed write the pin's level
//   is unknown). A write that works but takes longer than kSlowAttempt loses supervision too
//   (the chip cannot drive the lanes in time). A chip any write or read of which took that
//   long is slow from then on, and so is every other chip on its I2C bus, in the same moment
//   (each chip's bus is looked up in sysfs at open, gpio_chip_bus.hpp: a hung bus holds every
//   expander on it, and each found on its own would hold the loop a second or two more; a
//   chip on no I2C bus is a group of its own; one log line names the chips marked together).
//   Only the release lines of slow chips are still written, in turns of their own (one timer
//   of 0 ms for all slow chips), after what the current loop turn writes to the other chips
//   (at the fire alarm: every other lane's releases), one release per turn; the next turn
//   follows at once if that one took no longer than kSlowChain (each line at most once per
//   chain), otherwise at the next redrive (a hung bus would hold the loop seconds per line,
//   toward the watchdog). A retry due on a slow chip is left to those turns (a release) or
//   dropped (a light), and its inputs are lost without another read. A release check stops
//   at the first access that finds a chip slow (chips on other buses are found at later
//   checks). Their lights and buzzers are left as they are, as each write may hold the loop
//   as long again.
//   A chip with only outputs is supervised this way too. The report is made from the loop,
//   never from within set_output.
// - Release lines are checked every kReleaseCheck: one whose pin may not have the level asked
//   for (a failed or lost write) is written again; one held free is read back, and written
//   again if the chip dropped it by itself (an expander's power-on reset turns its pins to
//   inputs: the barrier locks, silently); a chip with release lines none of which was
//   touched has one of them read back in turn, so a hung chip is found (slow, supervision
//   lost) before the fire alarm needs it. A slow chip gets a turn every kSlowRedriveChecks
//   checks for its releases that may not have their level, and its releases held free are
//   read back then. A release read back at another level is made an output again with the
//   level (set_direction_output): an expander that reset turned its pins to inputs, and a
//   value write would change only its output register.
// - Log lines are written from a timer of 0 ms, after the alarm's report and a slow chip's
//   pending turns:
//   never inside set_output or a read (the journal can stall; the alarm's latch must not).
// - fire_alarm's debounce delays only its clearing, by at least kAlarmClearHold (a bounce, or
//   a batch of edges read late, must not clear it): a change to active is reported at once.
//   While its level cannot be read, a clearing waiting for its hold starts again.
// - fire_alarm's level is read every kAlarmPoll as well, edges or not: an expander whose
//   interrupt line sticks (a known PCA953x/MCP23xxx failure) delivers no edges and no error,
//   and an alarm must not go unseen then (one get_value per poll).
// - The destructor drives every output back to its safe level, read back too (a failed
//   write is tried again at once, up to kRetries times, not after a slow attempt), but every
//   release free while the alarm is active (or supervision lost); releases first (exit, then
//   entry), each made an output again; on a slow chip (or one found slow then) only its
//   releases, once each, until a write on its bus hangs or kStopSlowBudget is spent; then it
//   releases the lines.
// Single-threaded: call only from the thread running the io_context.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <spdlog/common.h>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "drivers/gpio_slow_chips.hpp"
#include "hw/io_config.hpp"

namespace passgate::drivers {

class GpiodLines {
 public:
  // Retries of a failed write or level read (above): every 20 ms, 10 times, so a line that
  // cannot be written or read for about 200 ms is lost. Long enough to ride out a signal,
  // a busy I2C bus or an expander's NACK; short enough that a release that cannot be driven
  // raises the fire alarm (every other lane free both ways) well within a second.
  static constexpr Millis kRetryDelay{20};
  static constexpr int kRetries = 10;
  // A failed write attempt (write and read-back) that took longer than this loses the line
  // at once instead of being retried (above).
  static constexpr Millis kSlowAttempt{100};
  // fire_alarm's level is also read this often, edges or not (above).
  static constexpr Millis kAlarmPoll{200};
  // fire_alarm's clearing waits at least this long, whatever its debounce_ms (above).
  static constexpr Millis kAlarmClearHold{500};
  // Release lines are checked this often (above); on a slow chip one is written again every
  // kSlowRedriveChecks checks.
  static constexpr Millis kReleaseCheck{200};
  static constexpr int kSlowRedriveChecks = 25;
  // A slow chip's turn that took no longer than this is followed by the next at once.
  static constexpr Millis kSlowChain{500};
  // At the stop, writes to slow chips stop once this much time has gone (on them, or on
  // anything before them): the rest of systemd's 30 s stop time-out is the teardown's.
  static constexpr Millis kStopSlowBudget{15000};

  // An input's debounced level changed (true = active; polarity is already applied).
  using InputChanged = std::function<void(const std::string& line, bool active)>;

  // Opens and requests every line of `lines` (keyed by logical line name) as consumer
  // "passgated". Nothing is kept if one line fails. Errors, each message naming the config
  // entry (io.gpiod.lines."lane1.beam_outer": ...): "not_found" (no such chip, no such
  // offset or line name on it), "busy" (the line is in use, by another program or by
  // another entry of this config), "invalid_argument" (not a line name of the gate),
  // "io_error" (a chip cannot be opened, or refuses a request).
  [[nodiscard]] static Result<std::unique_ptr<GpiodLines>> open(
      boost::asio::io_context& io, TimerService& timers,
      const std::map<std::string, hw::GpiodLineConfig>& lines, InputChanged on_input);
  // What the lines use of the machine besides the chips, replaced in tests: the clock write
  // and read attempts are timed on (steady_now; it must outlive the lines), and the sysfs
  // root each chip's I2C bus is looked up under at open (a chip whose bus cannot be told is
  // logged, event=gpio_chip_bus_unknown, and counts as on a bus of its own).
  struct Host {
    const Clock& clock;
    std::filesystem::path sysfs = "/sys";
  };
  // The same, on `host` instead of the real steady clock and /sys.
  [[nodiscard]] static Result<std::unique_ptr<GpiodLines>> open(
      boost::asio::io_context& io, TimerService& timers, const Host& host,
      const std::map<std::string, hw::GpiodLineConfig>& lines, InputChanged on_input);
  ~GpiodLines();
  GpiodLines(const GpiodLines&) = delete;
  GpiodLines& operator=(const GpiodLines&) = delete;

  // Drives an output line (true = active). Unknown lines are logged and ignored. A failed
  // write is retried on the loop (above); a chip that is gone (ENODEV, EIO), or retries
  // used up, lose supervision: fire_alarm reported active, from the loop.
  void set_output(const std::string& line, bool active);
  // The level on an output line: the last one written successfully (its safe level until
  // then), not one still being retried; false for unknown lines.
  [[nodiscard]] bool output(const std::string& line) const;
  // Every input and its debounced level, fire_alarm included (active while supervision is lost).
  [[nodiscard]] std::map<std::string, bool> inputs() const;
  // What was lost and why, once supervision is lost (fire_alarm held active for good).
  [[nodiscard]] const std::optional<std::string>& supervision_lost() const { return supervision_lost_; }
  // A slow chip's release turn is waiting on its 0 ms timer (not while the chain is paused
  // after a slow turn), or a release's failed write on its retry (kRetryDelay, at most
  // kRetries times): IoBackend::releases_pending.
  [[nodiscard]] bool releases_pending() const;

 private:
  struct Input;   // a requested input line and its event wait (gpiod_lines.cpp)
  struct Output;  // a requested output line
  struct Chips;   // the open chips

  GpiodLines(TimerService& timers, const Clock& clock, InputChanged on_input);
  [[nodiscard]] Status add(boost::asio::io_context& io, const std::string& name,
                           const hw::GpiodLineConfig& config);
  void find_buses(const std::filesystem::path& sysfs);
  void write_wanted(const std::string& name, Output& out);
  void start_slow_turns();
  void slow_turn();
  void write_failed(const std::string& name, Output& out, const std::error_code& code, const std::string& why,
                    SteadyTime::duration took);
  void wait_for_events(const std::shared_ptr<Input>& input);
  void read_events(const std::shared_ptr<Input>& input);
  void read_level(const std::shared_ptr<Input>& input);
  void read_level_failed(const std::shared_ptr<Input>& input, const std::error_code& code, const std::string& why,
                         SteadyTime::duration took);
  void poll_alarm_level();
  void slow_chip(const std::string& chip);
  // Marks `chip` slow with the chips on its bus: the log line naming them, none if it was slow.
  [[nodiscard]] std::optional<std::string> mark_slow(const std::string& chip);
  void schedule_release_check();
  void check_releases();
  void redrive_slow_chips();
  void read_back(const std::string& name, Output& out);
  void log_later(spdlog::level::level_enum level, std::string line);
  void flush_logs();
  void write_logs();
  void debounced(const Input& input, bool active);
  void lost(Input& input, const std::string& why);
  void lose_supervision(const std::string& what, const std::string& why);

  TimerService& timers_;
  const Clock& clock_;  // times write attempts
  InputChanged on_input_;
  std::unique_ptr<Chips> chips_;  // declared first: released last, after every line
  std::map<std::string, std::unique_ptr<Output>> outputs_;
  std::map<std::string, std::shared_ptr<Input>> inputs_;  // shared with pending event waits
  std::optional<std::string> supervision_lost_;  // what was lost and why, for people
  std::unique_ptr<Timer> alarm_notice_;  // the fire_alarm report of a lost output's chip
  std::unique_ptr<Timer> alarm_poll_;    // the next read of fire_alarm's level (kAlarmPoll)
  SlowChips slow_chips_;  // chips a write or read took longer than kSlowAttempt on (or a chip on their bus)
  std::map<std::string, std::vector<std::string>> release_lines_;  // chip -> its release lines
  std::unique_ptr<Timer> release_check_;                           // the next check (kReleaseCheck)
  long release_checks_ = 0;                                        // checks so far
  std::map<std::string, std::size_t> next_probe_;                  // chip -> its release read back next
  std::unique_ptr<Timer> slow_turn_;        // the slow chips' next turn (slow_turn)
  std::size_t slow_turns_left_ = 0;        // turns left in the current chain
  bool slow_paused_ = false;               // a turn was slow: none until the next redrive
  std::set<std::string> slow_round_;       // the releases slow turns served in this round
  std::set<std::string> slow_chain_;       // ... and in the chain under way
  std::set<std::string> slow_reads_due_;   // releases of slow chips to read back
  // Log lines waiting for the end of the loop turn (the journal may stall: never inside a write).
  std::vector<std::pair<spdlog::level::level_enum, std::string>> pending_logs_;
  std::unique_ptr<Timer> log_flush_;
};

}  // namespace passgate::drivers
