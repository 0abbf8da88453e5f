// UsbEventBackoff: what the libusb event thread (drivers/usb_scanner_context.cpp) does after
// libusb_handle_events fails: it waits before trying again, 100 ms doubling to 5 s while the
// failures go on (back to 100 ms after a success), and logs each kind of error once rather
// than on every turn. Pure: the thread does the waiting and the logging.
#pragma once

#include <algorithm>
#include <set>

#include "common/clock.hpp"

namespace passgate::drivers {

class UsbEventBackoff {
 public:
  static constexpr Millis kFirstWait{100};
  static constexpr Millis kLongestWait{5000};

  struct Step {
    Millis wait;  // before the next try
    bool log;     // the first failure with this error code
  };

  // A failure with libusb error `code`.
  [[nodiscard]] Step failed(int code) {
    wait_ = wait_ == Millis::zero() ? kFirstWait : std::min(wait_ * 2, kLongestWait);
    return Step{wait_, logged_.insert(code).second};
  }
  // A success: the next failure waits kFirstWait again.
  void succeeded() { wait_ = Millis::zero(); }

 private:
  Millis wait_{0};
  std::set<int> logged_;
};

}  // namespace passgate::drivers
