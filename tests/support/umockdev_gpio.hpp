// UmockdevGpio: an emulated GPIO chip, /dev/gpiochip0, inside the test process (umockdev's
// preload library is linked into the umockdev test folders). It answers the GPIO character
// device's uAPI v1 as the kernel does, for what libgpiod 1.6 uses: chip info, line info
// (names, and lines in use with their consumer), single-line handle and event requests with
// active-low and bias, getting and setting values, and edge events. The kernel's behaviour
// is emulated because nothing else provides it: active-low inverts values and edges, an
// input nobody drives sits at its bias (pull-up high, otherwise low), and an event fd hangs
// up when the chip goes away.
//
// The test plays the wiring: drive() puts a voltage on an input (an edge event reaches the
// requesting fd when the logical level changes), open_circuit() breaks its wire, high() and
// output_history() read back what the driver put on an output.
//
// Each request's fd is a fresh open of a per-line node (/dev/gpiochip0-l<offset>, a pty),
// so ioctls on it come back here and events are written to its other end.
//
// One per process: instance() creates it on first use, which must come before any thread
// starts (umockdev sets environment variables); call reset() at the start of every test.
// Thread-safe: umockdev answers the ioctls on a thread of its own.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace passgate::test {

class UmockdevGpio {
 public:
  static constexpr unsigned kLines = 16;  // offsets 0..15
  static constexpr const char* kChip = "gpiochip0";

  struct LineSpec {
    std::string name;      // the line's name on the chip ("" = unnamed)
    std::string consumer;  // non-empty: already in use by another program of that name
  };

  static UmockdevGpio& instance();
  ~UmockdevGpio();
  UmockdevGpio(const UmockdevGpio&) = delete;
  UmockdevGpio& operator=(const UmockdevGpio&) = delete;

  // A fresh chip labelled `label`: every line free (but those `lines` marks in use), named
  // as `lines` says, undriven, nothing recorded; a chip that was unplugged is back.
  void reset(const std::string& label = "passgate-test", const std::map<unsigned, LineSpec>& lines = {});

  // The wire of an input: driven high or low, or open (nothing drives it: its bias decides).
  void drive(unsigned offset, bool high);
  void open_circuit(unsigned offset);

  // The chip turns an output the driver holds into an input by itself, as an I2C expander
  // that power-on-resets does (the PCA953x: every pin an input): the pin then has what the
  // wire gives it (undriven: low), a value write changes only the output register, and only
  // making the line an output again (GPIOHANDLE_SET_CONFIG) drives it.
  void reset_expander(unsigned offset);
  // The line's voltage now: what the driver set on an output, what the wire gives an input.
  [[nodiscard]] bool high(unsigned offset) const;
  // Every voltage the driver put on an output, from its request on.
  [[nodiscard]] std::vector<bool> output_history(unsigned offset) const;
  // The consumer that requested the line ("" = not requested), and whether it asked for a pull-up.
  [[nodiscard]] std::string requested_by(unsigned offset) const;
  [[nodiscard]] bool pull_up(unsigned offset) const;

  // The chip goes away: every requested line's fd hangs up and every ioctl fails (ENODEV).
  void unplug();

  struct State;  // the emulated chip, shared with the ioctl handler (umockdev_gpio.cpp)

 private:
  UmockdevGpio();
  void build();  // the chip and line nodes, the handler answering them
  std::unique_ptr<State> state_;
};

}  // namespace passgate::test
