// The gate's I/O as store IT wires it ([io] of the config file): the backend (the simulated rig
// or GPIO lines through libgpiod), each GPIO line's chip, offset or name, polarity, bias and
// debounce, and each entry lane's scanner (USB HID POS, USB keyboard or serial). The config
// loader fills these in (controller/config/); the drivers open what they describe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace passgate::hw {

enum class LineBias { as_is, pull_up, pull_down, disabled };

// One logical line on a GPIO chip. Levels are logical (active/inactive); active_low says
// how they map to voltage.
struct GpiodLineConfig {
  std::string chip;                     // name "gpiochip0", path "/dev/gpiochip0" or label
  std::optional<unsigned> offset;       // the line's offset on the chip, or else:
  std::string line;                     // the line's name on the chip (exactly one of the two)
  bool active_low = false;
  LineBias bias = LineBias::as_is;
  bool external_pull = false;           // fire_alarm, bias as-is: a resistor pulls an open loop to alarm
  bool safe_active = false;             // outputs: the level at start-up and shutdown (safe = "active");
                                        // the config makes it true for release_out (egress stays free)
  std::chrono::milliseconds debounce{0};  // inputs: software debounce in the driver

  bool operator==(const GpiodLineConfig&) const = default;  // a config reload compares them
};

enum class IoBackendKind { sim, gpiod };

enum class ScannerKind { hid_pos, keyboard, serial };

// One entry-lane scanner of the gpiod backend ([io.scanners."lane1.entry"]).
struct ScannerConfig {
  ScannerKind kind = ScannerKind::serial;
  // hid_pos and keyboard: the USB device
  std::uint16_t usb_vendor = 0;
  std::uint16_t usb_product = 0;
  std::string usb_serial;               // empty: the first device with that id
  // serial
  std::filesystem::path device;         // absolute, e.g. "/dev/ttyACM0"
  int baud = 9600;
  std::string suffix = "\r";            // "\r", "\n" or "\r\n"

  bool operator==(const ScannerConfig&) const = default;  // a config reload compares them
};

struct IoConfig {
  IoBackendKind backend = IoBackendKind::sim;
  // sim
  std::filesystem::path sim_socket;
  // Debounce the Gate applies to every input; 0 with gpiod, whose driver debounces per line.
  std::chrono::milliseconds sim_debounce{10};
  // gpiod: line name (e.g. "lane1.beam_outer", "fire_alarm") -> wiring
  std::map<std::string, GpiodLineConfig> gpiod_lines;
  // gpiod: scanner name ("lane1.entry") -> scanner; one for every entry lane
  std::map<std::string, ScannerConfig> scanners;
  std::size_t scan_max_length = 4096;   // longest scanner read accepted, bytes
  std::chrono::milliseconds scan_repeat_window{2000};  // the same code again within this counts once (0: off)
};

}  // namespace passgate::hw
