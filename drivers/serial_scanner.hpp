// SerialScanner: a code scanner on a serial line, usually a USB CDC-ACM device
// (/dev/ttyACM0, better a stable /dev/serial/by-id/... link). It opens the device raw
// (termios: no echo, no line editing, 8N1 at the configured baud), reads it through the
// Asio loop without ever blocking, cuts reads on the configured suffix (hw::LineFramer)
// and delivers them raw: an AIM identifier ("]Q1") is left for the gate to strip. A device
// that is missing, fails to open or goes away (unplugged: read gives end-of-file or EIO) is
// reported as disconnected and opened again every `retry_interval` until it is back; no
// restart is needed. Single-threaded, on the io_context; every event runs on the loop.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "hw/scanner_driver.hpp"

namespace passgate::drivers {

struct SerialScannerSettings {
  std::string name;                // the logical scanner, "lane1.entry"
  std::filesystem::path device;    // "/dev/ttyACM0"; need not exist yet
  int baud = 9600;                 // one of hw::kSerialBaudRates
  std::string suffix = "\r";       // one of hw::kSerialSuffixes
  std::size_t max_length = 4096;   // longest read kept; longer ones are discarded
  Millis retry_interval{1000};     // between attempts to open a missing device
};

// A serial scanner driver; not started yet. Error "invalid_argument" for a baud rate or
// suffix Passgate does not support (hw/serial_line.hpp) or a max_length of 0.
[[nodiscard]] Result<std::unique_ptr<hw::ScannerDriver>> make_serial_scanner(boost::asio::io_context& io,
                                                                             TimerService& timers,
                                                                             SerialScannerSettings settings);

}  // namespace passgate::drivers
