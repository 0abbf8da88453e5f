#include "hw/scanner_connection.hpp"

#include <utility>

namespace passgate::hw {

void ScannerConnection::report(const ScannerEvents& events, bool connected, std::string detail) {
  const bool changed = !reported_ || info_.connected != connected;
  reported_ = true;
  info_.connected = connected;
  info_.detail = detail;
  if (changed && events.on_connection) events.on_connection(connected, std::move(detail));
}

bool ScannerConnection::loss_is_news(const std::string& detail) const {
  return !reported_ || info_.connected || detail != info_.detail;
}

}  // namespace passgate::hw
