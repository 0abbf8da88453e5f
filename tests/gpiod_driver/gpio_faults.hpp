// GpioFaults: kernel answers the emulated chip (tests/support/umockdev_gpio.hpp) never gives,
// injected where the kernel would give them: at the system calls of this test process. This
// file defines the process's ioctl() and read(), which pass every call on (to umockdev's
// preload library, then libc) except, on a GPIO line request's fd, the ones a test has armed:
//   - a value write (GPIOHANDLE_SET_LINE_VALUES_IOCTL, or GPIOHANDLE_SET_CONFIG_IOCTL making
//     the line an output again with a level) or level read
//     (GPIOHANDLE_GET_LINE_VALUES_IOCTL) fails with a chosen errno, and the chip never sees it
//     (EAGAIN, EINTR, an I2C expander's ETIMEDOUT or EREMOTEIO);
//   - a value write returns 0 but the chip never sees it: what a kernel before 6.16/6.17 does
//     when an I2C expander fails the write (the chip's set callback returns void), so a
//     read-back finds the old level;
//   - a test's action runs at each value write or level read (e.g. to move a test clock: a
//     slow write, a slow read);
//   - a read() of edge events fails with a chosen errno and takes nothing (EINTR);
//   - the line's event queue holds at most N unread events, as the kernel's does (16 for uAPI
//     v1, newer edges dropped while it is full): the emulated chip's queue has no limit;
//   - a chip's info (GPIO_GET_CHIPINFO_IOCTL) gives the name a test chose: the emulated chip
//     opened by name and again by path is then two chips to the driver (two expanders).
// libgpiod, its C++ bindings and the driver run unchanged; only the syscall's result is chosen.
// Which fd is which line is learnt from the answers to GPIO_GET_LINEHANDLE_IOCTL and
// GPIO_GET_LINEEVENT_IOCTL, so make the GpioFaults before opening the lines.
//
// The event queue takes in what the emulated chip wrote when the driver reads, so edges must
// be driven while the loop is not running (as every test here does): the queue then keeps the
// oldest N and drops the rest, as the kernel would have.
//
// One at a time: it arms nothing when made and disarms everything when destroyed.
// Thread-safe (umockdev's thread calls read() too).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace passgate::test {

class GpioFaults {
 public:
  static constexpr int kAlways = -1;  // as `times`: every call from now on

  GpioFaults();
  ~GpioFaults();
  GpioFaults(const GpioFaults&) = delete;
  GpioFaults& operator=(const GpioFaults&) = delete;

  // The next `times` value writes to the line at `offset` fail with `error`.
  void fail_writes(unsigned offset, int error, int times = kAlways);
  // The next `times` value writes to it return 0 without reaching the chip (its level stays).
  void drop_writes(unsigned offset, int times = kAlways);
  // `action` runs at every value write to it from now on, before the write is answered
  // (under the injection's lock: it must not make system calls on GPIO fds).
  void during_writes(unsigned offset, std::function<void()> action);
  // `action` runs at every read of its level from now on, before the read is answered (as
  // during_writes).
  void during_level_reads(unsigned offset, std::function<void()> action);
  // The next `times` reads of its level fail with `error`.
  void fail_level_reads(unsigned offset, int error, int times = kAlways);
  // The next `times` read() calls on its event fd fail with `error`, taking no event.
  void fail_event_reads(unsigned offset, int error, int times = 1);
  // Its event queue holds at most `capacity` unread events; edges that find it full are dropped.
  void limit_event_queue(unsigned offset, std::size_t capacity);
  // The next chips opened are named `names`, in order (libgpiod asks a chip's info once, when
  // it opens it). Chips opened from the one emulated chip share its lines: give each of them
  // lines at other offsets.
  void name_chips(std::vector<std::string> names);

  // What happened so far: failures injected, events dropped by the limited queue and events
  // the driver read from it.
  [[nodiscard]] int failed_writes(unsigned offset) const;
  [[nodiscard]] int dropped_writes(unsigned offset) const;
  [[nodiscard]] int failed_level_reads(unsigned offset) const;
  [[nodiscard]] int failed_event_reads(unsigned offset) const;
  [[nodiscard]] std::size_t events_dropped(unsigned offset) const;
  [[nodiscard]] std::size_t events_read(unsigned offset) const;
};

}  // namespace passgate::test
