// RowBackoff: the payment operations whose own database row refused a write of the drainer
// (a trigger, a constraint: an error of that row, not of the whole database), each tried
// again on its own after a wait that doubles on every failure, from retry_initial_ms up to
// retry_max_ms (RetryBackoff's base, no jitter: nothing here reaches the gateway). So one bad
// row neither fails the shared batch of every pass of the drain nor wakes it every few
// milliseconds. Single-threaded, on the event loop.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "common/clock.hpp"
#include "controller/settlement/retry_backoff.hpp"

namespace passgate::controller {

class RowBackoff {
 public:
  // One more failure of operation `id` at `now`: how long until it is tried again.
  Millis failed(std::int64_t id, SteadyTime now, const RetryBackoff& backoff);
  // Whether `id` is held back (whether or not its time to be tried again has come).
  [[nodiscard]] bool holds(std::int64_t id) const { return held_.count(id) > 0; }
  // Whether `id` is held back and its time to be tried again has not come at `now`.
  [[nodiscard]] bool waiting(std::int64_t id, SteadyTime now) const;
  // The operations whose time has come at `now`, in id order.
  [[nodiscard]] std::vector<std::int64_t> due(SteadyTime now) const;
  // Every operation held back, in id order.
  [[nodiscard]] std::vector<std::int64_t> ids() const;
  // When the first one is to be tried again, if any.
  [[nodiscard]] std::optional<SteadyTime> next() const;
  [[nodiscard]] bool empty() const { return held_.empty(); }
  [[nodiscard]] std::size_t size() const { return held_.size(); }
  // `id` went through (or is no longer to be tried): held back no more.
  void forget(std::int64_t id) { held_.erase(id); }
  void clear() { held_.clear(); }

 private:
  struct Held {
    int failures = 0;
    SteadyTime retry_at{};
  };
  std::map<std::int64_t, Held> held_;
};

}  // namespace passgate::controller
