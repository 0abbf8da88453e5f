#include "passgated/status_login_log.hpp"

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"

namespace passgate::daemon {

StatusLoginLog::StatusLoginLog(const Clock& clock, TimerService& timers)
    : clock_(clock), timers_(timers), lines_(kLinesPerSecond, kLinesPerSecond, clock.steady_now()) {}

void StatusLoginLog::failed(const std::string& peer, const std::string& user, int failures) {
  if (may_log(peer)) {
    spdlog::warn("event=status_login_failed peer={} user={} failures={}", log_value(peer), log_value(user), failures);
  } else {
    ++unlogged_failed_;
  }
}

void StatusLoginLog::limited(const std::string& peer, int failures, std::chrono::seconds for_how_long) {
  if (may_log(peer)) {
    spdlog::warn("event=status_login_limited peer={} failures={} for_s={}", log_value(peer), failures,
                 for_how_long.count());
  } else {
    ++unlogged_limited_;
  }
}

bool StatusLoginLog::may_log(const std::string& peer) {
  if (lines_.try_take(1, clock_.steady_now())) return true;
  if (unlogged_peers_.size() < kMaxCountedPeers) unlogged_peers_.insert(peer);
  if (!summary_) summary_ = timers_.start(kSummaryEvery, [this] { summarize(); });
  return false;
}

void StatusLoginLog::summarize() {
  spdlog::warn("event=status_login_failed_many failed={} limited={} peers={} over_lines_per_s={}", unlogged_failed_,
               unlogged_limited_, unlogged_peers_.size(), kLinesPerSecond);
  unlogged_failed_ = 0;
  unlogged_limited_ = 0;
  unlogged_peers_.clear();
  summary_.reset();
}

}  // namespace passgate::daemon
