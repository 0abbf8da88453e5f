#include "controller/settlement/wall_clock_watch.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <string>

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/time_format.hpp"

namespace passgate::controller {

namespace {

constexpr const char* kHighWater = "wall_clock_high_water_ms";
constexpr const char* kUnreliableBefore = "wall_clock_stepped_back_below_ms";
constexpr std::int64_t kTolerance = 1000;     // smaller steps back are jitter, not a step
constexpr std::int64_t kPersistEvery = 60000;

std::optional<std::int64_t> stored_ms(db::GateStatus& status, const char* name) {
  auto value = status.get(name);
  if (!value || !value->has_value()) return std::nullopt;
  const std::string& text = (*value)->value;
  std::int64_t ms = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return ms;
}

}  // namespace

WallClockWatch::WallClockWatch(db::GateStatus& status, db::PaymentQueue& queue, Clock& clock)
    : status_(status), queue_(queue), clock_(clock) {
  high_water_ms_ = stored_ms(status_, kHighWater).value_or(0);
  if (auto latest = queue.latest_time_ms(); latest && *latest > high_water_ms_) high_water_ms_ = *latest;
  unreliable_before_ms_ = stored_ms(status_, kUnreliableBefore);
}

std::int64_t WallClockWatch::now_ms(std::optional<ClockStepBack>& stepped_back) {
  const std::int64_t now = unix_millis(clock_.wall_now());
  stepped_back.reset();
  if (now + kTolerance < high_water_ms_) {
    stepped_back = ClockStepBack{high_water_ms_, now};
    last_step_back_ = NoticedStepBack{*stepped_back, clock_.steady_now()};
    // Operations made up to now were stamped by the clock before the step. If the queue cannot
    // be read, every operation counts as made before it (it may look older, never younger).
    auto last_op = queue_.last_id();
    if (!last_op) spdlog::error("event=payment_queue_read_failed detail={}", log_value(last_op.error().message));
    steps_.push_back(NoticedStep{high_water_ms_, last_op ? *last_op : std::numeric_limits<std::int64_t>::max(),
                                 clock_.steady_now()});
    // Bounded; the first is kept: it anchors the operations made before any step.
    if (steps_.size() > kMaxSteps) steps_.erase(steps_.begin() + 1);
    unreliable_before_ms_ = std::max(unreliable_before_ms_.value_or(0), high_water_ms_);
    spdlog::warn("event=wall_clock_stepped_back by_ms={} detail=\"payments first tried before now are looked up "
                 "at the gateway before any resend, and retries are brought forward\"",
                 high_water_ms_ - now);
    if (auto kept = status_.set(kUnreliableBefore, std::to_string(*unreliable_before_ms_), now); !kept) {
      // The old high-water mark stays in the database, so the next start notices it again.
      spdlog::error("event=wall_clock_mark_failed detail={}", log_value(kept.error().message));
      high_water_ms_ = now;
      return now;
    }
    // The mark follows the clock from here: a second step is noticed against this one.
    high_water_ms_ = now;
    persist(now);
  } else if (now > high_water_ms_) {
    high_water_ms_ = now;
    if (now - persisted_at_ms_ >= kPersistEvery) persist(now);
  }
  return now;
}

std::optional<std::int64_t> WallClockWatch::oldest_age_ms(const db::QueueTotals& totals, std::int64_t now_ms) const {
  if (!totals.oldest_created_at_ms) return std::nullopt;
  std::int64_t age = now_ms - *totals.oldest_created_at_ms;
  if (!totals.first_outstanding) return std::max<std::int64_t>(age, 0);
  // Every step noticed after the operation was made: the first of them read the same clock
  // as its creation, so it gives the true age; later ones (after further steps back) less.
  for (const NoticedStep& step : steps_) {
    if (totals.first_outstanding->first > step.last_op_id) continue;
    const auto since = std::chrono::duration_cast<Millis>(clock_.steady_now() - step.noticed_at);
    age = std::max(age, step.high_water_ms - totals.first_outstanding->second + since.count());
  }
  return std::max<std::int64_t>(age, 0);
}

void WallClockWatch::persist(std::int64_t now_ms) {
  persisted_at_ms_ = now_ms;
  if (auto kept = status_.set(kHighWater, std::to_string(high_water_ms_), now_ms); !kept) {
    spdlog::error("event=wall_clock_mark_failed detail={}", log_value(kept.error().message));
  }
}

}  // namespace passgate::controller
