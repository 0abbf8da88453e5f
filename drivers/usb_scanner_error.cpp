#include "drivers/usb_scanner_error.hpp"

#include <cstdio>

namespace passgate::drivers {

Error usb_error(int libusb_code, const std::string& what) {
  const bool unavailable = libusb_code == LIBUSB_ERROR_NO_DEVICE || libusb_code == LIBUSB_ERROR_NOT_FOUND ||
                           libusb_code == LIBUSB_ERROR_BUSY || libusb_code == LIBUSB_ERROR_ACCESS;
  return make_error(unavailable ? "unavailable" : "io_error",
                    what + ": " + libusb_strerror(libusb_code));
}

std::string transfer_status_name(libusb_transfer_status status) {
  switch (status) {
    case LIBUSB_TRANSFER_COMPLETED: return "completed";
    case LIBUSB_TRANSFER_ERROR: return "transfer error";
    case LIBUSB_TRANSFER_TIMED_OUT: return "timed out";
    case LIBUSB_TRANSFER_CANCELLED: return "cancelled";
    case LIBUSB_TRANSFER_STALL: return "stall";
    case LIBUSB_TRANSFER_NO_DEVICE: return "no device";
    case LIBUSB_TRANSFER_OVERFLOW: return "overflow";
  }
  return "status " + std::to_string(static_cast<int>(status));
}

std::string usb_id_text(std::uint16_t vid, std::uint16_t pid) {
  char text[10];
  std::snprintf(text, sizeof text, "%04x:%04x", vid, pid);
  return text;
}

}  // namespace passgate::drivers
