// UmockdevUsb: USB HID devices emulated in the test process through umockdev, for tests of
// the libusb scanner driver (docs/development.md, "Hardware drivers without hardware"). Each plugged device
// gets a sysfs entry (device and configuration descriptors) and a usbfs node whose ioctls
// this emulator answers as the kernel would for a HID device: capabilities, claiming
// (with the kernel driver detached), control requests (string descriptors, the HID report
// descriptor, SET_PROTOCOL, SET_IDLE), interrupt IN URBs fed with the reports a test sends,
// URB reaping and discarding. Unplugging fails every URB in flight and every later request
// with ENODEV and removes the device with a uevent, as a real unplug does.
//
// Only tests linked with umockdev's preload library can use it (tests/CMakeLists.txt).
// Create it before anything starts a thread (libusb does): it sets environment variables.
// The ioctl handlers run on umockdev's own thread; the methods here are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace passgate::test {

struct EmulatedHidInterface {
  std::uint8_t subclass = 0;  // 1: boot interface
  std::uint8_t protocol = 0;  // with subclass 1: 1 keyboard, 2 mouse
  std::vector<std::uint8_t> report_descriptor;
  std::uint8_t endpoint = 0x81;  // interrupt IN
  std::uint16_t max_packet = 64;
};

struct EmulatedUsbDeviceSpec {
  std::uint16_t vid = 0;
  std::uint16_t pid = 0;
  std::string serial;  // empty: no serial number string
  std::vector<EmulatedHidInterface> interfaces;
};

class EmulatedUsbDevice {
 public:
  struct State;  // umockdev_usb.cpp
  explicit EmulatedUsbDevice(std::unique_ptr<State> state);
  ~EmulatedUsbDevice();
  EmulatedUsbDevice(const EmulatedUsbDevice&) = delete;
  EmulatedUsbDevice& operator=(const EmulatedUsbDevice&) = delete;

  // Queues an interrupt IN report; the host's next read of the endpoint returns it.
  void send(std::span<const std::uint8_t> report);
  // Reports sent but not yet read by the host.
  [[nodiscard]] std::size_t unread() const;
  // The interface the host has claimed, or -1.
  [[nodiscard]] int claimed_interface() const;
  // Whether the host switched `interface` to the boot protocol (SET_PROTOCOL 0).
  [[nodiscard]] bool boot_protocol(int interface) const;
  // Whether the host asked for the kernel driver to be detached when claiming.
  [[nodiscard]] bool kernel_driver_detached() const;
  // Whether the host has an interrupt IN read waiting for a report.
  [[nodiscard]] bool read_pending() const;

  [[nodiscard]] State& state() { return *state_; }

 private:
  std::unique_ptr<State> state_;
};

class UmockdevUsb {
 public:
  UmockdevUsb();
  ~UmockdevUsb();
  UmockdevUsb(const UmockdevUsb&) = delete;
  UmockdevUsb& operator=(const UmockdevUsb&) = delete;

  // Plugs a device in on bus 1 with the next free device number, as the kernel numbers
  // devices. The reference stays valid until this object is destroyed.
  EmulatedUsbDevice& plug(const EmulatedUsbDeviceSpec& spec);
  // Unplugs the device: its URBs in flight complete with ESHUTDOWN, every later request
  // fails with ENODEV, and it disappears from sysfs with a "remove" uevent.
  void unplug(EmulatedUsbDevice& device);

 private:
  struct Testbed;  // umockdev_usb.cpp
  std::unique_ptr<Testbed> testbed_;
};

}  // namespace passgate::test
