// BatchBudget: how much the next batch of a chain of batches on the event loop may take (the
// retention sweeper's sessions, rows or pages; retention_sweeper.hpp), so that a batch stays
// short in time on any disk, not only in rows: a batch that took longer than kSlow halves the
// next one's limit (down to 1); one that took less than kFast doubles it (up to `most`, the
// configured size); in between it stays. Single-threaded.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace passgate::controller {

class BatchBudget {
 public:
  // A scan that arrives during a batch waits for it: a few milliseconds at most.
  static constexpr std::chrono::milliseconds kSlow{8};
  static constexpr std::chrono::milliseconds kFast{2};

  explicit BatchBudget(std::int64_t most) : most_(std::max<std::int64_t>(most, 1)), limit_(most_) {}

  [[nodiscard]] std::int64_t limit() const { return limit_; }
  [[nodiscard]] std::int64_t most() const { return most_; }
  // A batch of at most limit() took `duration` (on the steady clock).
  void took(std::chrono::steady_clock::duration duration) {
    if (duration > kSlow) {
      limit_ = std::max<std::int64_t>(limit_ / 2, 1);
    } else if (duration < kFast) {
      limit_ = limit_ > most_ / 2 ? most_ : limit_ * 2;
    }
  }

 private:
  std::int64_t most_;
  std::int64_t limit_;
};

}  // namespace passgate::controller
