// ScannerDriver: one physical code scanner as the gate sees it, whatever its link: a USB HID
// POS scanner (libusb), a USB keyboard-wedge scanner in boot-keyboard mode (libusb), or a
// serial (CDC-ACM) scanner. A driver finds its device, reads complete codes from it and
// reports them, and reports when the device goes away and comes back (unplug, replug),
// reconnecting by itself. Every callback runs on the event loop (a driver with a thread of
// its own posts into the loop). Text is delivered raw: it may still carry an AIM symbology
// identifier ("]Q1") or a suffix; the gate normalizes and filters it (hw/scan_text.hpp).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "common/result.hpp"

namespace passgate::hw {

struct ScannerEvents {
  // One complete read (a whole code, reassembled from however many reports it took).
  std::function<void(std::string raw)> on_text;
  // The device became reachable (true) or was lost (false); `detail` says what happened
  // ("unplugged", "usb 0c2e:0b61 claimed on bus 1 device 4", "read: EIO").
  std::function<void(bool connected, std::string detail)> on_connection;
};

// What `passgatectl hw scanners` shows about a scanner.
struct ScannerInfo {
  std::string name;        // the logical scanner, "lane1.entry"
  std::string kind;        // "hid_pos", "keyboard" or "serial"
  std::string device;      // "usb 0c2e:0b61" or "/dev/ttyACM0"
  bool connected = false;
  std::string detail;      // the last connection detail
};

class ScannerDriver {
 public:
  virtual ~ScannerDriver() = default;
  // The logical scanner name from the config, e.g. "lane1.entry".
  [[nodiscard]] virtual const std::string& name() const = 0;
  // Starts looking for the device and reading it. A device that is not there is not an
  // error (the driver reports on_connection(false, ...) and keeps looking); an error means
  // the driver cannot work at all (e.g. libusb cannot be initialized). Call once.
  [[nodiscard]] virtual Status start(ScannerEvents events) = 0;
  [[nodiscard]] virtual ScannerInfo info() const = 0;
};

}  // namespace passgate::hw
