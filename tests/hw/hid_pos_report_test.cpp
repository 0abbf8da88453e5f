// HidPosReassembler: multi-report reads are joined behind their AIM identifier; other
// reports, empty reads and garbage never produce text, and nothing truncated or over-long
// is ever delivered.
#include <catch2/catch.hpp>

#include "hw/hid_pos_report.hpp"
#include "tests/hw/scanner_feed.hpp"
#include "tests/support/usb_scanner_samples.hpp"

using namespace passgate::hw;
using passgate::test::ScannerOutcome;
using passgate::test::Bytes;
using passgate::test::hid_pos_reports;
using passgate::test::kTokenPayload;

namespace {

ScannerOutcome feed_all(HidPosReassembler& r, const std::vector<Bytes>& reports) { return passgate::test::feed_reports(r, reports); }

HidPosLayout sample_layout() {
  auto layout = hid_pos_layout(passgate::test::kHidPosDescriptor);
  REQUIRE(layout.ok());
  return *layout;
}

}  // namespace

TEST_CASE("a QR code split over several reports is one read with its AIM identifier") {
  HidPosReassembler r(sample_layout(), 4096);
  const auto reports = hid_pos_reports("]Q1", kTokenPayload);
  REQUIRE(reports.size() == 7);  // 351 bytes, 56 per report
  for (std::size_t i = 0; i + 1 < reports.size(); ++i) {
    auto result = r.feed(reports[i]);
    REQUIRE(result.ok());
    CHECK_FALSE(*result);
  }
  auto last = r.feed(reports.back());
  REQUIRE(last.ok());
  REQUIRE(*last);
  CHECK(**last == "]Q1" + kTokenPayload);
}

TEST_CASE("HID POS reads follow each other") {
  HidPosReassembler r(sample_layout(), 4096);
  auto reports = hid_pos_reports("]Q1", "first");
  const auto second = hid_pos_reports("]C0", std::string(56, 'x'));  // exactly one full report
  reports.insert(reports.end(), second.begin(), second.end());
  const auto out = feed_all(r, reports);
  CHECK(out.errors.empty());
  CHECK(out.reads == std::vector<std::string>{"]Q1first", "]C0" + std::string(56, 'x')});
}

TEST_CASE("a symbology identifier that is not AIM is left out") {
  HidPosReassembler r(sample_layout(), 4096);
  CHECK(feed_all(r, hid_pos_reports(std::string(3, '\0'), "abc")).reads == std::vector<std::string>{"abc"});
  CHECK(feed_all(r, hid_pos_reports("Q\x01\x02", "abc")).reads == std::vector<std::string>{"abc"});
}

TEST_CASE("reports with another report id and reads without data are ignored") {
  HidPosReassembler r(sample_layout(), 4096);
  Bytes trigger(2, 0);
  trigger[0] = 0x04;
  const auto out = feed_all(r, {trigger, Bytes{}, hid_pos_reports("]Q1", "").front()});
  CHECK(out.reads.empty());
  CHECK(out.errors.empty());
}

TEST_CASE("an over-long read is refused once and its remaining reports are skipped") {
  HidPosReassembler r(sample_layout(), 100);
  auto reports = hid_pos_reports("]Q1", kTokenPayload);  // 7 reports
  const auto next = hid_pos_reports("]Q1", "next");
  reports.insert(reports.end(), next.begin(), next.end());
  const auto out = feed_all(r, reports);
  CHECK(out.errors == std::vector<std::string>{"too_long"});
  CHECK(out.reads == std::vector<std::string>{"]Q1next"});
}

TEST_CASE("a read of exactly the limit is delivered") {
  HidPosReassembler r(sample_layout(), 3 + 112);
  CHECK(feed_all(r, hid_pos_reports("]Q1", std::string(112, 'a'))).reads.size() == 1);
}

TEST_CASE("garbage reports drop the read in progress without delivering a part of it") {
  HidPosReassembler r(sample_layout(), 4096);
  auto reports = hid_pos_reports("]Q1", kTokenPayload);

  SECTION("a byte count larger than the data field") {
    reports[2][1] = 57;
    const auto out = feed_all(r, reports);
    CHECK(out.errors == std::vector<std::string>{"malformed"});
    CHECK(out.reads.empty());
  }
  SECTION("a report shorter than the layout's") {
    reports[3].resize(40);
    const auto out = feed_all(r, reports);
    CHECK(out.errors == std::vector<std::string>{"malformed"});
    CHECK(out.reads.empty());
  }
  SECTION("reads after the garbage are whole again") {
    reports[6].resize(10);  // the last report of the read
    auto next = hid_pos_reports("]Q1", "next");
    reports.insert(reports.end(), next.begin(), next.end());
    next = hid_pos_reports("]Q1", "after");
    reports.insert(reports.end(), next.begin(), next.end());
    const auto out = feed_all(r, reports);
    CHECK(out.errors == std::vector<std::string>{"malformed"});
    // The report after a garbled one is taken for the rest of the garbled read.
    CHECK(out.reads == std::vector<std::string>{"]Q1after"});
  }
}

TEST_CASE("reset drops a HID POS read in progress") {
  HidPosReassembler r(sample_layout(), 4096);
  const auto reports = hid_pos_reports("]Q1", kTokenPayload);
  CHECK(feed_all(r, {reports[0], reports[1]}).reads.empty());
  r.reset();
  CHECK(feed_all(r, hid_pos_reports("]Q1", "fresh")).reads == std::vector<std::string>{"]Q1fresh"});
}

TEST_CASE("layouts without byte count or continued flag") {
  // 8 bits x 16 Decoded Data, no report id, nothing else.
  const Bytes descriptor = {0x05, 0x8C, 0x75, 0x08, 0x95, 0x10, 0x09, 0xFE, 0x81, 0x02};
  auto layout = hid_pos_layout(descriptor);
  REQUIRE(layout.ok());
  HidPosReassembler r(*layout, 4096);
  Bytes report(16, 0);
  report[0] = 'o';
  report[1] = 'k';
  auto read = r.feed(report);
  REQUIRE(read.ok());
  REQUIRE(*read);
  CHECK(**read == "ok");  // NUL padding trimmed, every report a read
}
