#include "hw/line_framer.hpp"

namespace passgate::hw {
namespace {

bool is_line_end(char c) { return c == '\r' || c == '\n'; }

}  // namespace

LineFramer::LineFramer(char terminator, std::size_t max_length) : terminator_(terminator), max_length_(max_length) {}

void LineFramer::feed(std::string_view bytes, const std::function<void(std::string)>& on_line,
                        const std::function<void()>& on_overlong) {
  for (const char c : bytes) {
    if (c == terminator_) {
      while (!partial_.empty() && is_line_end(partial_.back())) partial_.pop_back();
      std::string read = std::move(partial_);
      partial_.clear();
      const bool discarded = discarding_;
      discarding_ = false;
      if (!discarded && !read.empty()) on_line(std::move(read));
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

void LineFramer::reset() {
  partial_.clear();
  discarding_ = false;
}

}  // namespace passgate::hw
