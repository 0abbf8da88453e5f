// libFuzzer target: arbitrary bytes from the rig socket, cut into lines as the link cuts them
// (at '\n', at most rig::kMaxLineBytes each), through rig::parse_rig_line, the function
// RigLink calls for every line. Besides crashes and sanitizer reports, it aborts when a
// refusal has no reason, or when the error reply or the messages the gate sends back would
// not be exactly one line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "drivers/rig_link_protocol.hpp"

namespace {

namespace rig = passgate::drivers::rig;

void require_one_line(const std::string& encoded) {
  if (encoded.empty() || encoded.back() != '\n' || encoded.find('\n') != encoded.size() - 1) __builtin_trap();
}

void check_line(std::string_view line) {
  const auto parsed = rig::parse_rig_line(line);
  if (!parsed) {
    if (parsed.error().message.empty()) __builtin_trap();
    require_one_line(rig::encode_error(parsed.error().message));
    return;
  }
  if (!*parsed) return;  // blank
  if (const auto* in = std::get_if<rig::InputMessage>(&**parsed)) {
    require_one_line(rig::encode_output(in->line, in->active));
    require_one_line(rig::encode_error(rig::quoted_excerpt(in->line) + " is not an input line"));
  } else {
    const auto& scan = std::get<rig::ScanMessage>(**parsed);
    require_one_line(rig::encode_display(1, scan.data));
    require_one_line(rig::encode_error(rig::quoted_excerpt(scan.scanner) + " is not a scanner"));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    if (line.size() <= rig::kMaxLineBytes) check_line(line);
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return 0;
}
