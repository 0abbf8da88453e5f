#include "drivers/usb_scanner_session.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "drivers/usb_scanner_error.hpp"
#include "hw/boot_keyboard_report.hpp"
#include "hw/hid_pos_report.hpp"
#include "hw/hid_report_descriptor.hpp"

namespace passgate::drivers {
namespace {

constexpr std::uint8_t kDeviceToHost = 0x80;
constexpr std::uint8_t kInterfaceRecipient = 0x01;
constexpr std::uint8_t kClassRequest = 0x20;
constexpr std::uint8_t kGetDescriptor = 0x06;
constexpr std::uint8_t kSetProtocol = 0x0B;  // HID class request; value 0: boot protocol
constexpr std::uint16_t kStringDescriptor = 0x03;
constexpr std::uint16_t kReportDescriptor = 0x22;
constexpr std::uint16_t kStringLength = 255;
constexpr std::uint16_t kDefaultReportDescriptorLength = 4096;  // if the HID descriptor does not say
// A device that does not answer a request within this is given up (and looked for again).
constexpr std::chrono::milliseconds kControlTimeout{2000};

// A string descriptor's UTF-16LE text; characters outside ASCII become '?'.
std::string string_descriptor_text(std::span<const std::uint8_t> d) {
  std::string text;
  const std::size_t end = d.empty() ? 0 : std::min<std::size_t>(d[0], d.size());
  for (std::size_t i = 2; i + 1 < end; i += 2) {
    const unsigned unit = d[i] | (d[i + 1] << 8);
    text += unit < 0x80 ? static_cast<char>(unit) : '?';
  }
  return text;
}

}  // namespace

std::shared_ptr<UsbScannerSession> UsbScannerSession::start(std::shared_ptr<UsbContext> context,
                                                            libusb_device* device, const UsbScannerSettings& settings,
                                                            Events events) {
  auto session = std::make_shared<UsbScannerSession>(Private{}, std::move(context), device, settings, std::move(events));
  boost::asio::post(session->context_->io(), [weak = session->weak_from_this()] {
    if (const auto self = weak.lock()) self->begin();
  });
  return session;
}

UsbScannerSession::UsbScannerSession(Private, std::shared_ptr<UsbContext> context, libusb_device* device,
                                     const UsbScannerSettings& settings, Events events)
    : context_(std::move(context)),
      device_(libusb_ref_device(device)),
      settings_(settings),
      events_(std::move(events)),
      where_("usb " + usb_id_text(settings.vid, settings.pid) + " on bus " +
             std::to_string(libusb_get_bus_number(device)) + " device " +
             std::to_string(libusb_get_device_address(device))) {}

UsbScannerSession::~UsbScannerSession() {
  // First, and stop() rather than reset(): a completion being delivered may hold the
  // transfer (a listener dropped this session from on_text), with the next read already
  // submitted. libusb must have it back before the interface is released and the handle
  // closed (or, after UsbTransfer::kGiveBackLimit, the transfer is abandoned).
  if (transfer_) transfer_->stop();
  if (claimed_ >= 0) (void)libusb_release_interface(handle_, claimed_);  // fails harmlessly once unplugged
  if (handle_ != nullptr) libusb_close(handle_);
  libusb_unref_device(device_);
}

void UsbScannerSession::begin() {
  auto transfer = UsbTransfer::make(context_->io());
  if (!transfer) return fail(transfer.error());
  transfer_ = std::move(*transfer);
  if (const int r = libusb_open(device_, &handle_); r != 0) {
    handle_ = nullptr;
    return fail(usb_error(r, "open " + where_));
  }
  // Linux only; elsewhere claiming fails if a kernel driver holds the interface.
  (void)libusb_set_auto_detach_kernel_driver(handle_, 1);
  if (settings_.serial.empty()) return pick_interfaces();
  check_serial();
}

void UsbScannerSession::check_serial() {
  libusb_device_descriptor descriptor{};
  (void)libusb_get_device_descriptor(device_, &descriptor);  // cannot fail since libusb 1.0.16
  if (descriptor.iSerialNumber == 0) {
    return fail(make_error("not_this_device", where_ + " has no serial number, expected " + settings_.serial));
  }
  // String descriptor 0 lists the languages; the serial number is read in the first one.
  control({kDeviceToHost, kGetDescriptor, kStringDescriptor << 8, 0, kStringLength},
          [this, index = descriptor.iSerialNumber](libusb_transfer_status status, std::span<const std::uint8_t> langs) {
            if (status != LIBUSB_TRANSFER_COMPLETED || langs.size() < 4) {
              return fail(make_error("io_error", where_ + ": no language list (" + transfer_status_name(status) + ", " +
                                                     std::to_string(langs.size()) + " bytes)"));
            }
            read_serial(index, static_cast<std::uint16_t>(langs[2] | (langs[3] << 8)));
          });
}

void UsbScannerSession::read_serial(std::uint8_t index, std::uint16_t language) {
  control({kDeviceToHost, kGetDescriptor, static_cast<std::uint16_t>((kStringDescriptor << 8) | index), language,
           kStringLength},
          [this](libusb_transfer_status status, std::span<const std::uint8_t> text) {
            if (status != LIBUSB_TRANSFER_COMPLETED) {
              return fail(make_error("io_error", where_ + ": reading its serial number: " + transfer_status_name(status)));
            }
            const std::string serial = string_descriptor_text(text);
            if (serial != settings_.serial) {
              return fail(make_error("not_this_device",
                                     where_ + " has serial number " + serial + ", expected " + settings_.serial));
            }
            pick_interfaces();
          });
}

void UsbScannerSession::pick_interfaces() {
  libusb_config_descriptor* config = nullptr;
  if (const int r = libusb_get_active_config_descriptor(device_, &config); r != 0) {
    return fail(usb_error(r, where_ + ": configuration descriptor"));
  }
  const bool keyboard = settings_.kind == UsbScannerSettings::Kind::keyboard;
  for (int i = 0; i < config->bNumInterfaces; ++i) {
    if (config->interface[i].num_altsetting < 1) continue;
    const libusb_interface_descriptor& alt = config->interface[i].altsetting[0];
    const hw::UsbInterfaceClass cls{alt.bInterfaceClass, alt.bInterfaceSubClass, alt.bInterfaceProtocol};
    // A HID POS interface is never a boot interface (those are keyboards and mice).
    if (keyboard ? !hw::is_boot_keyboard(cls) : (!hw::is_hid(cls) || cls.subclass == 1)) continue;
    for (int e = 0; e < alt.bNumEndpoints; ++e) {
      const libusb_endpoint_descriptor& ep = alt.endpoint[e];
      if ((ep.bmAttributes & 0x03) != LIBUSB_TRANSFER_TYPE_INTERRUPT || (ep.bEndpointAddress & 0x80) == 0) continue;
      const auto length = hw::hid_report_descriptor_length(std::span(alt.extra, static_cast<std::size_t>(alt.extra_length)));
      interfaces_.push_back(Interface{alt.bInterfaceNumber, ep.bEndpointAddress,
                                      static_cast<std::size_t>(ep.wMaxPacketSize & 0x7FF),
                                      length.value_or(kDefaultReportDescriptorLength)});
      break;
    }
  }
  libusb_free_config_descriptor(config);
  if (interfaces_.empty()) {
    return fail(make_error("unsupported", where_ + " has no " + (keyboard ? "boot keyboard" : "HID") +
                                              " interface with an interrupt IN endpoint"));
  }
  try_next_interface();
}

void UsbScannerSession::try_next_interface() {
  if (claimed_ >= 0) {
    (void)libusb_release_interface(handle_, claimed_);
    claimed_ = -1;
  }
  if (next_interface_ == interfaces_.size()) {
    return fail(make_error("unsupported", where_ + " has no HID POS interface (" + refusals_ + ")"));
  }
  const Interface interface = interfaces_[next_interface_++];
  if (const int r = libusb_claim_interface(handle_, interface.number); r != 0) {
    return fail(usb_error(r, where_ + ": claiming interface " + std::to_string(interface.number)));
  }
  claimed_ = interface.number;
  const auto number = static_cast<std::uint16_t>(interface.number);
  if (settings_.kind == UsbScannerSettings::Kind::keyboard) {
    control({kClassRequest | kInterfaceRecipient, kSetProtocol, 0, number, 0},
            [this, interface](libusb_transfer_status status, std::span<const std::uint8_t>) {
              // A keyboard that refuses is taken to be in the boot protocol already.
              if (status != LIBUSB_TRANSFER_COMPLETED) {
                spdlog::debug("event=usb_set_protocol_refused scanner={} interface={} status={}",
                              log_value(settings_.name), interface.number, log_value(transfer_status_name(status)));
              }
              decode_ = [decoder = hw::BootKeyboardDecoder(settings_.max_length)](
                            std::span<const std::uint8_t> report) mutable { return decoder.feed(report); };
              read_reports(interface, hw::kBootKeyboardReportBytes);
            });
    return;
  }
  control({kDeviceToHost | kInterfaceRecipient, kGetDescriptor, kReportDescriptor << 8, number,
           interface.report_descriptor_length},
          [this, interface](libusb_transfer_status status, std::span<const std::uint8_t> data) {
            use_report_descriptor(interface, status, data);
          });
}

void UsbScannerSession::use_report_descriptor(const Interface& interface, libusb_transfer_status status,
                                              std::span<const std::uint8_t> data) {
  if (status != LIBUSB_TRANSFER_COMPLETED) {
    return fail(make_error("io_error", where_ + ": reading the report descriptor of interface " +
                                           std::to_string(interface.number) + ": " + transfer_status_name(status)));
  }
  auto layout = hw::hid_pos_layout(data);
  if (!layout) {
    refusals_ += (refusals_.empty() ? "" : "; ") + ("interface " + std::to_string(interface.number) + ": ") +
                 layout.error().message;
    return try_next_interface();
  }
  const std::size_t report_bytes = layout->report_bytes;
  decode_ = [decoder = hw::HidPosReassembler(std::move(*layout), settings_.max_length)](
                std::span<const std::uint8_t> report) mutable { return decoder.feed(report); };
  read_reports(interface, report_bytes);
}

void UsbScannerSession::read_reports(const Interface& interface, std::size_t report_bytes) {
  // Whole packets, at least one report: a report ends with a short packet or fills the buffer.
  const std::size_t packet = interface.max_packet == 0 ? report_bytes : interface.max_packet;
  endpoint_ = interface.endpoint;
  read_length_ = (std::max(report_bytes, packet) + packet - 1) / packet * packet;
  submit_read();
  if (done_) return;
  ready_ = true;
  events_.on_ready(where_ + ", interface " + std::to_string(interface.number));
}

void UsbScannerSession::submit_read() {
  auto status = transfer_->submit_interrupt_in(
      handle_, endpoint_, read_length_,
      [weak = weak_from_this()](libusb_transfer_status st, std::span<const std::uint8_t> report) {
        if (const auto self = weak.lock()) self->on_report(st, report);
      });
  if (status) return;
  if (!ready_) return fail(status.error());
  lose("reading: " + status.error().message);
}

void UsbScannerSession::on_report(libusb_transfer_status status, std::span<const std::uint8_t> report) {
  switch (status) {
    case LIBUSB_TRANSFER_COMPLETED: break;
    case LIBUSB_TRANSFER_CANCELLED: return;
    case LIBUSB_TRANSFER_OVERFLOW:
      spdlog::warn("event=usb_report_dropped scanner={} max_bytes={} detail=\"report longer than the read buffer\"",
                   log_value(settings_.name), read_length_);
      return submit_read();
    case LIBUSB_TRANSFER_NO_DEVICE: return lose("unplugged");
    default: return lose("reading: " + transfer_status_name(status));
  }
  auto read = decode_(report);
  if (!read) {
    spdlog::warn("event=scan_refused scanner={} kind=usb reason={} detail={}", log_value(settings_.name),
                 log_value(read.error().code), log_value(read.error().message));
  } else if (*read) {
    events_.on_text(std::move(**read));
  }
  submit_read();
}

void UsbScannerSession::control(UsbSetup setup, Next next) {
  auto status = transfer_->submit_control(
      handle_, setup, kControlTimeout,
      [weak = weak_from_this(), next = std::move(next)](libusb_transfer_status st, std::span<const std::uint8_t> data) {
        if (const auto self = weak.lock()) next(st, data);
      });
  if (!status) fail(status.error());
}

// Both run from a handler that holds the session (a posted step or a transfer's
// completion), so the listener may drop it.
void UsbScannerSession::fail(Error error) {
  if (done_) return;
  done_ = true;
  events_.on_failed(std::move(error));
}

void UsbScannerSession::lose(std::string detail) {
  if (done_) return;
  done_ = true;
  events_.on_lost(std::move(detail));
}

}  // namespace passgate::drivers
