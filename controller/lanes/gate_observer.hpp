// GateObserver: what the Gate tells whoever watches it, as it happens: an installer's live
// view (passgatectl hw inputs --watch, hw scanners --watch: input levels, raw reads, scanner
// connections) and the metrics (what became of each scan, releases, passages). Notification
// only: an observer cannot change what the gate does. Called on the event loop, after the
// gate has acted. Everything but the live view's three calls has an empty default.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "controller/lanes/ports.hpp"

namespace passgate::controller {

// Why the gate dropped a scanner read before any lane saw it.
enum class ScanDrop {
  repeated,         // the same code again within io.scan_repeat_window
  unknown_scanner,  // from a scanner no lane has
};

class GateObserver {
 public:
  virtual ~GateObserver() = default;
  // An input line's raw or debounced level changed (Gate::inputs() has both).
  virtual void on_input_changed(const std::string& line) = 0;
  // A scanner read `text` (raw, before normalizing or filtering; it may be an entry token).
  virtual void on_scan_read(const std::string& scanner, const std::string& text) = 0;
  // A scanner was lost or is back.
  virtual void on_scanner_connection(const std::string& scanner, bool connected, const std::string& detail) = 0;

  // A read dropped by the gate; `lane` is the scanner's lane (empty for an unknown scanner).
  virtual void on_scan_dropped(std::optional<int> /*lane*/, ScanDrop /*why*/) {}
  // An entry lane answered a scan as the lane showed it: admitted (answer.offline: under the
  // offline policy) or denied with answer.reason.
  virtual void on_scan_answered(int /*lane*/, const AdmissionResult& /*answer*/) {}
  // An admitted scan released `lane`'s barrier: `latency` from the read arriving at the gate
  // to release_in driven on (steady clock, on the loop). Not called when release_in was on
  // already (scan-ahead during a grant, fire alarm).
  virtual void on_release(int /*lane*/, std::chrono::nanoseconds /*latency*/, bool /*offline*/) {}
  // An entry or exit lane's debounced beams changed (someone stepping in: outer_blocked).
  virtual void on_beams(int /*lane*/, bool /*outer_blocked*/, bool /*inner_blocked*/) {}
  // A completed passage, as reported to the tracking engine.
  virtual void on_passage(int /*lane*/, Direction /*direction*/, PassageKind /*kind*/) {}
  // The fire alarm was raised (or the alarm loop lost) or cleared: told after every lane has
  // latched (or unlatched) its releases, except those on a chip the driver found slow (written
  // from a 0 ms timer after this turn). Safety path: an observer must not block or wait here
  // (card entry reacts from a later 0 ms timer, after those).
  virtual void on_fire_alarm(bool /*active*/) {}
};

}  // namespace passgate::controller
