// ScanFilter in virtual time: a code read again within the window counts once (per
// scanner, the window sliding with each repeat); over-long and non-printable reads are
// refused with a reason that never contains the text.
#include <catch2/catch.hpp>

#include "common/virtual_time.hpp"
#include "hw/scan_filter.hpp"

using namespace std::chrono_literals;
using passgate::hw::ScanFilter;
using passgate::hw::ScanVerdict;

namespace {

struct FilterFixture {
  passgate::VirtualTime vt;
  ScanFilter filter{vt, ScanFilter::Limits{2000ms, 32}};

  ScanVerdict check(const std::string& text, const std::string& scanner = "lane1.entry") {
    return filter.check(scanner, text).verdict;
  }
};

}  // namespace

TEST_CASE_METHOD(FilterFixture, "the same code within the window counts once, after it again") {
  CHECK(check("code-a") == ScanVerdict::accepted);
  vt.advance(1000ms);
  CHECK(check("code-a") == ScanVerdict::repeated);
  vt.advance(2001ms);
  CHECK(check("code-a") == ScanVerdict::accepted);
}

TEST_CASE_METHOD(FilterFixture, "a code held in front of the scanner stays one read while it is read again") {
  CHECK(check("held") == ScanVerdict::accepted);
  for (int i = 0; i < 10; ++i) {
    vt.advance(1500ms);
    CHECK(check("held") == ScanVerdict::repeated);
  }
  vt.advance(2001ms);
  CHECK(check("held") == ScanVerdict::accepted);
}

TEST_CASE_METHOD(FilterFixture, "another code, or the same code on another scanner, is a new read") {
  CHECK(check("code-a") == ScanVerdict::accepted);
  CHECK(check("code-a", "lane2.entry") == ScanVerdict::accepted);
  CHECK(check("code-b") == ScanVerdict::accepted);
  CHECK(check("code-a") == ScanVerdict::accepted);  // only the previous read repeats
  const auto repeat = filter.check("lane1.entry", "code-a");
  CHECK(repeat.verdict == ScanVerdict::repeated);
  CHECK(repeat.why == "the same 6 bytes again after 0 ms (io.scan_repeat_window_ms 2000)");
}

TEST_CASE_METHOD(FilterFixture, "a read longer than the limit is refused with its length, never its text") {
  CHECK(check(std::string(32, 'a')) == ScanVerdict::accepted);
  const std::string secret = "eyJhbGciOiJFUzI1NiJ9.secret-token";  // 33 bytes
  const auto refused = filter.check("lane1.entry", secret);
  CHECK(refused.verdict == ScanVerdict::refused);
  CHECK(refused.why == "33 bytes, longer than io.scan_max_length (32)");
  CHECK(refused.why.find("secret") == std::string::npos);
}

TEST_CASE_METHOD(FilterFixture, "a read with a non-printable byte is refused with where it is, never the text") {
  const auto control = filter.check("lane1.entry", "token\tpart");
  CHECK(control.verdict == ScanVerdict::refused);
  CHECK(control.why == "10 bytes, a byte outside printable ASCII at offset 5");
  CHECK(check(std::string("nul\0byte", 8)) == ScanVerdict::refused);
  CHECK(check("del\x7f") == ScanVerdict::refused);
  CHECK(check("caf\xc3\xa9") == ScanVerdict::refused);
  CHECK(check(" !~printable ASCII~! ") == ScanVerdict::accepted);
}

TEST_CASE_METHOD(FilterFixture, "a refused read is not remembered as the previous one") {
  CHECK(check("code-a") == ScanVerdict::accepted);
  CHECK(check("bad\x01") == ScanVerdict::refused);
  CHECK(check("code-a") == ScanVerdict::repeated);
}

TEST_CASE("a repeat window of 0 lets every read through") {
  passgate::VirtualTime vt;
  ScanFilter filter{vt, ScanFilter::Limits{0ms, 4096}};
  CHECK(filter.check("lane1.entry", "code").verdict == ScanVerdict::accepted);
  CHECK(filter.check("lane1.entry", "code").verdict == ScanVerdict::accepted);
}
