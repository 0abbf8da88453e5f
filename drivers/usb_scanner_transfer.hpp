// UsbTransfer: one asynchronous libusb transfer (interrupt IN or control) whose completion
// runs on the Asio loop. libusb calls back on UsbContext's event thread; that callback
// only posts the completion into the loop. Submit, cancel and destroy on the loop thread.
//
// Destroying a UsbTransfer that is still in flight cancels it and waits until libusb has
// given it back (libusb cancels promptly; usbfs discards the URB at once), so libusb never
// calls back into a freed object and nothing is posted after its owner is gone. The device
// handle a transfer was submitted on must outlive the transfer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <libusb.h>

#include "common/result.hpp"

namespace passgate::drivers {

// A control request's setup packet (USB 2.0 §9.3). bmRequestType bit 7 set: device to
// host, `length` bytes are read; clear: host to device without data.
struct UsbSetup {
  std::uint8_t request_type = 0;
  std::uint8_t request = 0;
  std::uint16_t value = 0;
  std::uint16_t index = 0;
  std::uint16_t length = 0;
};

class UsbTransfer : public std::enable_shared_from_this<UsbTransfer> {
 public:
  // Runs on the loop with the transfer's status and the bytes received (for a control
  // transfer: the data stage only).
  using Done = std::function<void(libusb_transfer_status status, std::span<const std::uint8_t> data)>;

  // Errors: "io_error" (libusb cannot allocate a transfer).
  [[nodiscard]] static Result<std::shared_ptr<UsbTransfer>> make(boost::asio::io_context& io);
  ~UsbTransfer();
  UsbTransfer(const UsbTransfer&) = delete;
  UsbTransfer& operator=(const UsbTransfer&) = delete;

  // REQUIRES: not in flight. Errors: those of libusb_submit_transfer (usb_error). An
  // interrupt read waits as long as it takes.
  [[nodiscard]] Status submit_interrupt_in(libusb_device_handle* handle, std::uint8_t endpoint, std::size_t length,
                                           Done done);
  // A control transfer not answered within `timeout` finishes LIBUSB_TRANSFER_TIMED_OUT.
  [[nodiscard]] Status submit_control(libusb_device_handle* handle, UsbSetup setup,
                                      std::chrono::milliseconds timeout, Done done);

 private:
  struct Private {};

 public:
  UsbTransfer(Private, boost::asio::io_context& io, libusb_transfer* transfer);

 private:
  static void LIBUSB_CALL on_complete(libusb_transfer* transfer);
  [[nodiscard]] Status submit(Done done);
  void finish();

  boost::asio::io_context& io_;
  libusb_transfer* transfer_;
  std::vector<std::uint8_t> buffer_;
  Done done_;
  std::mutex mutex_;
  std::condition_variable idle_;
  bool in_flight_ = false;  // guarded by mutex_: submitted and not yet given back by libusb
};

}  // namespace passgate::drivers
