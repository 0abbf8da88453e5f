#include "drivers/usb_scanner_transfer.hpp"

#include <utility>

#include <boost/asio/post.hpp>

#include "drivers/usb_scanner_error.hpp"

namespace passgate::drivers {

Result<std::shared_ptr<UsbTransfer>> UsbTransfer::make(boost::asio::io_context& io) {
  libusb_transfer* transfer = libusb_alloc_transfer(0);
  if (transfer == nullptr) return make_error("io_error", "libusb cannot allocate a transfer");
  return std::make_shared<UsbTransfer>(Private{}, io, transfer);
}

UsbTransfer::UsbTransfer(Private, boost::asio::io_context& io, libusb_transfer* transfer)
    : io_(io), transfer_(transfer) {}

UsbTransfer::~UsbTransfer() {
  bool in_flight = false;
  {
    std::lock_guard lock(mutex_);
    in_flight = in_flight_;
  }
  if (in_flight) {
    // No lock of ours is held while libusb runs: its event thread may be calling back.
    (void)libusb_cancel_transfer(transfer_);  // NOT_FOUND if it is completing already
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return !in_flight_; });
  }
  libusb_free_transfer(transfer_);
}

Status UsbTransfer::submit_interrupt_in(libusb_device_handle* handle, std::uint8_t endpoint, std::size_t length,
                                        Done done) {
  buffer_.assign(length, 0);
  libusb_fill_interrupt_transfer(transfer_, handle, endpoint, buffer_.data(), static_cast<int>(buffer_.size()),
                                 &UsbTransfer::on_complete, this, 0);
  return submit(std::move(done));
}

Status UsbTransfer::submit_control(libusb_device_handle* handle, UsbSetup setup, std::chrono::milliseconds timeout,
                                   Done done) {
  buffer_.assign(LIBUSB_CONTROL_SETUP_SIZE + setup.length, 0);
  libusb_fill_control_setup(buffer_.data(), setup.request_type, setup.request, setup.value, setup.index,
                            setup.length);
  libusb_fill_control_transfer(transfer_, handle, buffer_.data(), &UsbTransfer::on_complete, this,
                               static_cast<unsigned>(timeout.count()));
  return submit(std::move(done));
}

Status UsbTransfer::submit(Done done) {
  done_ = std::move(done);
  {
    // Before submitting: once submitted, libusb may call back at any moment.
    std::lock_guard lock(mutex_);
    in_flight_ = true;
  }
  const int r = libusb_submit_transfer(transfer_);
  if (r == 0) return {};
  std::lock_guard lock(mutex_);
  in_flight_ = false;
  done_ = nullptr;
  return usb_error(r, "submit transfer");
}

// On libusb's event thread: hand the completion to the loop, touch nothing afterwards
// (the owner may destroy this object as soon as in_flight_ is false).
void LIBUSB_CALL UsbTransfer::on_complete(libusb_transfer* transfer) {
  auto* self = static_cast<UsbTransfer*>(transfer->user_data);
  auto& io = self->io_;
  std::weak_ptr<UsbTransfer> weak = self->weak_from_this();
  {
    std::lock_guard lock(self->mutex_);
    self->in_flight_ = false;
    self->idle_.notify_all();
  }
  boost::asio::post(io, [weak = std::move(weak)] {
    if (const auto alive = weak.lock()) alive->finish();
  });
}

void UsbTransfer::finish() {
  const auto status = transfer_->status;
  const auto* begin = transfer_->type == LIBUSB_TRANSFER_TYPE_CONTROL ? libusb_control_transfer_get_data(transfer_)
                                                                         : transfer_->buffer;
  const std::vector<std::uint8_t> data(begin, begin + transfer_->actual_length);
  auto done = std::move(done_);
  done_ = nullptr;
  if (done) done(status, data);
}

}  // namespace passgate::drivers
