#include "drivers/scanner_factory.hpp"

#include "drivers/serial_scanner.hpp"
#include "drivers/usb_scanner.hpp"

namespace passgate::drivers {
namespace {

using hw::ScannerConfig;
using hw::ScannerKind;

Result<std::unique_ptr<hw::ScannerDriver>> make_usb(const std::shared_ptr<UsbContext>& usb, const std::string& name,
                                                    const ScannerConfig& scanner, std::size_t max_length) {
  const auto kind = scanner.kind == ScannerKind::hid_pos ? UsbScannerSettings::Kind::hid_pos
                                                         : UsbScannerSettings::Kind::keyboard;
  return make_usb_scanner(usb, UsbScannerSettings{name, kind, scanner.usb_vendor, scanner.usb_product,
                                                  scanner.usb_serial, max_length});
}

}  // namespace

Result<std::vector<std::unique_ptr<hw::ScannerDriver>>> make_scanners(boost::asio::io_context& io, TimerService& timers,
                                                                      const hw::IoConfig& config) {
  std::vector<std::unique_ptr<hw::ScannerDriver>> drivers;
  std::shared_ptr<UsbContext> usb;  // opened for the first USB scanner, shared by the others
  for (const auto& [name, scanner] : config.scanners) {
    if (scanner.kind != ScannerKind::serial && !usb) {
      auto opened = UsbContext::open(io);
      if (!opened) return opened.error();
      usb = std::move(*opened);
    }
    auto driver = scanner.kind == ScannerKind::serial
                      ? make_serial_scanner(io, timers,
                                            SerialScannerSettings{name, scanner.device, scanner.baud, scanner.suffix,
                                                                  config.scan_max_length, Millis(1000)})
                      : make_usb(usb, name, scanner, config.scan_max_length);
    if (!driver) return driver.error();
    drivers.push_back(std::move(*driver));
  }
  return drivers;
}

}  // namespace passgate::drivers
