// The USB scanner driver's lifetimes, against real libusb and a scanner emulated in usbfs:
// a listener may drop the driver from within a read, and the read the driver had already
// submitted again is cancelled and given back by libusb before the interface is released
// and the device closed; and when libusb's event thread is stuck in its back-off loop, so
// that nothing is given back, dropping the driver stalls the loop for
// UsbTransfer::kGiveBackLimit, no longer: the transfer is abandoned, logged and counted.
// Real: libusb, its event thread and back-off loop, the cancellation (DISCARDURB) through
// usbfs, the driver. Injected (UsbContext::EventTurn): libusb's event handling failing with
// LIBUSB_ERROR_IO for as long as the test says.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>

#include "drivers/usb_scanner_transfer.hpp"
#include "tests/support/captured_log.hpp"
#include "tests/usb_scanner/scanner_fixture.hpp"

using namespace passgate;
using namespace std::chrono_literals;
using drivers::UsbScannerSettings;
using drivers::UsbTransfer;
using test::ScannerFixture;

namespace {

bool mentions(const std::vector<std::string>& lines, const std::string& text) {
  return std::any_of(lines.begin(), lines.end(), [&](const auto& l) { return l.find(text) != std::string::npos; });
}

// libusb's event handling, failing from begin() for `span` (then libusb's own again), as a
// libusb that keeps failing holds the event thread in its back-off loop.
class FailingEvents {
 public:
  void begin(std::chrono::steady_clock::duration span) {
    until_ = std::chrono::steady_clock::now() + span;
    failing_ = true;
  }
  void end() { failing_ = false; }
  [[nodiscard]] int failed_turns() const { return failed_turns_; }
  [[nodiscard]] drivers::UsbContext::EventTurn turn() {
    return [this](libusb_context* context) {
      if (failing_ && std::chrono::steady_clock::now() < until_) {
        ++failed_turns_;
        return static_cast<int>(LIBUSB_ERROR_IO);
      }
      return libusb_handle_events_completed(context, nullptr);
    };
  }

 private:
  std::chrono::steady_clock::time_point until_{};  // written before failing_ is set
  std::atomic<bool> failing_{false};
  std::atomic<int> failed_turns_{0};
};

struct StuckEventsFixture : FailingEvents, ScannerFixture {
  StuckEventsFixture() : ScannerFixture(turn()) {}
  ~StuckEventsFixture() { end(); }
};

}  // namespace

TEST_CASE_METHOD(ScannerFixture, "a listener may drop the USB scanner from within a read") {
  auto& scanner = usb_.plug(test::hid_pos_scanner());
  start(UsbScannerSettings::Kind::hid_pos);
  REQUIRE(wait_connected(true));
  const auto abandoned = UsbTransfer::abandoned_transfers();
  on_read = [this] { driver_.reset(); };  // as a lane taken away on a read would

  send_all(scanner, test::hid_pos_reports("]Q1", "last"));
  REQUIRE(wait_texts(1));
  CHECK(texts_ == std::vector<std::string>{"]Q1last"});
  CHECK(driver_ == nullptr);
  // The read the driver submitted after this one was cancelled (DISCARDURB) and libusb gave
  // it back before the handle was closed: libusb did not complain, the emulated kernel has no
  // read pending and the interface is released.
  const auto said = test::LibusbMessages::take();
  INFO("libusb said: " << (said.empty() ? std::string("nothing") : said.front()));
  CHECK_FALSE(mentions(said, "closed while transfer"));
  CHECK_FALSE(scanner.read_pending());
  CHECK(scanner.claimed_interface() == -1);
  CHECK(UsbTransfer::abandoned_transfers() == abandoned);
}

TEST_CASE_METHOD(StuckEventsFixture,
                 "a read that libusb does not give back stalls the loop for the give-back limit, no longer") {
  auto& scanner = usb_.plug(test::hid_pos_scanner());
  start(UsbScannerSettings::Kind::hid_pos);
  REQUIRE(wait_connected(true));
  REQUIRE(scanner.read_pending());
  const auto abandoned = UsbTransfer::abandoned_transfers();
  // The event thread fails and backs off for as long as the watchdog allows the loop to stall.
  begin(10s);
  libusb_interrupt_event_handler(context_->native());  // out of the turn it is in now
  REQUIRE(test::run_until(io_, [&] { return failed_turns() >= 1; }));

  test::CapturedLog log;
  const auto before = std::chrono::steady_clock::now();
  driver_.reset();
  const auto stalled = std::chrono::steady_clock::now() - before;
  INFO("the loop stalled " << std::chrono::duration_cast<std::chrono::milliseconds>(stalled).count() << " ms");
  CHECK(stalled >= UsbTransfer::kGiveBackLimit);
  CHECK(stalled < UsbTransfer::kGiveBackLimit + 1s);
  CHECK(UsbTransfer::abandoned_transfers() == abandoned + 1);
  CHECK(log.count("event=usb_transfer_abandoned") == 1);
  // The interface is released and the device closed all the same (libusb forgets the
  // abandoned transfer, the kernel discards its URB with the file).
  CHECK(scanner.claimed_interface() == -1);
  end();
}
