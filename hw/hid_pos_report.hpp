// HidPosReassembler: turns a HID POS scanner's decoded-data input reports into complete
// reads, without any I/O. The layout comes from the report descriptor
// (hw/hid_report_descriptor.hpp). A read longer than one report arrives as several
// reports with Decode Data Continued set on all but the last; they are joined. The first
// report's symbology identifier is kept in front of the data when it is an AIM identifier
// (first byte ']', e.g. "]Q1" for QR Code): the gate's normalizer strips it
// (hw/scan_text.hpp). Single-threaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "common/result.hpp"
#include "hw/hid_report_descriptor.hpp"

namespace passgate::hw {

class HidPosReassembler {
 public:
  // `max_length`: the longest read accepted (symbology identifier included).
  HidPosReassembler(HidPosLayout layout, std::size_t max_length);

  // Feeds one input report as received (report id byte first, if the layout has one).
  // Returns a complete read, or nothing (a part of a longer read, a report with another
  // report id, or a read without data), or an error: "malformed" (shorter than the
  // layout's report, or a byte count larger than the Decoded Data field), "too_long" (the
  // read grows past max_length). After an error the read in progress is dropped and its
  // remaining reports are skipped, so no truncated read is ever delivered. Messages give
  // lengths only, never data.
  [[nodiscard]] Result<std::optional<std::string>> feed(std::span<const std::uint8_t> report);

  // Drops a read in progress (the device went away in the middle of one).
  void reset();

 private:
  HidPosLayout layout_;
  std::size_t max_length_;
  std::string partial_;
  std::size_t prefix_ = 0;    // bytes of partial_ that are the symbology identifier
  bool in_read_ = false;      // a report with Decode Data Continued came before
  bool discarding_ = false;   // the read in progress was refused: skip to its last report
};

}  // namespace passgate::hw
