// LineFramer: splits a byte stream into '\n'-terminated lines of bounded length, for the
// line-based local sockets (the rig link, the control socket). Pure logic, never throws.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace passgate::drivers {

// Splits received bytes into '\n'-terminated lines. A line longer than the limit is
// reported once (as soon as it is too long) and its bytes are dropped up to its '\n'.
class LineFramer {
 public:
  explicit LineFramer(std::size_t max_line) : max_line_(max_line) {}

  // on_line gets each complete line within the limit (without '\n'); on_oversize is called
  // once per line that exceeds it.
  void feed(std::string_view bytes, const std::function<void(std::string_view line)>& on_line,
            const std::function<void()>& on_oversize);

 private:
  std::size_t max_line_;
  std::string partial_;
  bool discarding_ = false;
};

}  // namespace passgate::drivers
