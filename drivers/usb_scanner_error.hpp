// The one place libusb's error and transfer status codes become Passgate errors and
// details, and how the USB scanner driver (drivers/usb_scanner*.cpp) names a device.
#pragma once

#include <cstdint>
#include <string>

#include <libusb.h>

#include "common/result.hpp"

namespace passgate::drivers {

// "open usb 0c2e:0b61: Access denied (insufficient permissions)", with the code
// "unavailable" when the device is gone or busy, "io_error" otherwise.
[[nodiscard]] Error usb_error(int libusb_code, const std::string& what);
// "stall", "no device", ... for a finished transfer's status.
[[nodiscard]] std::string transfer_status_name(libusb_transfer_status status);
// "0c2e:0b61"
[[nodiscard]] std::string usb_id_text(std::uint16_t vid, std::uint16_t pid);

}  // namespace passgate::drivers
