// UsbTransfer: one asynchronous libusb transfer (interrupt IN or control) whose completion
// runs on the Asio loop. libusb calls back on UsbContext's event thread; that callback
// only posts the completion into the loop. Submit, stop and destroy on the loop thread.
//
// stop() (and the destructor) cancels a transfer in flight and waits until libusb has given
// it back, so that libusb never calls back into freed memory and the device handle may be
// closed afterwards: a transfer still in flight when its handle is released or closed is
// undefined behaviour in libusb. Whoever closes the handle calls stop() first, even while
// a completion being delivered still holds this object. After stop() no completion reaches
// the caller's `done` any more.
//
// The wait is bounded by kGiveBackLimit. libusb gives a cancelled transfer back only from
// its event thread, which may not be handling events (it backs off for up to 5 s a turn
// after libusb fails, drivers/usb_scanner_backoff.hpp), and the loop must not stall anywhere
// near the systemd watchdog (WatchdogSec=10s, pinged every 5 s from the loop: docs/service.md;
// it fires once a stall delays a ping by more than 5 s). A cancelled transfer normally comes
// back within a millisecond or so; 500 ms leaves ample room for a busy machine, and a gate
// that stops all its scanners in one loop turn, each stuck, stays under 5 s with up to nine
// of them. A transfer not given back by then is abandoned,
// deliberately leaked: its libusb transfer and buffer stay allocated for the rest of the
// process (a late callback from libusb still finds them; nothing of the owner is reached),
// the leak is logged (event=usb_transfer_abandoned) and counted once
// (abandoned_transfers()), and the owner may close the handle (libusb then forgets the
// transfer; the kernel discards its URB with the file). A stopped UsbTransfer takes no more
// submissions.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

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

  // How long stop() waits for libusb to give a cancelled transfer back (see above).
  static constexpr std::chrono::milliseconds kGiveBackLimit{500};

  // Errors: "io_error" (libusb cannot allocate a transfer).
  [[nodiscard]] static Result<std::shared_ptr<UsbTransfer>> make(boost::asio::io_context& io);
  // stop()
  ~UsbTransfer();
  UsbTransfer(const UsbTransfer&) = delete;
  UsbTransfer& operator=(const UsbTransfer&) = delete;

  // REQUIRES: not in flight. Errors: those of libusb_submit_transfer (usb_error), and
  // "wrong_state" after stop(). An interrupt read waits as long as it takes.
  [[nodiscard]] Status submit_interrupt_in(libusb_device_handle* handle, std::uint8_t endpoint, std::size_t length,
                                           Done done);
  // A control transfer not answered within `timeout` finishes LIBUSB_TRANSFER_TIMED_OUT.
  [[nodiscard]] Status submit_control(libusb_device_handle* handle, UsbSetup setup,
                                      std::chrono::milliseconds timeout, Done done);
  // Forgets `done`; if in flight, cancels and waits (at most kGiveBackLimit) until libusb
  // has given the transfer back, else abandons it. Afterwards libusb no longer uses the
  // handle it was submitted on for it.
  void stop();

  // How many transfers this process has abandoned so far (each is counted once).
  [[nodiscard]] static std::uint64_t abandoned_transfers();

  struct Slot;  // what libusb's callback uses; drivers/usb_scanner_transfer.cpp only

 private:
  struct Private {};

 public:
  UsbTransfer(Private, boost::asio::io_context& io, libusb_transfer* transfer);

 private:
  static void LIBUSB_CALL on_complete(libusb_transfer* transfer);
  [[nodiscard]] Status submit(Done done);
  void finish();
  void abandon();

  std::unique_ptr<Slot> slot_;  // null once abandoned
  Done done_;
  bool stopped_ = false;
};

}  // namespace passgate::drivers
