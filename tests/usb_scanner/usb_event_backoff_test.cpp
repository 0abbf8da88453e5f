// UsbEventBackoff: the libusb event thread's pause after a failure grows from 100 ms,
// doubling up to 5 s, starts over after a success, and each error code is logged once.
#include <catch2/catch.hpp>

#include <vector>

#include "drivers/usb_scanner_backoff.hpp"

using namespace std::chrono_literals;
using passgate::Millis;
using passgate::drivers::UsbEventBackoff;

TEST_CASE("the pause after a persistent failure doubles from 100 ms up to 5 s") {
  UsbEventBackoff backoff;
  std::vector<Millis> waits;
  for (int i = 0; i < 9; ++i) waits.push_back(backoff.failed(-1).wait);
  CHECK(waits == std::vector<Millis>{100ms, 200ms, 400ms, 800ms, 1600ms, 3200ms, 5000ms, 5000ms, 5000ms});
}

TEST_CASE("a success starts the pauses over") {
  UsbEventBackoff backoff;
  (void)backoff.failed(-1);
  (void)backoff.failed(-1);
  backoff.succeeded();
  CHECK(backoff.failed(-1).wait == 100ms);
}

TEST_CASE("each kind of error is logged once, however often it recurs") {
  UsbEventBackoff backoff;
  CHECK(backoff.failed(-1).log);    // LIBUSB_ERROR_IO
  CHECK_FALSE(backoff.failed(-1).log);
  CHECK(backoff.failed(-4).log);    // LIBUSB_ERROR_NO_DEVICE: a new kind
  backoff.succeeded();
  CHECK_FALSE(backoff.failed(-1).log);
  CHECK_FALSE(backoff.failed(-4).log);
}
