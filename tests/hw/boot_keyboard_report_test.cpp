// BootKeyboardDecoder: a keyboard-wedge scanner's key presses read as US-layout text up to
// Enter; keys without a character, other modifiers, garbage and over-long reads are
// refused and never leave a part of a read behind.
#include <catch2/catch.hpp>

#include "hw/boot_keyboard_report.hpp"
#include "tests/hw/scanner_feed.hpp"
#include "tests/support/usb_scanner_samples.hpp"

using namespace passgate::hw;
using passgate::test::ScannerOutcome;
using passgate::test::boot_keyboard_reports;
using passgate::test::kTokenPayload;
using Report = std::array<std::uint8_t, 8>;

namespace {

ScannerOutcome feed_all(BootKeyboardDecoder& d, const std::vector<Report>& reports) { return passgate::test::feed_reports(d, reports); }

std::vector<Report> concat(std::vector<Report> a, const std::vector<Report>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Report key(std::uint8_t usage, std::uint8_t modifiers = 0) { return {modifiers, 0, usage, 0, 0, 0, 0, 0}; }
const Report kRelease{};

}  // namespace

TEST_CASE("a token and a URL type as they read, ending at Enter") {
  BootKeyboardDecoder d(4096);
  CHECK(feed_all(d, boot_keyboard_reports(kTokenPayload)).reads == std::vector<std::string>{kTokenPayload});
  const std::string url = "https://app.example-retail.com/t?k=Ab_9-~&x=\"y\";z{1}[2]|3:4<5>6!@#$%^*()+='`,";
  CHECK(feed_all(d, boot_keyboard_reports(url)).reads == std::vector<std::string>{url});
}

TEST_CASE("nothing is delivered before Enter, and an empty read is none") {
  BootKeyboardDecoder d(4096);
  auto reports = boot_keyboard_reports("abc");
  reports.resize(reports.size() - 2);  // without Enter
  CHECK(feed_all(d, reports).reads.empty());
  CHECK(feed_all(d, {key(0x28), kRelease}).reads == std::vector<std::string>{"abc"});
  CHECK(feed_all(d, {key(0x28), kRelease}).reads.empty());
}

TEST_CASE("keys type once when they go down") {
  BootKeyboardDecoder d(4096);
  // A repeated report (the idle rate) and a second key while the first is held (rollover).
  const std::vector<Report> reports = {key(0x04), key(0x04), {0, 0, 0x04, 0x05, 0, 0, 0, 0}, {0, 0, 0x05, 0, 0, 0, 0, 0},
                                       kRelease,  key(0x04), kRelease,                        key(0x58) /* keypad Enter */};
  CHECK(feed_all(d, reports).reads == std::vector<std::string>{"aba"});
}

TEST_CASE("right shift types capitals too") {
  BootKeyboardDecoder d(4096);
  CHECK(feed_all(d, {key(0x04, 0x20), kRelease, key(0x1F, 0x20), kRelease, key(0x28)}).reads ==
        std::vector<std::string>{"A@"});
}

TEST_CASE("a key without a character refuses the read up to its Enter") {
  BootKeyboardDecoder d(4096);
  const auto before = boot_keyboard_reports("ab");
  std::vector<Report> reports(before.begin(), before.end() - 2);
  reports.push_back(key(0x2B));  // Tab
  reports.push_back(kRelease);
  reports = concat(reports, boot_keyboard_reports("cd"));
  reports = concat(reports, boot_keyboard_reports("next"));
  const auto out = feed_all(d, reports);
  CHECK(out.errors == std::vector<std::string>{"unsupported_key"});
  CHECK(out.reads == std::vector<std::string>{"next"});
}

TEST_CASE("Ctrl, Alt and GUI are refused") {
  for (const std::uint8_t modifier : {0x01, 0x04, 0x08, 0x10, 0x40, 0x80}) {
    BootKeyboardDecoder d(4096);
    const auto out = feed_all(d, concat({key(0x06, modifier), kRelease, key(0x28), kRelease}, boot_keyboard_reports("ok")));
    CHECK(out.errors == std::vector<std::string>{"unsupported_key"});
    CHECK(out.reads == std::vector<std::string>{"ok"});
  }
}

TEST_CASE("an over-long read is refused") {
  BootKeyboardDecoder d(5);
  const auto out = feed_all(d, concat(boot_keyboard_reports("123456"), boot_keyboard_reports("12345")));
  CHECK(out.errors == std::vector<std::string>{"too_long"});
  CHECK(out.reads == std::vector<std::string>{"12345"});
}

TEST_CASE("garbage reports are refused") {
  BootKeyboardDecoder d(4096);
  const auto typed = boot_keyboard_reports("ab");
  REQUIRE(feed_all(d, {typed[0], typed[1]}).reads.empty());
  const std::array<std::uint8_t, 9> too_long{};
  auto result = d.feed(too_long);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == "malformed");
  // The rest of the read in progress goes with it.
  CHECK(feed_all(d, {typed[2], typed[3], typed[4], typed[5]}).reads.empty());

  const auto out = feed_all(d, concat({{0, 0, 1, 1, 1, 1, 1, 1}, key(0x28), kRelease}, boot_keyboard_reports("ok")));
  CHECK(out.errors == std::vector<std::string>{"malformed"});
  CHECK(out.reads == std::vector<std::string>{"ok"});
}

TEST_CASE("reset drops a keyboard read in progress") {
  BootKeyboardDecoder d(4096);
  const auto typed = boot_keyboard_reports("ab");
  CHECK(feed_all(d, {typed[0], typed[1]}).reads.empty());
  d.reset();
  CHECK(feed_all(d, boot_keyboard_reports("cd")).reads == std::vector<std::string>{"cd"});
}
