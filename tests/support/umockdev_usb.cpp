#include "tests/support/umockdev_usb.hpp"

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <stdexcept>

#include <linux/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <umockdev.h>

namespace passgate::test {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint8_t kGetDescriptor = 0x06;
constexpr std::uint8_t kSetIdle = 0x0A;
constexpr std::uint8_t kSetProtocol = 0x0B;
constexpr std::size_t kSetupBytes = 8;

void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v & 0xFF));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}

// Device descriptor, then the configuration descriptor with one interface, HID class
// descriptor and interrupt IN endpoint per emulated interface (USB 2.0 §9.6, HID 1.11 §6.2.1).
Bytes descriptors(const EmulatedUsbDeviceSpec& spec) {
  Bytes d = {18, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 64};
  put16(d, spec.vid);
  put16(d, spec.pid);
  put16(d, 0x0100);
  d.insert(d.end(), {1, 2, static_cast<std::uint8_t>(spec.serial.empty() ? 0 : 3), 1});
  Bytes config = {9, 0x02, 0, 0, static_cast<std::uint8_t>(spec.interfaces.size()), 1, 0, 0x80, 50};
  for (std::size_t i = 0; i < spec.interfaces.size(); ++i) {
    const auto& in = spec.interfaces[i];
    config.insert(config.end(), {9, 0x04, static_cast<std::uint8_t>(i), 0, 1, 3, in.subclass, in.protocol, 0});
    config.insert(config.end(), {9, 0x21, 0x11, 0x01, 0, 1, 0x22});
    put16(config, static_cast<std::uint16_t>(in.report_descriptor.size()));
    config.insert(config.end(), {7, 0x05, in.endpoint, 0x03});
    put16(config, in.max_packet);
    config.push_back(10);
  }
  config[2] = static_cast<std::uint8_t>(config.size() & 0xFF);
  config[3] = static_cast<std::uint8_t>(config.size() >> 8);
  d.insert(d.end(), config.begin(), config.end());
  return d;
}

std::string hex(const Bytes& bytes) {
  std::string text;
  char two[3];
  for (const auto b : bytes) {
    std::snprintf(two, sizeof two, "%02x", b);
    text += two;
  }
  return text;
}

Bytes string_descriptor(const std::string& text) {
  Bytes d = {static_cast<std::uint8_t>(2 + 2 * text.size()), 0x03};
  for (const char c : text) put16(d, static_cast<std::uint8_t>(c));
  return d;
}

}  // namespace

struct EmulatedUsbDevice::State {
  EmulatedUsbDeviceSpec spec;
  std::string node;     // "/dev/bus/usb/001/002"
  std::string syspath;  // "/sys/devices/usb2"
  UMockdevIoctlBase* handler = nullptr;

  mutable std::mutex mutex;
  std::deque<Bytes> reports;                  // sent by the test, not read yet
  std::deque<UMockdevIoctlData*> pending_in;  // interrupt IN URBs waiting for a report (referenced)
  std::deque<UMockdevIoctlData*> completed;   // URBs to hand back on reap (referenced)
  std::map<int, bool> boot_protocol;
  int claimed = -1;
  bool detached = false;
  bool gone = false;

  ~State() {
    for (auto* urb : pending_in) umockdev_ioctl_data_unref(urb);
    for (auto* urb : completed) umockdev_ioctl_data_unref(urb);
    if (handler != nullptr) g_object_unref(handler);
  }

  static gboolean on_ioctl(UMockdevIoctlBase*, UMockdevIoctlClient* client, gpointer user_data) {
    auto* self = static_cast<State*>(user_data);
    std::lock_guard lock(self->mutex);
    return self->handle(client);
  }

  static usbdevfs_urb* urb_of(UMockdevIoctlData* data) { return reinterpret_cast<usbdevfs_urb*>(data->data); }

  void finish(UMockdevIoctlData* urb_data, int status, std::size_t length) {
    auto* urb = urb_of(urb_data);
    urb->status = status;
    urb->actual_length = static_cast<int>(length);
    completed.push_back(urb_data);
  }

  // Hands reports to interrupt reads waiting for one.
  void deliver() {
    while (!pending_in.empty() && !reports.empty()) {
      auto* urb_data = pending_in.front();
      pending_in.pop_front();
      auto* urb = urb_of(urb_data);
      const Bytes report = std::move(reports.front());
      reports.pop_front();
      if (report.size() > static_cast<std::size_t>(urb->buffer_length)) {
        finish(urb_data, -EOVERFLOW, 0);
        continue;
      }
      std::memcpy(urb->buffer, report.data(), report.size());
      finish(urb_data, 0, report.size());
    }
  }

  // A control request answered at once: (status, data stage).
  std::pair<int, Bytes> control(const std::uint8_t* setup) const {
    const std::uint8_t type = setup[0];
    const std::uint8_t request = setup[1];
    const auto value = static_cast<std::uint16_t>(setup[2] | (setup[3] << 8));
    const auto index = static_cast<std::uint16_t>(setup[4] | (setup[5] << 8));
    if (type == 0x80 && request == kGetDescriptor && (value >> 8) == 0x03) {
      const std::uint8_t which = value & 0xFF;
      if (which == 0) return {0, {4, 0x03, 0x09, 0x04}};  // English (US)
      if (which == 3 && !spec.serial.empty()) return {0, string_descriptor(spec.serial)};
      if (which == 1 || which == 2) return {0, string_descriptor("Passgate test scanner")};
      return {-EPIPE, {}};
    }
    if (type == 0x81 && request == kGetDescriptor && (value >> 8) == 0x22 && index < spec.interfaces.size()) {
      return {0, spec.interfaces[index].report_descriptor};
    }
    if (type == 0x21 && (request == kSetProtocol || request == kSetIdle) && index < spec.interfaces.size()) {
      return {0, {}};
    }
    return {-EPIPE, {}};  // a stall, as a device answers a request it does not know
  }

  gboolean submit(UMockdevIoctlClient* client, UMockdevIoctlData* arg) {
    UMockdevIoctlData* urb_data = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_urb), nullptr);
    if (urb_data == nullptr) return FALSE;
    auto* urb = urb_of(urb_data);
    UMockdevIoctlData* buffer =
        umockdev_ioctl_data_resolve(urb_data, offsetof(usbdevfs_urb, buffer), static_cast<gsize>(urb->buffer_length), nullptr);
    if (buffer != nullptr) umockdev_ioctl_data_unref(buffer);  // urb_data keeps it
    if (urb->type == USBDEVFS_URB_TYPE_CONTROL && urb->buffer_length >= static_cast<int>(kSetupBytes)) {
      auto* bytes = static_cast<std::uint8_t*>(urb->buffer);
      auto [status, data] = control(bytes);
      if (bytes[1] == kSetProtocol && status == 0) boot_protocol[bytes[4]] = (bytes[2] == 0);
      const std::size_t room = static_cast<std::size_t>(urb->buffer_length) - kSetupBytes;
      const std::size_t n = std::min(room, data.size());
      if (n > 0) std::memcpy(bytes + kSetupBytes, data.data(), n);  // data may be empty (no pointer)
      finish(urb_data, status, n);
    } else if (urb->type == USBDEVFS_URB_TYPE_INTERRUPT && (urb->endpoint & 0x80) != 0) {
      pending_in.push_back(urb_data);
      deliver();
    } else {
      umockdev_ioctl_data_unref(urb_data);
      umockdev_ioctl_client_complete(client, -1, EINVAL);
      return TRUE;
    }
    umockdev_ioctl_client_complete(client, 0, 0);
    return TRUE;
  }

  gboolean reap(UMockdevIoctlClient* client, UMockdevIoctlData* arg) {
    deliver();
    if (completed.empty()) {
      umockdev_ioctl_client_complete(client, -1, gone ? ENODEV : EAGAIN);
      return TRUE;
    }
    UMockdevIoctlData* urb_data = completed.front();
    completed.pop_front();
    UMockdevIoctlData* slot = umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), nullptr);
    umockdev_ioctl_data_set_ptr(slot, 0, urb_data);
    umockdev_ioctl_client_complete(client, 0, 0);
    umockdev_ioctl_data_unref(slot);
    umockdev_ioctl_data_unref(urb_data);
    return TRUE;
  }

  gboolean discard(UMockdevIoctlClient* client, UMockdevIoctlData* arg) {
    const auto address = *reinterpret_cast<gulong*>(arg->data);
    for (auto it = pending_in.begin(); it != pending_in.end(); ++it) {
      if ((*it)->client_addr == address) {
        auto* urb_data = *it;
        pending_in.erase(it);
        finish(urb_data, -ENOENT, 0);
        umockdev_ioctl_client_complete(client, 0, 0);
        return TRUE;
      }
    }
    umockdev_ioctl_client_complete(client, -1, EINVAL);
    return TRUE;
  }

  // Reads the int an ioctl's argument points to (an interface number).
  static int int_arg(UMockdevIoctlData* arg) {
    UMockdevIoctlData* value = umockdev_ioctl_data_resolve(arg, 0, sizeof(int), nullptr);
    const int v = *reinterpret_cast<int*>(value->data);
    umockdev_ioctl_data_unref(value);
    return v;
  }

  gboolean handle(UMockdevIoctlClient* client) {
    const gulong request = umockdev_ioctl_client_get_request(client);
    UMockdevIoctlData* arg = umockdev_ioctl_client_get_arg(client);
    if (request == USBDEVFS_REAPURB || request == USBDEVFS_REAPURBNDELAY) return reap(client, arg);
    if (gone) {
      umockdev_ioctl_client_complete(client, -1, ENODEV);
      return TRUE;
    }
    switch (request) {
      case USBDEVFS_GET_CAPABILITIES: {
        UMockdevIoctlData* caps = umockdev_ioctl_data_resolve(arg, 0, sizeof(std::uint32_t), nullptr);
        *reinterpret_cast<std::uint32_t*>(caps->data) =
            USBDEVFS_CAP_ZERO_PACKET | USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
            USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
        umockdev_ioctl_client_complete(client, 0, 0);
        umockdev_ioctl_data_unref(caps);
        return TRUE;
      }
      case USBDEVFS_DISCONNECT_CLAIM: {
        UMockdevIoctlData* dc = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_disconnect_claim), nullptr);
        claimed = static_cast<int>(reinterpret_cast<usbdevfs_disconnect_claim*>(dc->data)->interface);
        detached = true;
        umockdev_ioctl_client_complete(client, 0, 0);
        umockdev_ioctl_data_unref(dc);
        return TRUE;
      }
      case USBDEVFS_CLAIMINTERFACE:
        claimed = int_arg(arg);
        umockdev_ioctl_client_complete(client, 0, 0);
        return TRUE;
      case USBDEVFS_RELEASEINTERFACE:
        if (int_arg(arg) == claimed) claimed = -1;
        umockdev_ioctl_client_complete(client, 0, 0);
        return TRUE;
      case USBDEVFS_IOCTL:  // USBDEVFS_CONNECT: the kernel driver back after a release
      case USBDEVFS_CLEAR_HALT:
      case USBDEVFS_RESETEP:
        umockdev_ioctl_client_complete(client, 0, 0);
        return TRUE;
      case USBDEVFS_GETDRIVER:
        umockdev_ioctl_client_complete(client, -1, ENODATA);
        return TRUE;
      case USBDEVFS_SUBMITURB: return submit(client, arg);
      case USBDEVFS_DISCARDURB: return discard(client, arg);
      default:
        std::fprintf(stderr, "umockdev_usb: %s: ioctl 0x%lx not emulated\n", node.c_str(), request);
        umockdev_ioctl_client_complete(client, -1, ENOTTY);
        return TRUE;
    }
  }

  // Fails the URBs in flight as the kernel does on disconnect.
  void unplug() {
    std::lock_guard lock(mutex);
    gone = true;
    while (!pending_in.empty()) {
      auto* urb_data = pending_in.front();
      pending_in.pop_front();
      finish(urb_data, -ESHUTDOWN, 0);
    }
  }
};

EmulatedUsbDevice::EmulatedUsbDevice(std::unique_ptr<State> state) : state_(std::move(state)) {}
EmulatedUsbDevice::~EmulatedUsbDevice() = default;

void EmulatedUsbDevice::send(std::span<const std::uint8_t> report) {
  std::lock_guard lock(state_->mutex);
  state_->reports.emplace_back(report.begin(), report.end());
}

std::size_t EmulatedUsbDevice::unread() const {
  std::lock_guard lock(state_->mutex);
  return state_->reports.size();
}

int EmulatedUsbDevice::claimed_interface() const {
  std::lock_guard lock(state_->mutex);
  return state_->claimed;
}

bool EmulatedUsbDevice::boot_protocol(int interface) const {
  std::lock_guard lock(state_->mutex);
  const auto it = state_->boot_protocol.find(interface);
  return it != state_->boot_protocol.end() && it->second;
}

bool EmulatedUsbDevice::kernel_driver_detached() const {
  std::lock_guard lock(state_->mutex);
  return state_->detached;
}

bool EmulatedUsbDevice::read_pending() const {
  std::lock_guard lock(state_->mutex);
  return !state_->pending_in.empty();
}

struct UmockdevUsb::Testbed {
  UMockdevTestbed* testbed = umockdev_testbed_new();
  std::vector<std::unique_ptr<EmulatedUsbDevice>> devices;
  int next_devnum = 1;

  ~Testbed() {
    g_object_unref(testbed);  // first: no handler runs after this
    devices.clear();
  }
};

UmockdevUsb::UmockdevUsb() : testbed_(std::make_unique<Testbed>()) {
  if (testbed_->testbed == nullptr) throw std::runtime_error("umockdev: cannot create a testbed");
}

UmockdevUsb::~UmockdevUsb() = default;

EmulatedUsbDevice& UmockdevUsb::plug(const EmulatedUsbDeviceSpec& spec) {
  const int devnum = testbed_->next_devnum++;
  char node[32];
  std::snprintf(node, sizeof node, "/dev/bus/usb/001/%03d", devnum);
  auto state = std::make_unique<EmulatedUsbDevice::State>();
  state->spec = spec;
  state->node = node;
  state->syspath = "/sys/devices/usb" + std::to_string(devnum);
  state->handler = umockdev_ioctl_base_new();
  g_signal_connect_data(state->handler, "handle-ioctl", reinterpret_cast<GCallback>(&EmulatedUsbDevice::State::on_ioctl),
                        state.get(), nullptr, G_CONNECT_AFTER);
  // The node's handler first: libusb may open the device as soon as the add uevent arrives.
  GError* error = nullptr;
  if (!umockdev_testbed_attach_ioctl(testbed_->testbed, node, state->handler, &error)) {
    const std::string why = error != nullptr ? error->message : "unknown";
    g_clear_error(&error);
    throw std::runtime_error("umockdev: cannot attach the usbfs handler to " + std::string(node) + ": " + why);
  }
  const std::string n = std::to_string(devnum);
  char num[4];
  std::snprintf(num, sizeof num, "%03d", devnum);
  const std::string record = "P: /devices/usb" + n + "\nN: bus/usb/001/" + num +
                             "\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\nE: BUSNUM=001\nE: DEVNUM=" + num +
                             "\nE: DEVNAME=" + node + "\nA: busnum=1\\n\nA: devnum=" + n +
                             "\\n\nA: bConfigurationValue=1\\n\nA: speed=12\\n\nH: descriptors=" +
                             hex(descriptors(spec)) + "\n";
  if (!umockdev_testbed_add_from_string(testbed_->testbed, record.c_str(), &error)) {
    const std::string why = error != nullptr ? error->message : "unknown";
    g_clear_error(&error);
    throw std::runtime_error("umockdev: cannot add " + std::string(node) + ": " + why);
  }
  testbed_->devices.push_back(std::make_unique<EmulatedUsbDevice>(std::move(state)));
  return *testbed_->devices.back();
}

void UmockdevUsb::unplug(EmulatedUsbDevice& device) {
  device.state().unplug();
  umockdev_testbed_uevent(testbed_->testbed, device.state().syspath.c_str(), "remove");
  umockdev_testbed_remove_device(testbed_->testbed, device.state().syspath.c_str());
}

}  // namespace passgate::test
