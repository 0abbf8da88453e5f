// libFuzzer target: arbitrary boot keyboard reports through a BootKeyboardDecoder. The
// first byte is the read length limit (0..255); the rest is cut into 8-byte reports, and
// a shorter tail is fed as one malformed report. Besides crashes and sanitizer reports, it
// aborts when a read is empty, longer than the limit, or holds anything but printable
// ASCII (the US layout types nothing else), or a refusal has an unknown code or no message.
// Seed corpus: corpus/boot_keyboard/ (a URL typed with Shift, rollover, unknown keys).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "hw/boot_keyboard_report.hpp"

namespace {

namespace hw = passgate::hw;

void require(bool promise_kept) {
  if (!promise_kept) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::span<const std::uint8_t> input(data, size);
  const std::size_t max_length = input[0];
  hw::BootKeyboardDecoder decoder(max_length);
  for (std::size_t at = 1; at < input.size(); at += hw::kBootKeyboardReportBytes) {
    const auto read = decoder.feed(input.subspan(at, std::min(hw::kBootKeyboardReportBytes, input.size() - at)));
    if (!read) {
      const auto& code = read.error().code;
      require(code == "malformed" || code == "unsupported_key" || code == "too_long");
      require(!read.error().message.empty());
    } else if (*read) {
      require(!(*read)->empty() && (*read)->size() <= max_length);
      for (const char c : **read) require(c >= 0x20 && c <= 0x7E);
    }
  }
  return 0;
}
