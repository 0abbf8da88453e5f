// What USB scanners send, for the parser tests (tests/hw) and the emulated scanners
// (tests/usb_scanner): a HID POS report descriptor laid out as common scanners do and a
// boot keyboard's, the decoded-data reports such a scanner sends for a code, the boot
// keyboard reports a keyboard-wedge scanner sends for a text, and a realistic
// entry-token-shaped payload.
// Written from the specifications (HID 1.11, HID POS Usage Tables 1.02), independently of
// the parsers under test.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace passgate::test {

using Bytes = std::vector<std::uint8_t>;

// Report id 2, 64 bytes: [2][byte count][3 symbology bytes][56 data bytes][2 vendor
// bytes][Decode Data Continued in bit 0, 7 more flag bits]; plus a trigger output report.
inline const Bytes kHidPosDescriptor = {
    0x05, 0x8C,        // Usage Page (Bar Code Scanner)
    0x09, 0x02,        // Usage (Bar Code Scanner)
    0xA1, 0x01,        // Collection (Application)
    0x09, 0x12,        //   Usage (Scanned Data Report)
    0xA1, 0x02,        //   Collection (Logical)
    0x85, 0x02,        //     Report ID (2)
    0x15, 0x00,        //     Logical Minimum (0)
    0x26, 0xFF, 0x00,  //     Logical Maximum (255)
    0x75, 0x08,        //     Report Size (8)
    0x95, 0x01,        //     Report Count (1)
    0x05, 0x01,        //     Usage Page (Generic Desktop)
    0x09, 0x3B,        //     Usage (Byte Count)
    0x81, 0x02,        //     Input (Data, Var, Abs)
    0x95, 0x03,        //     Report Count (3)
    0x05, 0x8C,        //     Usage Page (Bar Code Scanner)
    0x09, 0xFB,        //     Usage (Symbology Identifier 1)
    0x09, 0xFC,        //     Usage (Symbology Identifier 2)
    0x09, 0xFD,        //     Usage (Symbology Identifier 3)
    0x81, 0x02,        //     Input (Data, Var, Abs)
    0x95, 0x38,        //     Report Count (56)
    0x09, 0xFE,        //     Usage (Decoded Data)
    0x82, 0x02, 0x01,  //     Input (Data, Var, Abs, Buffered Bytes)
    0x06, 0x66, 0xFF,  //     Usage Page (vendor)
    0x95, 0x02,        //     Report Count (2)
    0x09, 0x04,        //     Usage (vendor code id)
    0x09, 0x00,        //     Usage (undefined)
    0x81, 0x02,        //     Input (Data, Var, Abs)
    0x05, 0x8C,        //     Usage Page (Bar Code Scanner)
    0x25, 0x01,        //     Logical Maximum (1)
    0x75, 0x01,        //     Report Size (1)
    0x95, 0x08,        //     Report Count (8)
    0x09, 0xFF,        //     Usage (Decode Data Continued)
    0x81, 0x02,        //     Input (Data, Var, Abs)
    0xC0,              //   End Collection
    0x09, 0x14,        //   Usage (Trigger Report)
    0xA1, 0x02,        //   Collection (Logical)
    0x85, 0x04,        //     Report ID (4)
    0x75, 0x01,        //     Report Size (1)
    0x95, 0x08,        //     Report Count (8)
    0x09, 0x60,        //     Usage (Initiate Barcode Read)
    0x91, 0x02,        //     Output (Data, Var, Abs)
    0xC0,              //   End Collection
    0xC0,              // End Collection
};
inline constexpr std::size_t kHidPosReportBytes = 64;
inline constexpr std::size_t kHidPosDataBytes = 56;

// A standard boot keyboard's report descriptor (HID 1.11 appendix E.6): no Decoded Data.
inline const Bytes kBootKeyboardDescriptor = {
    0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x05, 0x07, 0x19, 0xE0, 0x29, 0xE7, 0x15, 0x00, 0x25, 0x01,
    0x75, 0x01, 0x95, 0x08, 0x81, 0x02, 0x95, 0x01, 0x75, 0x08, 0x81, 0x01, 0x95, 0x05, 0x75, 0x01,
    0x05, 0x08, 0x19, 0x01, 0x29, 0x05, 0x91, 0x02, 0x95, 0x01, 0x75, 0x03, 0x91, 0x01, 0x95, 0x06,
    0x75, 0x08, 0x15, 0x00, 0x25, 0x65, 0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x81, 0x00, 0xC0,
};

// The reports a scanner with kHidPosDescriptor sends for one read of `data` with the AIM
// symbology identifier `aim` ("]Q1"): 56 data bytes per report, the continued flag on all
// but the last.
inline std::vector<Bytes> hid_pos_reports(std::string_view aim, std::string_view data) {
  std::vector<Bytes> reports;
  std::size_t at = 0;
  do {
    const std::size_t n = std::min(kHidPosDataBytes, data.size() - at);
    Bytes report(kHidPosReportBytes, 0);
    report[0] = 0x02;
    report[1] = static_cast<std::uint8_t>(n);
    std::copy(aim.begin(), aim.end(), report.begin() + 2);
    std::copy(data.begin() + at, data.begin() + at + n, report.begin() + 5);
    report[61] = 0x51;  // vendor code id
    at += n;
    report[63] = at < data.size() ? 0x01 : 0x00;
    reports.push_back(report);
  } while (at < data.size());
  return reports;
}

// A JWS (ES256) of the shape of an entry token: 351 characters of base64url and dots
// (real JSON header and claims; the signature is 64 made-up bytes).
inline const std::string kTokenPayload =
    "eyJhbGciOiJFUzI1NiIsImtpZCI6InN0b3JlLWtleS0yMDI1LTA2IiwidHlwIjoiSldUIn0.eyJpc3MiOiJodHRwczovL2FwcC5l"
    "eGFtcGxlLXJldGFpbC5jb20iLCJhdWQiOiJzdG9yZS0wMDQyIiwic3ViIjoic2hvcHBlci04ZjNhMjEiLCJncnAiOjIsImp0aSI6"
    "InRrLTc3NDFiOWUwIiwiaWF0IjoxNzk1MDAwMDAwLCJleHAiOjE3OTUwMDAwNjB9.oofs8Fi3wDCxLsJQxk1KPFoxcV_ICCm2QQg"
    "YRLoDAHVjGISRE47q7eperAEAatZkhbPOXiGd2IofNN0abN3PaA";

// Boot keyboard reports typing `text` on a US keyboard and then Enter: one press (Shift
// in the modifiers where needed) and one all-zero release per character.
inline std::vector<std::array<std::uint8_t, 8>> boot_keyboard_reports(std::string_view text) {
  // Usage 0x04 + index; 0x28..0x2B (Enter, Escape, Backspace, Tab) and 0x32 (Non-US #)
  // are never typed here.
  constexpr std::string_view kPlain = "abcdefghijklmnopqrstuvwxyz1234567890\x01\x01\x01\x01 -=[]\\\x01;'`,./";
  constexpr std::string_view kShifted = "ABCDEFGHIJKLMNOPQRSTUVWXYZ!@#$%^&*()\x01\x01\x01\x01 _+{}|\x01:\"~<>?";
  std::vector<std::array<std::uint8_t, 8>> reports;
  auto press = [&reports](std::uint8_t modifiers, std::size_t index) {
    reports.push_back({modifiers, 0, static_cast<std::uint8_t>(0x04 + index), 0, 0, 0, 0, 0});
    reports.push_back({0, 0, 0, 0, 0, 0, 0, 0});
  };
  for (const char c : text) {
    if (c == '\x01') throw std::invalid_argument("boot_keyboard_reports: no US key for the character");
    if (const auto i = kPlain.find(c); i != std::string_view::npos) {
      press(0x00, i);
    } else if (const auto j = kShifted.find(c); j != std::string_view::npos) {
      press(0x02, j);
    } else {
      throw std::invalid_argument("boot_keyboard_reports: no US key for the character");
    }
  }
  press(0x00, 0x28 - 0x04);  // Enter
  return reports;
}

}  // namespace passgate::test
