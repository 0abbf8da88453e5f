// GpiodLines: the gate's lines on real GPIO chips, through libgpiod 1.6. The only code that
// calls libgpiod (a libgpiod 2 port rewrites gpiod_lines.cpp alone).
//
// - Opens every configured line (io.gpiod.lines): its chip by name ("gpiochip0"), path
//   ("/dev/gpiochip0") or label; the line by offset or by its name on the chip. Inputs
//   (beams, passage, fire_alarm) are requested as inputs with both-edge events, active-low
//   and bias as configured; outputs as outputs, driven at once to their safe level.
// - Input edges arrive through the Asio loop: a dup of each line's event fd waits in a
//   stream_descriptor, events are read only when it is readable (never a blocking call,
//   never polling), and each line is debounced in software for its debounce_ms
//   (hw::Debouncer on the injected TimerService).
// - A line whose event fd reports an error or hang-up, or an output the chip refuses with
//   ENODEV or EIO (its chip is gone), is lost: it is logged once, and fire_alarm counts as
//   active from then on (the supervision is lost), even if the alarm line itself still reads
//   clear. A chip with only outputs is supervised this way too.
// - fire_alarm's debounce delays only its clearing: a change to active is reported at once.
// - The destructor drives every output back to its safe level and releases the lines.
// Single-threaded: call only from the thread running the io_context.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "controller/config.hpp"

namespace passgate::drivers {

class GpiodLines {
 public:
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
      const std::map<std::string, controller::GpiodLineConfig>& lines, InputChanged on_input);
  ~GpiodLines();
  GpiodLines(const GpiodLines&) = delete;
  GpiodLines& operator=(const GpiodLines&) = delete;

  // Drives an output line (true = active). Unknown lines and chip errors are logged; a chip
  // that is gone (ENODEV, EIO) loses supervision: fire_alarm reported active, from the loop.
  void set_output(const std::string& line, bool active);
  // An output's level as last set (its safe level until set); false for unknown lines.
  [[nodiscard]] bool output(const std::string& line) const;
  // Every input and its debounced level, fire_alarm included (active while supervision is lost).
  [[nodiscard]] std::map<std::string, bool> inputs() const;

 private:
  struct Input;   // a requested input line and its event wait (gpiod_lines.cpp)
  struct Output;  // a requested output line
  struct Chips;   // the open chips

  GpiodLines(TimerService& timers, InputChanged on_input);
  [[nodiscard]] Status add(boost::asio::io_context& io, const std::string& name,
                           const controller::GpiodLineConfig& config);
  void wait_for_events(const std::shared_ptr<Input>& input);
  void read_events(const std::shared_ptr<Input>& input);
  void debounced(const Input& input, bool active);
  void lost(const Input& input, const std::string& why);
  void lose_supervision(const std::string& what, const std::string& why);

  TimerService& timers_;
  InputChanged on_input_;
  std::unique_ptr<Chips> chips_;  // declared first: released last, after every line
  std::map<std::string, std::unique_ptr<Output>> outputs_;
  std::map<std::string, std::shared_ptr<Input>> inputs_;  // shared with pending event waits
  bool supervision_lost_ = false;
  std::unique_ptr<Timer> alarm_notice_;  // the fire_alarm report of a lost output's chip
};

}  // namespace passgate::drivers
