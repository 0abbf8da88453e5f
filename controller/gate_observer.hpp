// GateObserver: what the Gate tells an installer's live view (passgatectl hw inputs --watch,
// hw scanners --watch) as it happens. Notification only: an observer cannot change what the
// gate does. Called on the event loop, after the gate has acted.
#pragma once

#include <string>

namespace passgate::controller {

class GateObserver {
 public:
  virtual ~GateObserver() = default;
  // An input line's raw or debounced level changed (Gate::inputs() has both).
  virtual void on_input_changed(const std::string& line) = 0;
  // A scanner read `text` (raw, before normalizing or filtering; it may be an entry token).
  virtual void on_scan_read(const std::string& scanner, const std::string& text) = 0;
  // A scanner was lost or is back.
  virtual void on_scanner_connection(const std::string& scanner, bool connected, const std::string& detail) = 0;
};

}  // namespace passgate::controller
