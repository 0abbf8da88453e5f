// What a USB scanner's HID descriptors say, without any I/O: where a HID POS bar code
// scanner (usage page 0x8C, HID Point of Sale Usage Tables 1.02) puts a decoded read in
// its input report, found by parsing the report descriptor (HID 1.11 §6.2.2: short and
// long items, global state with push/pop, local usages and usage ranges, report ids,
// report size and count, input items), and whether an interface is a boot keyboard.
// Vendors lay the decoded-data report out differently, so offsets are never assumed.
//
// The decoded-data report is the input report that carries Decoded Data (0x8C:0xFE). In
// the same report the parser looks for Symbology Identifier 1..3 (0x8C:0xFB..0xFD), the
// Decode Data Continued flag (0x8C:0xFF: more reports of the same read follow) and a byte
// count (Generic Desktop 0x01:0x3B Byte Count: how many Decoded Data bytes are valid).
// A typical scanner (report id 2): [id][count][']' 'Q' '1'][56 data bytes][2 vendor
// bytes][continued flag in bit 0].
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/result.hpp"

namespace passgate::hw {

// Longest input report accepted (report id byte included); a descriptor declaring a
// longer one is refused.
inline constexpr std::size_t kMaxHidReportBytes = 4096;

// A value in an input report: its first bit, counted from bit 0 of the report's first
// byte (the report id byte, when the descriptor uses report ids), and its width in bits.
struct HidBitField {
  std::uint32_t bit_offset = 0;
  std::uint32_t bit_size = 0;
};

struct HidPosLayout {
  std::uint8_t report_id = 0;     // 0: the device sends reports without a report id
  std::size_t report_bytes = 0;   // the whole input report, report id byte included
  std::optional<HidBitField> byte_count;  // valid Decoded Data bytes in this report
  std::vector<HidBitField> symbology;     // Symbology Identifier 1..3 (8 bits each), in order
  std::size_t data_offset = 0;    // byte offset of Decoded Data in the report
  std::size_t data_capacity = 0;  // Decoded Data bytes per report (at least 1)
  std::optional<HidBitField> continued;  // Decode Data Continued (non-zero: more follows)
};

// Parses a HID report descriptor and finds its decoded-data report. Errors: "malformed"
// (the descriptor is broken: an item runs past the end, unbalanced push/pop or
// collections, report id 0, a report longer than kMaxHidReportBytes, ...), "unsupported"
// (a sound descriptor without a usable decoded-data report: no Decoded Data input, or
// Decoded Data, a symbology identifier or the byte count not laid out as whole bytes
// the parser can read). Messages say where and why.
[[nodiscard]] Result<HidPosLayout> hid_pos_layout(std::span<const std::uint8_t> report_descriptor);

// The report descriptor's length as announced by the HID class descriptor (type 0x21) in
// an interface descriptor's extra bytes; nothing if there is none or it announces no
// report descriptor.
[[nodiscard]] std::optional<std::uint16_t> hid_report_descriptor_length(std::span<const std::uint8_t> interface_extra);

struct UsbInterfaceClass {
  std::uint8_t interface_class = 0;
  std::uint8_t subclass = 0;
  std::uint8_t protocol = 0;
};

// HID (3), boot interface subclass (1), keyboard protocol (1): the host may switch it to
// the boot protocol and read 8-byte boot keyboard reports (hw/boot_keyboard_report.hpp).
[[nodiscard]] bool is_boot_keyboard(UsbInterfaceClass interface);
// Any HID interface (class 3).
[[nodiscard]] bool is_hid(UsbInterfaceClass interface);

}  // namespace passgate::hw
