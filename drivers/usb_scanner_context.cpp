// UsbContext (drivers/usb_scanner.hpp): libusb's context, its event thread and hotplug.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <libusb.h>
#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "drivers/usb_scanner.hpp"
#include "drivers/usb_scanner_backoff.hpp"
#include "drivers/usb_scanner_error.hpp"

namespace passgate::drivers {

struct UsbContext::State {
  State(boost::asio::io_context& loop, libusb_context* usb, EventTurn turn)
      : io(loop), ctx(usb), event_turn(std::move(turn)) {}

  // On the event thread: the device's ids go to the loop, nothing else happens here.
  static int LIBUSB_CALL on_arrival(libusb_context*, libusb_device* device, libusb_hotplug_event, void* user_data) {
    auto* state = static_cast<State*>(user_data);
    libusb_device_descriptor descriptor{};
    if (libusb_get_device_descriptor(device, &descriptor) == 0) {
      boost::asio::post(state->io, [weak = state->self, vid = descriptor.idVendor, pid = descriptor.idProduct] {
        if (const auto alive = weak.lock()) alive->announce(vid, pid);
      });
    }
    return 0;  // stay registered
  }

  void announce(std::uint16_t vid, std::uint16_t pid) {
    std::erase_if(watches, [](const auto& watch) { return watch.expired(); });
    const auto current = watches;  // a watch may add or drop watches
    for (const auto& weak : current) {
      if (const auto watch = weak.lock()) (*watch)(vid, pid);
    }
  }

  // A failure that persists is not a busy loop: the thread backs off (UsbEventBackoff), and
  // each kind of error is logged once.
  void run_events() {
    UsbEventBackoff backoff;
    while (!stopping.load()) {
      const int r = event_turn ? event_turn(ctx) : libusb_handle_events_completed(ctx, nullptr);
      if (r == 0 || r == LIBUSB_ERROR_INTERRUPTED) {
        backoff.succeeded();
        continue;
      }
      const auto step = backoff.failed(r);
      if (step.log) {
        boost::asio::post(io, [message = usb_error(r, "libusb event handling").message] {
          spdlog::warn("event=usb_events_failed max_pause_ms={} detail={} "
                       "hint=\"retrying with a growing pause; logged once per kind of error\"",
                       UsbEventBackoff::kLongestWait.count(), log_value(message));
        });
      }
      std::unique_lock lock(wake_mutex);
      wake.wait_for(lock, step.wait, [this] { return stopping.load(); });
    }
  }

  // Ends run_events, also while it backs off.
  void stop() {
    {
      const std::lock_guard lock(wake_mutex);
      stopping = true;
    }
    wake.notify_all();
    libusb_interrupt_event_handler(ctx);
  }

  boost::asio::io_context& io;
  libusb_context* ctx;
  EventTurn event_turn;  // empty: libusb_handle_events_completed
  std::weak_ptr<State> self;
  bool hotplug = false;
  libusb_hotplug_callback_handle hotplug_handle{};
  std::atomic<bool> stopping{false};
  std::mutex wake_mutex;  // with `wake`: the back-off pause ends at once on stop()
  std::condition_variable wake;
  std::thread thread;
  std::vector<std::weak_ptr<ArrivalWatch>> watches;  // loop thread only
};

Result<std::shared_ptr<UsbContext>> UsbContext::open(boost::asio::io_context& io, EventTurn event_turn) {
  libusb_context* ctx = nullptr;
  if (const int r = libusb_init(&ctx); r != 0) return usb_error(r, "libusb_init");
  auto state = std::make_shared<State>(io, ctx, std::move(event_turn));
  state->self = state;
  // From here on the UsbContext owns ctx: its destructor undoes whatever was set up.
  std::shared_ptr<UsbContext> context(new UsbContext(state));
  if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) != 0) {
    const int r = libusb_hotplug_register_callback(
        ctx, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED, static_cast<libusb_hotplug_flag>(0), LIBUSB_HOTPLUG_MATCH_ANY,
        LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, &State::on_arrival, state.get(), &state->hotplug_handle);
    if (r != 0) return usb_error(r, "libusb hotplug registration");
    state->hotplug = true;
  }
  try {
    state->thread = std::thread([raw = state.get()] { raw->run_events(); });
  } catch (const std::system_error& e) {
    return make_error("io_error", std::string("cannot start the libusb event thread: ") + e.what());
  }
  return context;
}

UsbContext::UsbContext(std::shared_ptr<State> state) : state_(std::move(state)) {}

UsbContext::~UsbContext() {
  if (state_->thread.joinable()) {
    state_->stop();
    state_->thread.join();
  }
  if (state_->hotplug) libusb_hotplug_deregister_callback(state_->ctx, state_->hotplug_handle);
  libusb_exit(state_->ctx);
}

boost::asio::io_context& UsbContext::io() const { return state_->io; }
libusb_context* UsbContext::native() const { return state_->ctx; }
bool UsbContext::has_hotplug() const { return state_->hotplug; }

std::shared_ptr<UsbContext::ArrivalWatch> UsbContext::watch_arrivals(ArrivalWatch watch) {
  auto handle = std::make_shared<ArrivalWatch>(std::move(watch));
  state_->watches.push_back(handle);
  return handle;
}

}  // namespace passgate::drivers
