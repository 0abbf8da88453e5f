// hid_pos_layout: the decoded-data report of a HID POS scanner is found from the report
// descriptor whatever the vendor's layout; broken descriptors and descriptors of other
// devices are refused with a reason. Also the HID class descriptor and interface classes.
#include <catch2/catch.hpp>

#include "hw/hid_report_descriptor.hpp"
#include "tests/support/usb_scanner_samples.hpp"

using namespace passgate::hw;
using passgate::test::Bytes;
using passgate::test::kHidPosDescriptor;

namespace {

bool same(const std::optional<HidBitField>& field, std::uint32_t offset, std::uint32_t size) {
  return field && field->bit_offset == offset && field->bit_size == size;
}

// Report ids off, 1-byte count, Decoded Data given as an extended usage under a vendor
// page, symbology identifiers as a usage range, 2 bits of padding before the 6-bit flags.
const Bytes kNoReportIds = {
    0x05, 0x8C, 0x09, 0x02, 0xA1, 0x01,  // Bar Code Scanner application
    0x75, 0x08, 0x95, 0x01,              // 8 bits x 1
    0x05, 0x01, 0x09, 0x3B, 0x81, 0x02,  // Byte Count
    0x05, 0x8C, 0x95, 0x03,              // x 3
    0x19, 0xFB, 0x29, 0xFD, 0x81, 0x02,  // Symbology Identifier 1..3 (range)
    0x06, 0x00, 0xFF, 0x95, 0x20,        // vendor page, x 32
    0x0B, 0xFE, 0x00, 0x8C, 0x00,        // Usage (0x008c:0x00fe, extended)
    0x81, 0x02,                          // Decoded Data
    0x75, 0x02, 0x95, 0x01, 0x81, 0x03,  // 2 bits padding (constant)
    0x05, 0x8C, 0x75, 0x01, 0x95, 0x06,  // 1 bit x 6
    0x09, 0xFF, 0x81, 0x02,              // Decode Data Continued
    0xC0,
};

Bytes with(Bytes base, std::size_t at, std::initializer_list<std::uint8_t> replacement) {
  std::copy(replacement.begin(), replacement.end(), base.begin() + static_cast<std::ptrdiff_t>(at));
  return base;
}

std::string error_of(const Bytes& descriptor) {
  const auto layout = hid_pos_layout(descriptor);
  REQUIRE_FALSE(layout.ok());
  return layout.error().code + ": " + layout.error().message;
}

}  // namespace

TEST_CASE("a scanner's decoded-data report is laid out from its descriptor") {
  const auto layout = hid_pos_layout(kHidPosDescriptor);
  REQUIRE(layout.ok());
  CHECK(layout->report_id == 2);
  CHECK(layout->report_bytes == 64);
  CHECK(same(layout->byte_count, 8, 8));
  REQUIRE(layout->symbology.size() == 3);
  CHECK(same(layout->symbology[0], 16, 8));
  CHECK(same(layout->symbology[1], 24, 8));
  CHECK(same(layout->symbology[2], 32, 8));
  CHECK(layout->data_offset == 5);
  CHECK(layout->data_capacity == 56);
  CHECK(same(layout->continued, 63 * 8, 1));
}

TEST_CASE("reports without ids, usage ranges, extended usages and padding are understood") {
  const auto layout = hid_pos_layout(kNoReportIds);
  REQUIRE(layout.ok());
  CHECK(layout->report_id == 0);
  CHECK(layout->report_bytes == 1 + 3 + 32 + 1);
  CHECK(same(layout->byte_count, 0, 8));
  REQUIRE(layout->symbology.size() == 3);
  CHECK(same(layout->symbology[2], 24, 8));
  CHECK(layout->data_offset == 4);
  CHECK(layout->data_capacity == 32);
  CHECK(same(layout->continued, 36 * 8 + 2, 1));
}

TEST_CASE("push and pop restore the global state") {
  const Bytes d = {0x05, 0x8C, 0x09, 0x02, 0xA1, 0x01, 0x85, 0x07, 0x75, 0x08, 0x95, 0x10,
                   0xA4,                                // Push (8 bits x 16)
                   0x75, 0x01, 0x95, 0x08, 0x81, 0x03,  // 8 bits of padding
                   0xB4,                                // Pop
                   0x09, 0xFE, 0x81, 0x02,              // Decoded Data: 8 bits x 16 again
                   0xC0};
  const auto layout = hid_pos_layout(d);
  REQUIRE(layout.ok());
  CHECK(layout->report_id == 7);
  CHECK(layout->report_bytes == 1 + 1 + 16);
  CHECK(layout->data_offset == 2);
  CHECK(layout->data_capacity == 16);
  CHECK_FALSE(layout->byte_count);
  CHECK_FALSE(layout->continued);
  CHECK(layout->symbology.empty());
}

TEST_CASE("Decoded Data off a byte boundary is refused") {
  const Bytes d = {0x05, 0x8C, 0x75, 0x04, 0x95, 0x01, 0x81, 0x03,  // 4 bits of padding
                   0x75, 0x08, 0x95, 0x10, 0x09, 0xFE, 0x81, 0x02};
  CHECK(error_of(d) == "unsupported: HID report descriptor: Decoded Data in input report 0 is not a byte-aligned "
                       "run of 8-bit fields");
}

TEST_CASE("long items are skipped") {
  Bytes d = {0xFE, 0x02, 0x10, 0xAA, 0xBB};  // long item, 2 data bytes
  d.insert(d.end(), kHidPosDescriptor.begin(), kHidPosDescriptor.end());
  const auto layout = hid_pos_layout(d);
  REQUIRE(layout.ok());
  CHECK(layout->data_offset == 5);
}

TEST_CASE("descriptors of other devices have no usable layout") {
  CHECK(error_of(passgate::test::kBootKeyboardDescriptor).find("unsupported: HID report descriptor: no Decoded Data") == 0);
  CHECK(error_of({}).find("unsupported: ") == 0);
  // Decoded Data 16 bits wide (Report Size 16 instead of Report Count 56).
  CHECK(error_of(with(kHidPosDescriptor, 39, {0x75, 0x10})).find("unsupported: HID report descriptor: Decoded Data") ==
        0);
  // A 4-bit symbology identifier before byte-aligned Decoded Data.
  const Bytes nibble = {0x05, 0x8C, 0x75, 0x04, 0x95, 0x02, 0x09, 0xFB, 0x81, 0x02,
                        0x75, 0x08, 0x95, 0x04, 0x09, 0xFE, 0x81, 0x02};
  CHECK(error_of(nibble) == "unsupported: HID report descriptor: symbology identifier 0x008c:0x00fb in input "
                            "report 0 is not 8 bits");
}

TEST_CASE("broken descriptors are refused with where and why") {
  SECTION("an item runs past the end") {
    const Bytes d(kHidPosDescriptor.begin(), kHidPosDescriptor.begin() + 15);  // inside 0x26 0xFF 0x00
    CHECK(error_of(d) == "malformed: HID report descriptor, byte 14: item runs past the end");
  }
  SECTION("a long item runs past the end") { CHECK(error_of({0xFE, 0x05, 0x00, 0x01}).find("long item") != std::string::npos); }
  SECTION("pop without push") { CHECK(error_of({0xB4}) == "malformed: HID report descriptor, byte 0: pop without push"); }
  SECTION("an unclosed collection") { CHECK(error_of({0xA1, 0x01}).find("collection not closed") != std::string::npos); }
  SECTION("an end collection without collection") { CHECK(error_of({0xC0}).find("not opened") != std::string::npos); }
  SECTION("report id 0") { CHECK(error_of({0x85, 0x00}).find("report id 0 is not 1..255") != std::string::npos); }
  SECTION("a reserved item type") { CHECK(error_of({0x0C}).find("reserved item type") != std::string::npos); }
  SECTION("a report longer than the limit") {
    // 8 bits x 4097 in one input item.
    CHECK(error_of({0x75, 0x08, 0x96, 0x01, 0x10, 0x81, 0x02}).find("longer than 4096 bytes") != std::string::npos);
  }
  SECTION("a report id after items without one") {
    CHECK(error_of({0x75, 0x08, 0x95, 0x01, 0x81, 0x02, 0x85, 0x01}).find("report id after") != std::string::npos);
  }
  SECTION("a usage maximum without minimum") {
    CHECK(error_of({0x29, 0x05}).find("usage maximum") != std::string::npos);
  }
  SECTION("pushes nested too deep") {
    CHECK(error_of(Bytes(17, 0xA4)).find("push nested too deep") != std::string::npos);
  }
}

TEST_CASE("the report descriptor length comes from the HID class descriptor") {
  // bLength 9, HID, bcdHID 1.11, country 0, 1 descriptor: report, 0x0140 bytes.
  const Bytes hid = {0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x40, 0x01};
  CHECK(hid_report_descriptor_length(hid) == std::optional<std::uint16_t>(0x140));
  Bytes after_other = {0x05, 0x24, 0x00, 0x10, 0x01};  // some class-specific descriptor first
  after_other.insert(after_other.end(), hid.begin(), hid.end());
  CHECK(hid_report_descriptor_length(after_other) == std::optional<std::uint16_t>(0x140));
  CHECK_FALSE(hid_report_descriptor_length(Bytes{}));
  CHECK_FALSE(hid_report_descriptor_length(Bytes(hid.begin(), hid.begin() + 8)));      // truncated
  CHECK_FALSE(hid_report_descriptor_length(Bytes{0x09, 0x21, 0x11, 0x01, 0x00, 0x00, 0x22, 0x40, 0x01}));  // none listed
  CHECK_FALSE(hid_report_descriptor_length(Bytes{0x00, 0x21}));  // zero length
}

TEST_CASE("boot keyboard interfaces are recognised by their class triple") {
  CHECK(is_boot_keyboard({3, 1, 1}));
  CHECK_FALSE(is_boot_keyboard({3, 1, 2}));  // boot mouse
  CHECK_FALSE(is_boot_keyboard({3, 0, 0}));  // HID without boot protocol (a HID POS scanner)
  CHECK_FALSE(is_boot_keyboard({0xFF, 1, 1}));
  CHECK(is_hid({3, 0, 0}));
  CHECK_FALSE(is_hid({2, 2, 1}));  // CDC ACM
}
