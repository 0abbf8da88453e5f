// make_usb_scanner (drivers/usb_scanner.hpp): finding the device, reconnecting, reporting.
#include "drivers/usb_scanner.hpp"

#include <chrono>
#include <deque>
#include <utility>

#include <boost/asio/steady_timer.hpp>
#include <libusb.h>
#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "drivers/usb_scanner_error.hpp"
#include "drivers/usb_scanner_session.hpp"
#include "hw/scanner_connection.hpp"

namespace passgate::drivers {
namespace {

// How often a missing or failed device is looked for again (hotplug arrivals are at once).
constexpr std::chrono::seconds kRescanInterval{1};

struct DeviceUnref {
  void operator()(libusb_device* device) const { libusb_unref_device(device); }
};
using DeviceRef = std::unique_ptr<libusb_device, DeviceUnref>;

// The loop-side state of one scanner. Shared so that timer and hotplug handlers, which
// may run after the driver is gone, hold it only weakly.
class UsbScannerCore : public std::enable_shared_from_this<UsbScannerCore> {
 public:
  UsbScannerCore(std::shared_ptr<UsbContext> context, UsbScannerSettings settings)
      : context_(std::move(context)),
        settings_(std::move(settings)),
        connection_(hw::ScannerInfo{settings_.name,
                                    settings_.kind == UsbScannerSettings::Kind::hid_pos ? "hid_pos" : "keyboard",
                                    "usb " + usb_id_text(settings_.vid, settings_.pid) +
                                        (settings_.serial.empty() ? "" : " serial " + settings_.serial),
                                    false, ""}),
        rescan_(context_->io()) {}

  void start(hw::ScannerEvents events) {
    events_ = std::move(events);
    watch_ = context_->watch_arrivals([weak = weak_from_this()](std::uint16_t vid, std::uint16_t pid) {
      const auto self = weak.lock();
      if (self && vid == self->settings_.vid && pid == self->settings_.pid) self->scan();
    });
    rescan_after(std::chrono::seconds(0));  // never call the listener from within start()
  }

  void stop() {
    rescan_.cancel();
    watch_.reset();
    session_.reset();
    candidates_.clear();
  }

  [[nodiscard]] const std::string& name() const { return settings_.name; }
  [[nodiscard]] hw::ScannerInfo info() const { return connection_.info(); }

 private:
  void rescan_after(std::chrono::steady_clock::duration delay) {
    rescan_.expires_after(delay);
    rescan_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (const auto self = weak.lock(); self && !ec) self->scan();
    });
  }

  void scan() {
    if (session_) return;  // connected, or trying a device
    rescan_.cancel();
    libusb_device** list = nullptr;
    const ssize_t count = libusb_get_device_list(context_->native(), &list);
    if (count < 0) return not_connected(usb_error(static_cast<int>(count), "listing usb devices").message);
    for (ssize_t i = 0; i < count; ++i) {
      libusb_device_descriptor d{};
      if (libusb_get_device_descriptor(list[i], &d) == 0 && d.idVendor == settings_.vid && d.idProduct == settings_.pid) {
        candidates_.emplace_back(libusb_ref_device(list[i]));
      }
    }
    libusb_free_device_list(list, 1);
    last_failure_ = "usb " + usb_id_text(settings_.vid, settings_.pid) + " not found";
    try_next_candidate();
  }

  void try_next_candidate() {
    if (candidates_.empty()) return not_connected(last_failure_);
    const DeviceRef device = std::move(candidates_.front());
    candidates_.pop_front();
    const std::weak_ptr<UsbScannerCore> weak = weak_from_this();
    session_ = UsbScannerSession::start(
        context_, device.get(), settings_,
        UsbScannerSession::Events{
            [weak](std::string detail) {
              if (const auto self = weak.lock()) self->connected(std::move(detail));
            },
            [weak](Error error) {
              if (const auto self = weak.lock()) self->failed(std::move(error));
            },
            [weak](std::string detail) {
              if (const auto self = weak.lock()) self->lost(std::move(detail));
            },
            [weak](std::string raw) {
              if (const auto self = weak.lock(); self && self->events_.on_text) self->events_.on_text(std::move(raw));
            }});
  }

  void connected(std::string detail) {
    candidates_.clear();
    spdlog::info("event=scanner_connected scanner={} kind=usb detail={}", log_value(settings_.name), log_value(detail));
    connection_.report(events_, true, std::move(detail));
  }

  void failed(Error error) {
    session_.reset();
    last_failure_ = std::move(error.message);
    try_next_candidate();
  }

  void lost(std::string detail) {
    session_.reset();
    not_connected(std::move(detail));
  }

  void not_connected(std::string detail) {
    if (connection_.loss_is_news(detail)) {
      spdlog::warn("event=scanner_lost scanner={} kind=usb search={} detail={}", log_value(settings_.name),
                   context_->has_hotplug() ? "hotplug" : "every_second", log_value(detail));
    }
    connection_.report(events_, false, std::move(detail));
    rescan_after(kRescanInterval);
  }

  std::shared_ptr<UsbContext> context_;
  UsbScannerSettings settings_;
  hw::ScannerConnection connection_;
  hw::ScannerEvents events_;
  boost::asio::steady_timer rescan_;
  std::shared_ptr<UsbContext::ArrivalWatch> watch_;
  std::deque<DeviceRef> candidates_;  // devices with our vid:pid not tried yet
  std::string last_failure_;
  std::shared_ptr<UsbScannerSession> session_;
};

class UsbScanner final : public hw::ScannerDriver {
 public:
  explicit UsbScanner(std::shared_ptr<UsbScannerCore> core) : core_(std::move(core)) {}
  ~UsbScanner() override { core_->stop(); }
  UsbScanner(const UsbScanner&) = delete;
  UsbScanner& operator=(const UsbScanner&) = delete;

  [[nodiscard]] const std::string& name() const override { return core_->name(); }
  [[nodiscard]] Status start(hw::ScannerEvents events) override {
    if (started_) return make_error("wrong_state", "usb scanner " + core_->name() + " started twice");
    started_ = true;
    core_->start(std::move(events));
    return {};
  }
  [[nodiscard]] hw::ScannerInfo info() const override { return core_->info(); }

 private:
  std::shared_ptr<UsbScannerCore> core_;
  bool started_ = false;
};

}  // namespace

Result<std::unique_ptr<hw::ScannerDriver>> make_usb_scanner(std::shared_ptr<UsbContext> context,
                                                           UsbScannerSettings settings) {
  if (!context) return make_error("invalid_argument", "usb scanner " + settings.name + ": no usb context");
  if (settings.name.empty()) return make_error("invalid_argument", "usb scanner without a name");
  if (settings.vid == 0 && settings.pid == 0) {
    return make_error("invalid_argument", "usb scanner " + settings.name + ": usb id 0000:0000");
  }
  if (settings.max_length == 0) {
    return make_error("invalid_argument", "usb scanner " + settings.name + ": max_length must be at least 1");
  }
  auto core = std::make_shared<UsbScannerCore>(std::move(context), std::move(settings));
  return std::unique_ptr<hw::ScannerDriver>(std::make_unique<UsbScanner>(std::move(core)));
}

}  // namespace passgate::drivers
