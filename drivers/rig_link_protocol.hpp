// The rig link's wire format (docs/interfaces/rig-protocol.md), gate side: the line limit, parsing what the rig sends ("in", "scan") and encoding
// what the gate sends ("out", "display", "error"). Syntax only: whether a line or scanner
// name exists on this gate is RigLink's business. Pure functions, never throw.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/result.hpp"

namespace passgate::drivers::rig {

// Longest message line, without its '\n'.
inline constexpr std::size_t kMaxLineBytes = 4096;

// {"t":"in","line":"lane1.beam_outer","v":1}; "v" is 0/1 or false/true.
struct InputMessage {
  std::string line;
  bool active = false;
};
// {"t":"scan","scanner":"lane1.entry","data":"..."}; data is passed on raw.
struct ScanMessage {
  std::string scanner;
  std::string data;
};
using RigMessage = std::variant<InputMessage, ScanMessage>;

// Parses one line from the rig. Error codes: "malformed" (not JSON, not an object, a field
// missing or of the wrong type or value) and "unknown_type" (a "t" other than in/scan).
// The message says what was wrong and what is expected, for the error reply.
[[nodiscard]] Result<RigMessage> parse_rig_message(std::string_view line);

// True for a line with nothing but JSON whitespace (the link ignores those).
[[nodiscard]] bool is_blank_line(std::string_view line);

// One line as the link received it, without its '\n': nothing for a blank line, else the
// message or why it is refused (the codes of parse_rig_message, and "too_long" for a line
// over kMaxLineBytes, with line_too_long_message()). What RigLink does with every line.
[[nodiscard]] Result<std::optional<RigMessage>> parse_rig_line(std::string_view line);

// The error reply to a line over kMaxLineBytes (the link drops such a line unread).
[[nodiscard]] std::string line_too_long_message();

// Gate → rig messages, each one line ending in '\n'. Invalid UTF-8 in text is replaced.
[[nodiscard]] std::string encode_output(std::string_view line, bool active);
[[nodiscard]] std::string encode_display(int lane, std::string_view text);
[[nodiscard]] std::string encode_error(std::string_view message);

// `text` in double quotes, cut to 64 bytes ("…" marks a cut): to echo rig input in errors.
[[nodiscard]] std::string quoted_excerpt(std::string_view text);

}  // namespace passgate::drivers::rig
