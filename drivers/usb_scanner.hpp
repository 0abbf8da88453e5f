// USB code scanners through libusb-1.0: a HID POS scanner (usage page 0x8C, reports laid
// out by its report descriptor, hw/hid_report_descriptor.hpp) or a keyboard-wedge scanner
// in boot-keyboard mode (hw/boot_keyboard_report.hpp).
//
// UsbContext is the one libusb context of the process and its one event thread. That
// thread runs libusb_handle_events_completed and does nothing else but post what libusb
// reports (transfer completions, hotplug events) into the Asio loop; drivers and their
// listeners run on the loop only. Make one with UsbContext::open and share it between
// every USB scanner; the io_context must outlive it. A read in flight is no Asio work:
// whoever runs the loop keeps it running (the daemon's signal set does; tests hold a work
// guard).
//
// make_usb_scanner makes the hw::ScannerDriver of one scanner. Once started it finds the
// device by VID:PID (and serial number, if set), detaches the kernel driver, claims the
// interface, reads the HID report descriptor (HID POS) or switches the interface to the
// boot protocol (keyboard), and reads interrupt reports. A device that is missing or goes
// away is reported (on_connection(false, ...)) and looked for again: at once on a libusb
// hotplug arrival where libusb has hotplug, and by a periodic rescan in any case (which
// also retries a device that could not be opened yet), so a replugged scanner reads again
// without a restart. Every control request is asynchronous: the loop never blocks on USB.
// Reads go to on_text raw, a HID POS read with its AIM identifier ("]Q1..."); reads over
// max_length bytes (io.scan_max_length), and reports the parsers refuse, are logged (length
// and reason, never the text) and dropped. A driver may be dropped at any time on the loop,
// from within its own on_text too: the read in flight is cancelled and given back by libusb
// before the device is released, or abandoned after UsbTransfer::kGiveBackLimit (500 ms) if
// libusb's event thread does not give it back (drivers/usb_scanner_transfer.hpp).
// The driver's files: drivers/usb_scanner_*.{hpp,cpp}.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/result.hpp"
#include "hw/scanner_driver.hpp"

struct libusb_context;

namespace passgate::drivers {

struct UsbScannerSettings {
  std::string name;  // the logical scanner, "lane1.entry"
  enum class Kind { hid_pos, keyboard } kind;
  std::uint16_t vid, pid;
  std::string serial;  // the device's iSerialNumber string; empty: any device with vid:pid
  std::size_t max_length;  // longest read kept (io.scan_max_length); longer ones are dropped
};

class UsbContext {
 public:
  // Called on the loop when libusb reports that a USB device arrived.
  using ArrivalWatch = std::function<void(std::uint16_t vid, std::uint16_t pid)>;

  // One turn of the event thread: libusb_handle_events_completed(context, nullptr), unless a
  // test puts its own in (one that fails, say, to hold the thread in its back-off). Runs on
  // the event thread; returns a libusb error code (0: events handled).
  using EventTurn = std::function<int(libusb_context* context)>;

  // Initializes libusb and starts the event thread, which runs `event_turn` (empty: libusb's
  // own) over and over. Errors: "io_error" (libusb cannot be initialized or its hotplug
  // monitor registered, or the thread cannot start).
  [[nodiscard]] static Result<std::shared_ptr<UsbContext>> open(boost::asio::io_context& io,
                                                                EventTurn event_turn = nullptr);
  // Stops the event thread (libusb_interrupt_event_handler, join) and exits libusb.
  ~UsbContext();
  UsbContext(const UsbContext&) = delete;
  UsbContext& operator=(const UsbContext&) = delete;

  [[nodiscard]] boost::asio::io_context& io() const;
  [[nodiscard]] libusb_context* native() const;
  // Whether libusb reports arrivals (LIBUSB_CAP_HAS_HOTPLUG); without it watches are
  // never called and drivers find replugged devices by their rescan only.
  [[nodiscard]] bool has_hotplug() const;
  // Registers `watch` for as long as the returned handle lives. Loop thread only.
  [[nodiscard]] std::shared_ptr<ArrivalWatch> watch_arrivals(ArrivalWatch watch);

 private:
  struct State;  // drivers/usb_scanner_context.cpp
  explicit UsbContext(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

// The driver of one USB scanner; not started yet. Errors: "invalid_argument" (no context,
// empty name, usb id 0000:0000, max_length 0). Its start() fails only if called twice ("wrong_state").
[[nodiscard]] Result<std::unique_ptr<hw::ScannerDriver>> make_usb_scanner(std::shared_ptr<UsbContext> context,
                                                                          UsbScannerSettings settings);

}  // namespace passgate::drivers
