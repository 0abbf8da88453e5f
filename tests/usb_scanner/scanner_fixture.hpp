// ScannerFixture: the USB scanner driver (drivers/usb_scanner.hpp) on a real io_context and
// real libusb, against scanners emulated in usbfs by umockdev (tests/support/umockdev_usb.hpp),
// for the tests in this folder. It records reads and connection reports; a test may hook
// each read (on_read) to act from within the driver's completion, as a listener may. It
// also collects what libusb itself logs at warning level and above (libusb_messages), so a
// test can check that libusb never saw the driver misuse it.
// Test code, single-threaded but for libusb's log callback (any thread).
#pragma once

#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <libusb.h>

#include "drivers/usb_scanner.hpp"
#include "tests/support/run_until.hpp"
#include "tests/support/umockdev_usb.hpp"
#include "tests/support/usb_scanner_samples.hpp"

namespace passgate::test {

inline constexpr std::uint16_t kScannerVid = 0x0c2e;
inline constexpr std::uint16_t kScannerPid = 0x0b61;

inline EmulatedHidInterface hid_pos_interface() { return {0, 0, kHidPosDescriptor, 0x81, 64}; }
inline EmulatedHidInterface keyboard_interface() { return {1, 1, kBootKeyboardDescriptor, 0x82, 8}; }

inline EmulatedUsbDeviceSpec hid_pos_scanner(std::string serial = "") {
  return {kScannerVid, kScannerPid, std::move(serial), {hid_pos_interface()}};
}

struct Connection {
  bool connected;
  std::string detail;
};

// What libusb logged (warnings and errors, the level the fixture sets), from every context.
class LibusbMessages {
 public:
  static void record(libusb_context*, libusb_log_level, const char* text) {
    const std::lock_guard lock(mutex());
    lines().emplace_back(text);
  }
  [[nodiscard]] static std::vector<std::string> take() {
    const std::lock_guard lock(mutex());
    return std::exchange(lines(), {});
  }

 private:
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
  static std::vector<std::string>& lines() {
    static std::vector<std::string> l;
    return l;
  }
};

class ScannerFixture {
 public:
  explicit ScannerFixture(drivers::UsbContext::EventTurn event_turn = nullptr) {
    auto context = drivers::UsbContext::open(io_, std::move(event_turn));
    REQUIRE(context.ok());
    context_ = std::move(*context);
    (void)LibusbMessages::take();
    // Global: libusb 1.0.26 then writes nothing to stderr (it would with a context's callback).
    libusb_set_log_cb(nullptr, &LibusbMessages::record, LIBUSB_LOG_CB_GLOBAL);
    REQUIRE(libusb_set_option(context_->native(), LIBUSB_OPTION_LOG_LEVEL, LIBUSB_LOG_LEVEL_WARNING) == 0);
  }

  void start(drivers::UsbScannerSettings::Kind kind, std::string serial = "", std::size_t max_length = 4096) {
    auto driver = drivers::make_usb_scanner(
        context_, drivers::UsbScannerSettings{"lane1.entry", kind, kScannerVid, kScannerPid, std::move(serial), max_length});
    REQUIRE(driver.ok());
    driver_ = std::move(*driver);
    REQUIRE(driver_
                ->start(hw::ScannerEvents{[this](std::string raw) {
                                            texts_.push_back(std::move(raw));
                                            if (on_read) on_read();
                                          },
                                          [this](bool connected, std::string detail) {
                                            connections_.push_back(Connection{connected, std::move(detail)});
                                          }})
                .ok());
  }

  [[nodiscard]] bool wait_connected(bool connected) {
    return run_until(io_, [&] { return !connections_.empty() && connections_.back().connected == connected; });
  }
  [[nodiscard]] bool wait_texts(std::size_t n) {
    return run_until(io_, [&] { return texts_.size() >= n; });
  }
  static void send_all(EmulatedUsbDevice& device, const std::vector<Bytes>& reports) {
    for (const auto& report : reports) device.send(report);
  }

  UmockdevUsb usb_;  // first: before libusb starts its threads
  boost::asio::io_context io_;
  // libusb's thread posts into the loop; nothing else keeps it busy while a read is pending.
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::shared_ptr<drivers::UsbContext> context_;
  std::vector<std::string> texts_;
  std::vector<Connection> connections_;
  std::function<void()> on_read;  // after each read is recorded, from within the driver's completion
  std::unique_ptr<hw::ScannerDriver> driver_;  // last: gone before the context and the testbed
};

}  // namespace passgate::test
