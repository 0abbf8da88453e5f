#include "hw/boot_keyboard_report.hpp"

#include <algorithm>
#include <utility>

namespace passgate::hw {
namespace {

constexpr std::uint8_t kShift = 0x02 | 0x20;      // left and right Shift
constexpr std::uint8_t kOtherModifiers = 0xDD;    // Ctrl, Alt, GUI (left and right)
constexpr std::uint8_t kErrorRollOver = 0x01;
constexpr std::uint8_t kEnter = 0x28;
constexpr std::uint8_t kKeypadEnter = 0x58;

// Usage 0x2C (Space) to 0x38 (Slash) on a US keyboard, unshifted and shifted; 0x32
// (Non-US # and ~) has no key there.
constexpr char kPunctuation[] = " -=[]\\\0;'`,./";
constexpr char kPunctuationShifted[] = " _+{}|\0:\"~<>?";
constexpr char kDigitsShifted[] = "!@#$%^&*()";

std::string hex(std::uint8_t usage) {
  constexpr char kHex[] = "0123456789abcdef";
  return std::string("0x") + kHex[usage >> 4] + kHex[usage & 0xF];
}

// The character a key types, or '\0' if it types none.
char character(std::uint8_t usage, bool shift) {
  if (usage >= 0x04 && usage <= 0x1D) return static_cast<char>((shift ? 'A' : 'a') + (usage - 0x04));
  if (usage >= 0x1E && usage <= 0x26) return shift ? kDigitsShifted[usage - 0x1E] : static_cast<char>('1' + (usage - 0x1E));
  if (usage == 0x27) return shift ? kDigitsShifted[9] : '0';
  if (usage >= 0x2C && usage <= 0x38) return (shift ? kPunctuationShifted : kPunctuation)[usage - 0x2C];
  return '\0';
}

}  // namespace

BootKeyboardDecoder::BootKeyboardDecoder(std::size_t max_length) : max_length_(max_length) {}

void BootKeyboardDecoder::reset() {
  partial_.clear();
  held_.fill(0);
  discarding_ = false;
}

Result<std::optional<std::string>> BootKeyboardDecoder::feed(std::span<const std::uint8_t> report) {
  if (report.size() != kBootKeyboardReportBytes) {
    const bool was_in_read = discarding_ || !partial_.empty();
    reset();
    discarding_ = was_in_read;
    return make_error("malformed", "boot keyboard report of " + std::to_string(report.size()) + " bytes, expected 8");
  }
  std::array<std::uint8_t, 6> keys{};
  std::copy(report.begin() + 2, report.end(), keys.begin());
  if (std::find(keys.begin(), keys.end(), kErrorRollOver) != keys.end()) {
    const bool was_in_read = discarding_ || !partial_.empty();
    reset();
    discarding_ = was_in_read;
    return make_error("malformed", "boot keyboard report in the ErrorRollOver state (too many keys down)");
  }
  const std::uint8_t modifiers = report[0];
  std::optional<std::string> done;
  for (const std::uint8_t usage : keys) {
    if (usage == 0 || std::find(held_.begin(), held_.end(), usage) != held_.end()) continue;
    auto read = key_down(usage, modifiers);
    if (!read) {
      held_ = keys;
      return read;
    }
    if (*read) done = std::move(*read);
  }
  held_ = keys;
  return done;
}

Result<std::optional<std::string>> BootKeyboardDecoder::key_down(std::uint8_t usage, std::uint8_t modifiers) {
  if (usage == kEnter || usage == kKeypadEnter) {
    std::string read = std::move(partial_);
    partial_.clear();
    const bool discarded = discarding_;
    discarding_ = false;
    if (discarded || read.empty()) return std::optional<std::string>();
    return std::optional<std::string>(std::move(read));
  }
  if (discarding_) return std::optional<std::string>();
  const char c = character(usage, (modifiers & kShift) != 0);
  if (c == '\0' || (modifiers & kOtherModifiers) != 0) {
    partial_.clear();
    discarding_ = true;
    return make_error("unsupported_key", "key " + hex(usage) + (c == '\0' ? " has no character on a US keyboard"
                                                                            : " with modifiers " + hex(modifiers)));
  }
  if (partial_.size() >= max_length_) {
    partial_.clear();
    discarding_ = true;
    return make_error("too_long", "keyboard read longer than " + std::to_string(max_length_) + " characters");
  }
  partial_ += c;
  return std::optional<std::string>();
}

}  // namespace passgate::hw
