// libFuzzer target: arbitrary input reports through a HidPosReassembler. The first byte
// picks one of three layouts (a common scanner's: report id, byte count, AIM symbology,
// continued flag; one without report ids; a bare Decoded Data field); the rest is a
// sequence of reports, each one length byte and then that many bytes (short, long and
// foreign reports included). Besides crashes and sanitizer reports, it aborts when a read
// is empty or longer than the limit, or a refusal has an unknown code or no message.
// Seed corpus: corpus/hid_pos_report/ (a JWS split over seven reports, short reads, garbage).
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "hw/hid_pos_report.hpp"
#include "hw/hid_report_descriptor.hpp"
#include "tests/support/usb_scanner_samples.hpp"

namespace {

namespace hw = passgate::hw;

constexpr std::size_t kMaxLength = 300;  // below a token's length: refusals get exercised

void require(bool promise_kept) {
  if (!promise_kept) __builtin_trap();
}

const std::array<hw::HidPosLayout, 3>& layouts() {
  static const auto all = [] {
    const std::array<passgate::test::Bytes, 3> descriptors = {
        passgate::test::kHidPosDescriptor,
        passgate::test::Bytes{0x05, 0x8C, 0x75, 0x08, 0x95, 0x01, 0x05, 0x01, 0x09, 0x3B, 0x81, 0x02, 0x05, 0x8C,
                              0x95, 0x03, 0x19, 0xFB, 0x29, 0xFD, 0x81, 0x02, 0x95, 0x20, 0x09, 0xFE, 0x81, 0x02,
                              0x75, 0x01, 0x95, 0x08, 0x09, 0xFF, 0x81, 0x02},
        passgate::test::Bytes{0x05, 0x8C, 0x75, 0x08, 0x95, 0x10, 0x09, 0xFE, 0x81, 0x02},
    };
    std::array<hw::HidPosLayout, 3> parsed;
    for (std::size_t i = 0; i < descriptors.size(); ++i) {
      auto layout = hw::hid_pos_layout(descriptors[i]);
      if (!layout) std::abort();
      parsed[i] = *layout;
    }
    return parsed;
  }();
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::span<const std::uint8_t> input(data, size);
  hw::HidPosReassembler reassembler(layouts()[input[0] % 3], kMaxLength);
  std::size_t at = 1;
  while (at < input.size()) {
    const std::size_t length = std::min<std::size_t>(input[at], input.size() - at - 1);
    const auto report = input.subspan(at + 1, length);
    at += 1 + length;
    const auto read = reassembler.feed(report);
    if (!read) {
      const auto& code = read.error().code;
      require(code == "malformed" || code == "too_long");
      require(!read.error().message.empty());
    } else if (*read) {
      require(!(*read)->empty() && (*read)->size() <= kMaxLength);
    }
  }
  return 0;
}
