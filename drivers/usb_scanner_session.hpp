// UsbScannerSession: one USB scanner device from opening it to losing it (part of the USB
// scanner driver, drivers/usb_scanner.hpp). It opens the device (the kernel driver is
// detached automatically on claim and attached again on release), checks the serial
// number if one is configured, picks the interface (HID POS: a HID interface whose report
// descriptor, fetched with GET_DESCRIPTOR 0x22, has a decoded-data report; keyboard: the
// boot keyboard interface, switched to the boot protocol), claims it and reads interrupt
// reports into complete reads. Every request is an asynchronous transfer: nothing blocks.
// Loop thread only; events arrive on the loop, never from within start().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <optional>
#include <vector>

#include <libusb.h>

#include "common/result.hpp"
#include "drivers/usb_scanner.hpp"
#include "drivers/usb_scanner_transfer.hpp"

namespace passgate::drivers {

class UsbScannerSession : public std::enable_shared_from_this<UsbScannerSession> {
 public:
  struct Events {
    std::function<void(std::string detail)> on_ready;  // claimed and reading
    // Set-up failed; nothing else follows. Codes: "not_this_device" (its serial number is
    // another), "unsupported" (no usable interface), "unavailable"/"io_error" (libusb).
    std::function<void(Error error)> on_failed;
    std::function<void(std::string detail)> on_lost;  // after on_ready: unplugged or a read error
    std::function<void(std::string raw)> on_text;     // a complete read
  };

  [[nodiscard]] static std::shared_ptr<UsbScannerSession> start(std::shared_ptr<UsbContext> context,
                                                                libusb_device* device,
                                                                const UsbScannerSettings& settings, Events events);
  // Cancels the transfer in flight and waits until libusb has given it back (at most
  // UsbTransfer::kGiveBackLimit, then it is abandoned), then releases the interface and
  // closes the device. May run from within the session's own completion.
  ~UsbScannerSession();
  UsbScannerSession(const UsbScannerSession&) = delete;
  UsbScannerSession& operator=(const UsbScannerSession&) = delete;

 private:
  struct Interface {
    int number = 0;
    std::uint8_t endpoint = 0;  // interrupt IN
    std::size_t max_packet = 0;
    std::uint16_t report_descriptor_length = 0;
  };
  using Next = std::function<void(libusb_transfer_status status, std::span<const std::uint8_t> data)>;
  struct Private {};

 public:
  UsbScannerSession(Private, std::shared_ptr<UsbContext> context, libusb_device* device,
                    const UsbScannerSettings& settings, Events events);

 private:
  void begin();
  void check_serial();
  void read_serial(std::uint8_t index, std::uint16_t language);
  void pick_interfaces();
  void try_next_interface();
  void use_report_descriptor(const Interface& interface, libusb_transfer_status status,
                             std::span<const std::uint8_t> data);
  void read_reports(const Interface& interface, std::size_t report_bytes);
  void submit_read();
  void on_report(libusb_transfer_status status, std::span<const std::uint8_t> report);
  void control(UsbSetup setup, Next next);
  void fail(Error error);
  void lose(std::string detail);

  std::shared_ptr<UsbContext> context_;
  libusb_device* device_;  // referenced until destruction
  UsbScannerSettings settings_;
  Events events_;
  std::string where_;  // "usb 0c2e:0b61 on bus 1 device 4"
  libusb_device_handle* handle_ = nullptr;
  int claimed_ = -1;
  std::shared_ptr<UsbTransfer> transfer_;
  std::vector<Interface> interfaces_;
  std::size_t next_interface_ = 0;
  std::string refusals_;  // why the HID interfaces tried so far are not HID POS
  std::uint8_t endpoint_ = 0;
  std::size_t read_length_ = 0;
  std::function<Result<std::optional<std::string>>(std::span<const std::uint8_t> report)> decode_;
  bool ready_ = false;  // on_ready was sent
  bool done_ = false;   // failed or lost: no more events
};

}  // namespace passgate::drivers
