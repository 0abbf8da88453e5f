// UsbTransfer (drivers/usb_scanner_transfer.hpp): submitting, completing, stopping and, when
// libusb does not give a cancelled transfer back in time, abandoning.
#include "drivers/usb_scanner_transfer.hpp"

#include <condition_variable>
#include <mutex>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "drivers/usb_scanner_error.hpp"

namespace passgate::drivers {

// Everything libusb's callback touches. Owned by its UsbTransfer, or, once abandoned, by
// the process (Abandoned below) so that a late callback still finds it.
struct UsbTransfer::Slot {
  Slot(boost::asio::io_context& loop, libusb_transfer* t) : io(loop), transfer(t) {}
  ~Slot() { libusb_free_transfer(transfer); }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

  boost::asio::io_context& io;
  libusb_transfer* transfer;
  std::vector<std::uint8_t> buffer;
  std::weak_ptr<UsbTransfer> owner;  // set before each submission
  std::mutex mutex;
  std::condition_variable idle;
  bool in_flight = false;  // guarded by mutex: submitted and not yet given back by libusb
};

namespace {

// The transfers libusb never gave back: kept, never freed, for the life of the process.
// Deliberate: libusb may still call back into them. Reached through a pointer that is never
// deleted, so that neither a static destructor nor the leak checker takes them away.
struct Abandoned {
  std::mutex mutex;
  std::vector<std::unique_ptr<UsbTransfer::Slot>> slots;
  std::uint64_t count = 0;
};

Abandoned& abandoned() {
  static auto* kept = new Abandoned();  // never deleted, on purpose (see above)
  return *kept;
}

}  // namespace

Result<std::shared_ptr<UsbTransfer>> UsbTransfer::make(boost::asio::io_context& io) {
  libusb_transfer* transfer = libusb_alloc_transfer(0);
  if (transfer == nullptr) return make_error("io_error", "libusb cannot allocate a transfer");
  return std::make_shared<UsbTransfer>(Private{}, io, transfer);
}

UsbTransfer::UsbTransfer(Private, boost::asio::io_context& io, libusb_transfer* transfer)
    : slot_(std::make_unique<Slot>(io, transfer)) {}

UsbTransfer::~UsbTransfer() { stop(); }

std::uint64_t UsbTransfer::abandoned_transfers() {
  auto& kept = abandoned();
  const std::lock_guard lock(kept.mutex);
  return kept.count;
}

Status UsbTransfer::submit_interrupt_in(libusb_device_handle* handle, std::uint8_t endpoint, std::size_t length,
                                        Done done) {
  if (stopped_) return make_error("wrong_state", "usb transfer stopped");
  slot_->buffer.assign(length, 0);
  libusb_fill_interrupt_transfer(slot_->transfer, handle, endpoint, slot_->buffer.data(),
                                 static_cast<int>(slot_->buffer.size()), &UsbTransfer::on_complete, slot_.get(), 0);
  return submit(std::move(done));
}

Status UsbTransfer::submit_control(libusb_device_handle* handle, UsbSetup setup, std::chrono::milliseconds timeout,
                                   Done done) {
  if (stopped_) return make_error("wrong_state", "usb transfer stopped");
  slot_->buffer.assign(LIBUSB_CONTROL_SETUP_SIZE + setup.length, 0);
  libusb_fill_control_setup(slot_->buffer.data(), setup.request_type, setup.request, setup.value, setup.index,
                            setup.length);
  libusb_fill_control_transfer(slot_->transfer, handle, slot_->buffer.data(), &UsbTransfer::on_complete, slot_.get(),
                               static_cast<unsigned>(timeout.count()));
  return submit(std::move(done));
}

Status UsbTransfer::submit(Done done) {
  done_ = std::move(done);
  slot_->owner = weak_from_this();
  {
    // Before submitting: once submitted, libusb may call back at any moment.
    const std::lock_guard lock(slot_->mutex);
    slot_->in_flight = true;
  }
  const int r = libusb_submit_transfer(slot_->transfer);
  if (r == 0) return {};
  const std::lock_guard lock(slot_->mutex);
  slot_->in_flight = false;
  done_ = nullptr;
  return usb_error(r, "submit transfer");
}

void UsbTransfer::stop() {
  stopped_ = true;
  done_ = nullptr;
  if (!slot_) return;
  {
    const std::lock_guard lock(slot_->mutex);
    if (!slot_->in_flight) return;
  }
  // No lock of ours is held while libusb runs: its event thread may be calling back.
  (void)libusb_cancel_transfer(slot_->transfer);  // NOT_FOUND if it is completing already
  std::unique_lock lock(slot_->mutex);
  if (slot_->idle.wait_for(lock, kGiveBackLimit, [this] { return !slot_->in_flight; })) return;
  lock.unlock();
  abandon();
}

void UsbTransfer::abandon() {
  auto& kept = abandoned();
  const std::lock_guard lock(kept.mutex);
  kept.slots.push_back(std::move(slot_));
  ++kept.count;
  spdlog::error("event=usb_transfer_abandoned waited_ms={} abandoned_total={} detail=\"libusb did not give a "
                "cancelled transfer back in time; it stays allocated for the life of the process\" "
                "hint=\"is the libusb event thread failing (event=usb_events_failed)?\"",
                kGiveBackLimit.count(), kept.count);
}

// On libusb's event thread: hand the completion to the loop, touch nothing afterwards (the
// owner may free the slot as soon as in_flight is false).
void LIBUSB_CALL UsbTransfer::on_complete(libusb_transfer* transfer) {
  auto* slot = static_cast<Slot*>(transfer->user_data);
  auto& io = slot->io;
  std::weak_ptr<UsbTransfer> owner = slot->owner;
  {
    const std::lock_guard lock(slot->mutex);
    slot->in_flight = false;
    slot->idle.notify_all();
  }
  boost::asio::post(io, [owner = std::move(owner)] {
    if (const auto alive = owner.lock()) alive->finish();
  });
}

void UsbTransfer::finish() {
  if (!slot_) return;  // abandoned: whatever libusb did with it is of no concern any more
  libusb_transfer* transfer = slot_->transfer;
  const auto status = transfer->status;
  const auto* begin = transfer->type == LIBUSB_TRANSFER_TYPE_CONTROL ? libusb_control_transfer_get_data(transfer)
                                                                     : transfer->buffer;
  const std::vector<std::uint8_t> data(begin, begin + transfer->actual_length);
  auto done = std::move(done_);
  done_ = nullptr;
  if (done) done(status, data);
}

}  // namespace passgate::drivers
