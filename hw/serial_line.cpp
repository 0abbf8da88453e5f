#include "hw/serial_line.hpp"

#include <algorithm>
#include <cassert>

namespace passgate::hw {
namespace {

bool is_line_end(char c) { return c == '\r' || c == '\n'; }

}  // namespace

bool is_serial_baud_rate(int baud) {
  return std::find(kSerialBaudRates.begin(), kSerialBaudRates.end(), baud) != kSerialBaudRates.end();
}

bool is_serial_suffix(std::string_view suffix) {
  return std::find(kSerialSuffixes.begin(), kSerialSuffixes.end(), suffix) != kSerialSuffixes.end();
}

SerialFramer::SerialFramer(std::string_view suffix, std::size_t max_length)
    : terminator_(suffix.empty() ? '\r' : suffix.back()), max_length_(max_length) {
  assert(is_serial_suffix(suffix));
}

void SerialFramer::feed(std::string_view bytes, const std::function<void(std::string)>& on_read,
                        const std::function<void()>& on_overlong) {
  for (const char c : bytes) {
    if (c == terminator_) {
      while (!partial_.empty() && is_line_end(partial_.back())) partial_.pop_back();
      std::string read = std::move(partial_);
      partial_.clear();
      const bool discarded = discarding_;
      discarding_ = false;
      if (!discarded && !read.empty()) on_read(std::move(read));
      continue;
    }
    if (discarding_ || (partial_.empty() && is_line_end(c))) continue;
    // One line end more is allowed: a read of exactly max_length bytes may still be
    // followed by the CR of a CRLF suffix.
    const std::size_t limit = is_line_end(c) ? max_length_ + 1 : max_length_;
    if (partial_.size() + 1 > limit) {
      discarding_ = true;
      partial_.clear();
      on_overlong();
      continue;
    }
    partial_ += c;
  }
}

void SerialFramer::reset() {
  partial_.clear();
  discarding_ = false;
}

}  // namespace passgate::hw
