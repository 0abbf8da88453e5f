// make_scanners: the scanner drivers of the gpiod backend, one per [io.scanners] entry of
// the config: a SerialScanner for type "serial", a USB scanner (HID POS or boot keyboard)
// for "hid_pos" and "keyboard". One libusb context serves every USB scanner; it is opened
// only when there is one. The drivers are not started yet. Loop thread only.
#pragma once

#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "hw/io_config.hpp"
#include "hw/scanner_driver.hpp"

namespace passgate::drivers {

// Errors: those of UsbContext::open ("io_error": libusb cannot start), and
// "invalid_argument" for settings a driver refuses (the config check prevents them).
[[nodiscard]] Result<std::vector<std::unique_ptr<hw::ScannerDriver>>> make_scanners(boost::asio::io_context& io,
                                                                                    TimerService& timers,
                                                                                    const hw::IoConfig& config);

}  // namespace passgate::drivers
