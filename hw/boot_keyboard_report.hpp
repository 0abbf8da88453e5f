// BootKeyboardDecoder: turns the 8-byte boot keyboard reports of a keyboard-wedge scanner
// ([modifiers, reserved, key1..key6], HID 1.11 appendix B.1) into complete reads, without
// any I/O. Keys are read as a US keyboard types them: letters, digits, space and the
// punctuation of the main block, with Shift (left 0x02 or right 0x20) for capitals and
// the shifted symbols; that covers URLs and base64url/JWS tokens. A character is typed
// when its key goes down (a key not held in the previous report), so a scanner's press
// and release per character reads once and a repeated report changes nothing. Enter
// (0x28, or keypad Enter 0x58) ends a read. Single-threaded.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "common/result.hpp"

namespace passgate::hw {

inline constexpr std::size_t kBootKeyboardReportBytes = 8;

class BootKeyboardDecoder {
 public:
  // `max_length`: the longest read accepted.
  explicit BootKeyboardDecoder(std::size_t max_length);

  // Feeds one report. Returns a complete read (at Enter), or nothing (a key of a read in
  // progress, a release, an empty read), or an error: "malformed" (not 8 bytes, or the
  // keyboard's ErrorRollOver state), "unsupported_key" (a key without a character in the
  // US layout, or with Ctrl, Alt or GUI held), "too_long" (the read grows past
  // max_length). After an error the read in progress is dropped and the rest of it, up
  // to its Enter, is skipped. Messages name key usages, never the text typed.
  [[nodiscard]] Result<std::optional<std::string>> feed(std::span<const std::uint8_t> report);

  // Drops a read in progress (the device went away in the middle of one).
  void reset();

 private:
  [[nodiscard]] Result<std::optional<std::string>> key_down(std::uint8_t usage, std::uint8_t modifiers);

  std::size_t max_length_;
  std::array<std::uint8_t, 6> held_{};  // keys down in the previous report
  std::string partial_;
  bool discarding_ = false;
};

}  // namespace passgate::hw
