// The libusb scanner driver against scanners emulated in usbfs by umockdev: a HID POS
// scanner's QR read split over several reports arrives as one read; unplugging and
// replugging is reported and reading resumes; a keyboard-wedge scanner's typed text
// arrives at Enter; the device is chosen by VID:PID, serial number and report descriptor;
// reads over the configured maximum length are dropped.
#include <catch2/catch.hpp>

#include "tests/usb_scanner/scanner_fixture.hpp"

using namespace passgate;
using drivers::UsbScannerSettings;
using test::hid_pos_interface;
using test::hid_pos_scanner;
using test::keyboard_interface;
using test::ScannerFixture;

namespace {

constexpr std::uint16_t kVid = test::kScannerVid;
constexpr std::uint16_t kPid = test::kScannerPid;

}  // namespace

TEST_CASE_METHOD(ScannerFixture, "a QR code sent in several HID POS reports is one read") {
  auto& scanner = usb_.plug(hid_pos_scanner());
  start(UsbScannerSettings::Kind::hid_pos);
  REQUIRE(wait_connected(true));
  CHECK(connections_.size() == 1);
  CHECK(connections_.back().detail == "usb 0c2e:0b61 on bus 1 device 1, interface 0");
  CHECK(scanner.claimed_interface() == 0);
  CHECK(scanner.kernel_driver_detached());
  const auto info = driver_->info();
  CHECK(info.name == "lane1.entry");
  CHECK(info.kind == "hid_pos");
  CHECK(info.device == "usb 0c2e:0b61");
  CHECK(info.connected);

  const auto reports = test::hid_pos_reports("]Q1", test::kTokenPayload);
  REQUIRE(reports.size() > 5);
  send_all(scanner, reports);
  REQUIRE(wait_texts(1));
  CHECK(texts_ == std::vector<std::string>{"]Q1" + test::kTokenPayload});
  // A second code, a short one, reads on its own.
  send_all(scanner, test::hid_pos_reports("]Q1", "next"));
  REQUIRE(wait_texts(2));
  CHECK(texts_.back() == "]Q1next");
  CHECK(scanner.unread() == 0);
}

TEST_CASE_METHOD(ScannerFixture, "an unplugged scanner is reported lost and reads again once replugged") {
  auto& first = usb_.plug(hid_pos_scanner());
  start(UsbScannerSettings::Kind::hid_pos);
  REQUIRE(wait_connected(true));

  usb_.unplug(first);
  REQUIRE(wait_connected(false));
  CHECK(connections_.back().detail == "unplugged");
  CHECK_FALSE(driver_->info().connected);

  auto& again = usb_.plug(hid_pos_scanner());  // a new device number, as after a real replug
  REQUIRE(wait_connected(true));
  CHECK(connections_.back().detail == "usb 0c2e:0b61 on bus 1 device 2, interface 0");
  send_all(again, test::hid_pos_reports("]Q1", test::kTokenPayload));
  REQUIRE(wait_texts(1));
  CHECK(texts_ == std::vector<std::string>{"]Q1" + test::kTokenPayload});
  CHECK(connections_.size() == 3);
}

TEST_CASE_METHOD(ScannerFixture, "a scanner plugged in after start is found") {
  start(UsbScannerSettings::Kind::hid_pos);
  REQUIRE(wait_connected(false));
  CHECK(connections_.back().detail == "usb 0c2e:0b61 not found");
  auto& scanner = usb_.plug(hid_pos_scanner());
  REQUIRE(wait_connected(true));
  send_all(scanner, test::hid_pos_reports("]Q1", "late"));
  REQUIRE(wait_texts(1));
  CHECK(texts_.back() == "]Q1late");
}

TEST_CASE_METHOD(ScannerFixture, "the HID POS interface of a composite scanner is found by its report descriptor") {
  auto& scanner = usb_.plug({kVid, kPid, "", {keyboard_interface(), {0, 0, test::kBootKeyboardDescriptor, 0x83, 8},
                                              hid_pos_interface()}});
  start(UsbScannerSettings::Kind::hid_pos);
  REQUIRE(wait_connected(true));
  CHECK(scanner.claimed_interface() == 2);
  send_all(scanner, test::hid_pos_reports("]Q1", "composite"));
  REQUIRE(wait_texts(1));
  CHECK(texts_.back() == "]Q1composite");
}

TEST_CASE_METHOD(ScannerFixture, "a HID device without a decoded-data report is not taken for a scanner") {
  (void)usb_.plug({kVid, kPid, "", {{0, 0, test::kBootKeyboardDescriptor, 0x81, 8}}});
  start(UsbScannerSettings::Kind::hid_pos);
  REQUIRE(wait_connected(false));
  CHECK(connections_.back().detail ==
        "usb 0c2e:0b61 on bus 1 device 1 has no HID POS interface (interface 0: HID report descriptor: no Decoded "
        "Data (0x008c:0x00fe) input: not a HID POS bar code scanner interface)");
}

TEST_CASE_METHOD(ScannerFixture, "with a serial number only that scanner is used") {
  auto& other = usb_.plug(hid_pos_scanner("OTHER-1"));
  auto& ours = usb_.plug(hid_pos_scanner("LANE1-ENTRY"));
  start(UsbScannerSettings::Kind::hid_pos, "LANE1-ENTRY");
  REQUIRE(wait_connected(true));
  CHECK(ours.claimed_interface() == 0);
  CHECK(other.claimed_interface() == -1);
  CHECK(driver_->info().device == "usb 0c2e:0b61 serial LANE1-ENTRY");
  send_all(ours, test::hid_pos_reports("]Q1", "ours"));
  REQUIRE(wait_texts(1));
  CHECK(texts_.back() == "]Q1ours");
}

TEST_CASE_METHOD(ScannerFixture, "a keyboard-wedge scanner's typed text is one read at Enter") {
  auto& scanner = usb_.plug({kVid, kPid, "", {keyboard_interface()}});
  start(UsbScannerSettings::Kind::keyboard);
  REQUIRE(wait_connected(true));
  CHECK(scanner.boot_protocol(0));
  CHECK(driver_->info().kind == "keyboard");

  const std::string url = "https://App.Example-Retail.com/t?k=Ab_9-~&x=\"Q\"";
  for (const auto& report : test::boot_keyboard_reports(url)) scanner.send(report);
  REQUIRE(wait_texts(1));
  CHECK(texts_ == std::vector<std::string>{url});
  for (const auto& report : test::boot_keyboard_reports(test::kTokenPayload)) scanner.send(report);
  REQUIRE(wait_texts(2));
  CHECK(texts_.back() == test::kTokenPayload);
}

TEST_CASE_METHOD(ScannerFixture, "reads longer than the configured maximum length are dropped, shorter ones pass") {
  auto& keyboard = usb_.plug({kVid, kPid, "", {keyboard_interface()}});
  start(UsbScannerSettings::Kind::keyboard, "", 16);
  REQUIRE(wait_connected(true));
  for (const auto& report : test::boot_keyboard_reports("0123456789abcdefg")) keyboard.send(report);  // 17 bytes
  for (const auto& report : test::boot_keyboard_reports("0123456789abcdef")) keyboard.send(report);   // 16 bytes
  REQUIRE(wait_texts(1));
  CHECK(texts_ == std::vector<std::string>{"0123456789abcdef"});
  CHECK(keyboard.unread() == 0);
}

TEST_CASE_METHOD(ScannerFixture, "a HID POS read longer than the configured maximum length is dropped") {
  auto& scanner = usb_.plug(hid_pos_scanner());
  start(UsbScannerSettings::Kind::hid_pos, "", 16);
  REQUIRE(wait_connected(true));
  send_all(scanner, test::hid_pos_reports("]Q1", test::kTokenPayload));
  send_all(scanner, test::hid_pos_reports("]Q1", "short"));
  REQUIRE(wait_texts(1));
  CHECK(texts_ == std::vector<std::string>{"]Q1short"});
}

TEST_CASE_METHOD(ScannerFixture, "a USB scanner with a maximum length of 0 is refused") {
  const auto driver = drivers::make_usb_scanner(
      context_, UsbScannerSettings{"lane1.entry", UsbScannerSettings::Kind::hid_pos, kVid, kPid, "", 0});
  REQUIRE_FALSE(driver.ok());
  CHECK(driver.error().message == "usb scanner lane1.entry: max_length must be at least 1");
}
