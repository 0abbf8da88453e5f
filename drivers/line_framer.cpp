#include "drivers/line_framer.hpp"

namespace passgate::drivers {

void LineFramer::feed(std::string_view bytes, const std::function<void(std::string_view)>& on_line,
                      const std::function<void()>& on_oversize) {
  while (!bytes.empty()) {
    const auto newline = bytes.find('\n');
    const auto piece = bytes.substr(0, newline);
    bytes.remove_prefix(newline == std::string_view::npos ? bytes.size() : newline + 1);
    if (!discarding_) {
      if (partial_.size() + piece.size() > max_line_) {
        discarding_ = true;
        partial_.clear();
        on_oversize();
      } else {
        partial_.append(piece);
      }
    }
    if (newline == std::string_view::npos) return;
    if (!discarding_) {
      const std::string line = std::move(partial_);
      partial_.clear();
      on_line(line);
    }
    discarding_ = false;
  }
}

}  // namespace passgate::drivers
