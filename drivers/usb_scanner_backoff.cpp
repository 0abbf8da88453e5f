#include "drivers/usb_scanner_backoff.hpp"

#include <algorithm>

namespace passgate::drivers {

UsbEventBackoff::Step UsbEventBackoff::failed(int code) {
  wait_ = wait_ == Millis::zero() ? kFirstWait : std::min(wait_ * 2, kLongestWait);
  return Step{wait_, logged_.insert(code).second};
}

}  // namespace passgate::drivers
