// HardwareBackend: the `gpiod` IoBackend, the gate on real hardware. Its lines are GPIO
// lines (GpiodLines, debounced per line by the driver); its scanners are ScannerDriver
// instances (USB HID POS, keyboard-wedge or serial, made by make_scanners()).
//
// - Inputs: the driver's debounced levels reach IoListener::on_input. Right after
//   set_listener() (posted to the loop, never inside it) the listener hears every input's
//   current level, fire_alarm included, so a clear alarm loop clears the Gate's initial
//   alarm and a beam blocked at start-up is known.
// - Scanners: each driver is started by open(); its texts reach IoListener::on_scan(name,
//   raw) and its connection changes on_scanner_connection(); scanners() lists their info().
// - display() only logs (at debug): there is no display hardware.
// Single-threaded: call only from the thread running the io_context.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "hw/io_config.hpp"
#include "drivers/gpiod_lines.hpp"
#include "hw/io_backend.hpp"
#include "hw/scanner_driver.hpp"

namespace passgate::drivers {

class HardwareBackend final : public hw::IoBackend {
 public:
  // Opens the lines of `config.gpiod_lines` and starts every scanner. Errors: those of
  // GpiodLines::open (naming the config entry), and of a scanner that cannot start at all
  // (its message names the scanner).
  [[nodiscard]] static Result<std::unique_ptr<HardwareBackend>> open(
      boost::asio::io_context& io, TimerService& timers, const hw::IoConfig& config,
      std::vector<std::unique_ptr<hw::ScannerDriver>> scanners);
  // Returns the outputs to their safe levels (GpiodLines) and stops the scanners.
  ~HardwareBackend() override;
  HardwareBackend(const HardwareBackend&) = delete;
  HardwareBackend& operator=(const HardwareBackend&) = delete;

  // hw::IoBackend
  void set_listener(hw::IoListener* listener) override;
  void set_output(const std::string& line, bool active) override;
  [[nodiscard]] bool output(const std::string& line) const override;
  void display(int lane, const std::string& text) override;
  [[nodiscard]] std::vector<hw::ScannerInfo> scanners() const override;
  // The configured GPIO input lines.
  [[nodiscard]] std::vector<std::string> input_lines() const override;
  // Once GPIO supervision is lost.
  [[nodiscard]] std::optional<std::string> fire_alarm_held() const override;
  // A slow chip's releases are still being written, turn by turn.
  [[nodiscard]] bool releases_pending() const override { return lines_->releases_pending(); }

 private:
  explicit HardwareBackend(TimerService& timers);
  [[nodiscard]] Status start_scanner(hw::ScannerDriver& scanner);

  TimerService& timers_;
  hw::IoListener* listener_ = nullptr;
  std::unique_ptr<GpiodLines> lines_;
  std::vector<std::unique_ptr<hw::ScannerDriver>> scanners_;
  std::shared_ptr<HardwareBackend*> self_;  // posted work holds a weak_ptr: nothing runs after we are gone
};

}  // namespace passgate::drivers
