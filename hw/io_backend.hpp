// IoBackend: the gate's wires as seen by the controller. Inputs and outputs are named
// logical lines ("lane1.beam_outer", "fire_alarm"; 1 = active, polarity is the backend's
// business) and scanners deliver raw text. Implemented by the sim backend (rig socket,
// drivers/rig_link.hpp), by libgpiod + scanner drivers on real hardware, and by
// FakeIoBackend in tests. Single-threaded: events arrive on the event loop.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "hw/scanner_driver.hpp"

namespace passgate::hw {

class IoListener {
 public:
  virtual ~IoListener() = default;
  // An input line changed level (raw, not debounced). A backend that loses its link to the
  // fire-alarm loop reports "fire_alarm" active.
  virtual void on_input(const std::string& line, bool active) = 0;
  // A scanner read `text` (raw: may still carry CR/LF or an AIM "]Q1" prefix).
  virtual void on_scan(const std::string& scanner, const std::string& text) = 0;
  // A scanner's device was lost (unplugged, read error, no rig connected) or is back. A
  // scanner counts as connected until told.
  virtual void on_scanner_connection(const std::string& scanner, bool connected, const std::string& detail) = 0;
};

class IoBackend {
 public:
  virtual ~IoBackend() = default;
  // Who receives input and scan events. Set once, before the loop runs.
  virtual void set_listener(IoListener* listener) = 0;
  // Drives an output line. Idempotent; backends report only changes to the far side.
  virtual void set_output(const std::string& line, bool active) = 0;
  // Current level of an output line: what the line was last driven to (false if never set).
  // A backend that retries a failed write reports the level the line has, not the one asked for.
  [[nodiscard]] virtual bool output(const std::string& line) const = 0;
  // Informative text for a lane's display (the rig's "display" message); may be ignored.
  virtual void display(int lane, const std::string& text) = 0;
  // Every scanner of this backend and its state (`passgatectl hw scanners`).
  [[nodiscard]] virtual std::vector<ScannerInfo> scanners() const = 0;
  // The input lines this backend has (configured GPIO lines, or every line of the rig),
  // fire_alarm among them: what `passgatectl hw inputs` lists.
  [[nodiscard]] virtual std::vector<std::string> input_lines() const = 0;
  // Why the backend holds fire_alarm active whatever the alarm loop says (its link to the
  // loop is lost: no rig connected, GPIO supervision lost), for people; empty otherwise.
  [[nodiscard]] virtual std::optional<std::string> fire_alarm_held() const = 0;
  // True while release writes the backend left to later turns of the loop are still to run (a
  // slow chip's, one per 0 ms timer; a failed write's retries, every 20 ms): work that may
  // block the loop (database writes, calls to a terminal) waits until they are done. Never
  // true for long: a chain of turns that turns slow pauses until its next redrive, and retries
  // end within about 200 ms (the line is then lost).
  [[nodiscard]] virtual bool releases_pending() const { return false; }
};

}  // namespace passgate::hw
