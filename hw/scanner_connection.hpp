// ScannerConnection: a scanner driver's connection state as the gate sees it (shared by the
// USB and serial drivers). It keeps the ScannerInfo that info() shows and tells the
// listener (ScannerEvents::on_connection) only when the state changes, and the first time.
// Single-threaded, on the loop.
#pragma once

#include <string>
#include <utility>

#include "hw/scanner_driver.hpp"

namespace passgate::hw {

class ScannerConnection {
 public:
  // `info`: name, kind and device of the scanner, and the state shown before any report.
  explicit ScannerConnection(ScannerInfo info) : info_(std::move(info)) {}

  // Records the state and its detail; calls events.on_connection if the state changed.
  void report(const ScannerEvents& events, bool connected, std::string detail);
  // Whether a loss with `detail` is news worth a log line: the first report, a loss after a
  // connection, or a different reason than last time (not the same failure every retry).
  [[nodiscard]] bool loss_is_news(const std::string& detail) const;

  [[nodiscard]] const ScannerInfo& info() const { return info_; }

 private:
  ScannerInfo info_;
  bool reported_ = false;
};

}  // namespace passgate::hw
